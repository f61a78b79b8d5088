/**
 * The resources the native plugin serves: type token, the handler kind behind it, and the contract
 * types (provider/contracts.ts) its inputs and outputs are generated from (scripts/genSchema.ts).
 * Type names are the TypeScript SDK's class names; a token, once published, is frozen (it names every
 * resource in users' state).
 */
import type { ResourceKind } from "../provider/kit/handler";

/** The package name: type tokens are `nats-auth:index:<Type>`. */
export const PACKAGE = "nats-auth";

export interface NativeResource {
  /** The type name in the token (the SDK class name). */
  type: string;
  kind: ResourceKind;
  /** The contract type of the inputs (flat: native programs pass the signer wiring as plain inputs). */
  inputs: string;
  /** The contract type of the outputs. */
  outputs: string;
  /** The resource's description in the schema (the SDK class says the same to TypeScript users). */
  description: string;
}

export const RESOURCES: readonly NativeResource[] = [
  {
    type: "KeyPair",
    kind: "keyPair",
    inputs: "KeyPairProps",
    outputs: "KeyPairState",
    description:
      "An nkey identity (operator, account, user or curve) kept in state. Give an Account or User its key from a KeyPair so other resources can use the public key before the JWT exists (membership, imports).",
  },
  {
    type: "SigningKey",
    kind: "signingKey",
    inputs: "SigningKeyProps",
    outputs: "SigningKeyState",
    description:
      "An operator or account signing key pair, optionally scoped. List its `ref` in the owner's `signingKeys` (operator: its `publicKey`) and pass its `seed` as the `signerSeed` of what it signs.",
  },
  {
    type: "Operator",
    kind: "operator",
    inputs: "OperatorProps",
    outputs: "OperatorNativeOutputs",
    description: "A NATS operator: the root of trust. Its JWT is self-signed.",
  },
  {
    type: "Account",
    kind: "account",
    inputs: "AccountProps",
    outputs: "AccountNativeOutputs",
    description:
      "A NATS account (nsc `add account` / `edit account`), signed by its operator (`signerSeed`: the operator's seed or an operator signing key's seed) and, with `resolver`, pushed to the servers. `members` lists the Users whose removal revokes their key in the same `up`.",
  },
  {
    type: "User",
    kind: "user",
    inputs: "UserProps",
    outputs: "UserNativeOutputs",
    description:
      "A NATS user (nsc `add user` / `edit user`), signed by its account (`signerSeed`: the account's seed or an account signing key's seed). Outputs `creds` (secret): the `.creds` text clients read.",
  },
  {
    type: "ActivationToken",
    kind: "activationToken",
    inputs: "ActivationTokenProps",
    outputs: "ActivationTokenNativeOutputs",
    description: "An activation token: the exporting account lets one importer import a private export.",
  },
  {
    type: "LeafRemote",
    kind: "leafRemote",
    inputs: "LeafRemoteProps",
    outputs: "LeafRemoteState",
    description:
      "One outgoing leaf node connection: writes its credentials (mode 0600) and outputs the `remote` entry for a ServerConfig's `leafnodes.remotes`.",
  },
  {
    type: "ServerConfig",
    kind: "serverConfigFile",
    inputs: "ServerConfigProps",
    outputs: "ServerConfigState",
    description:
      "A nats-server configuration file rendered from a typed spec (operator, resolver, leafnodes, …).",
  },
  {
    type: "CredsFile",
    kind: "credsFile",
    inputs: "CredsFileProps",
    outputs: "CredsFileState",
    description: "A user's `.creds` text written to a local file readable by its owner only (mode 0600).",
  },
  {
    type: "NatsContext",
    kind: "natsContext",
    inputs: "NatsContextProps",
    outputs: "NatsContextState",
    description: "A `nats` CLI context file (`<configHome>/nats/context/<name>.json`).",
  },
];

/** A component the plugin builds from the resources above (`construct`), for every language. */
export interface NativeComponent {
  type: string;
  inputs: string;
  outputs: string;
  description: string;
}

export const COMPONENTS: readonly NativeComponent[] = [
  {
    type: "OperatorWithSystemAccount",
    inputs: "OperatorWithSystemAccountProps",
    outputs: "OperatorWithSystemAccountOutputs",
    description:
      "An operator with its system account and a system user in one resource, like `nsc add operator --sys` (the TypeScript SDK's OperatorWithSystemAccount: the same children, from the same description), optionally with a least-privilege resolver user, a resolver push of the system account and the adoption of an existing deployment.",
  },
];

/** The type token of a resource. */
export function tokenOf(type: string): string {
  return `${PACKAGE}:index:${type}`;
}
