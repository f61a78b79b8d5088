/**
 * One typed contract per resource kind: the props an SDK class passes to `super()` (`XProps`) and
 * the state its handler stores (`XState`: the props plus computed outputs). The SDK classes, the
 * handlers and the test harness all use these, so a renamed or misspelled field fails to compile on
 * either side.
 *
 * These are also the field names in users' state: renaming one is a state-layout change (keep old
 * names readable, and keep the state-upgrade test green).
 */
import type { ActivationClaimsInput, ActivationMember, RevokedActivation } from "../core/activation";
import type {
  AccountClaims,
  Export,
  OperatorClaims,
  SigningKeyRef,
  UserClaims,
  UserTemplate,
} from "../core/claimInputs";
import type { Int } from "../core/int";
import type { DescribedClaims } from "../core/jwt";
import type { NatsContextSpec } from "../core/natsContext";
import type { AccountPeer } from "../core/peers";
import type { Issued, Member, RemovedUser, RevocationTime } from "../core/revocation";
import type { LeafRemoteInputs, LeafRemoteSpec, ServerConfigSpec } from "../core/serverConfig";
import type { ResolverTls } from "../io/resolverClient";

/** What Pulumi adds to every resource's inputs and outputs: the serialized provider. */
export interface Stored {
  __provider?: string;
}

/** What a KeyPair identifies; "curve" is an X25519 xkey (auth callout encryption), which signs nothing. */
export type KeyKindInput = "operator" | "account" | "user" | "curve";

export interface KeyPairProps {
  kind: KeyKindInput;
  /** An identity to adopt; generated when absent. @secret */
  seed?: string;
}
export type KeyPairState = KeyPairProps & {
  /** The public key ("O…", "A…", "U…" or "X…"). */
  publicKey: string;
  /** The seed. @secret */
  seed: string;
};

/** The scope of an account signing key: users it signs get exactly these permissions and limits. */
export interface SigningKeyScope {
  /** A name for the role (nsc `--role`). */
  role: string;
  /** Permissions and limits every user signed by this key gets. */
  template?: UserTemplate;
  description?: string;
}
export interface SigningKeyProps {
  /** Whose signing key this is: "operator" or "account". Changing it replaces the key. */
  owner: "operator" | "account";
  /** Make it a scoped key (account keys only). */
  scope?: SigningKeyScope;
  /** A key to adopt by its seed; generated when absent. A different seed replaces the key. @secret */
  seed?: string;
}
export type SigningKeyState = SigningKeyProps & {
  /** The signing key's public key. */
  publicKey: string;
  /** The seed: pass it as the `signerSeed` of what this key signs. @secret */
  seed: string;
  /** What the owner's JWT lists: the public key, or the scope around it. */
  ref: SigningKeyRef;
};

/** What Operator, Account and User take beyond their claims. */
export interface IdentityProps {
  /** The name in the JWT. */
  name: string;
  /** An identity to adopt; generated when absent. A different seed replaces the resource. @secret */
  seed?: string;
  /** With `seed`: an existing JWT, kept byte for byte while its claims match. */
  jwt?: string;
  /**
   * An identity whose seed lives elsewhere (nsc `add user -k`): only its public key. The JWT is
   * signed here by its issuer; no seed is stored and a user gets no creds output.
   */
  publicKey?: string;
  /**
   * Set by the provider's check, never by the program: how an adopted `jwt` differs from what the
   * inputs say, claim by claim. Present means `up` signs a new JWT instead of keeping the adopted one.
   */
  adoptionDrift?: Record<string, string>;
}

/** What signing an identity produced. */
export interface Signed {
  publicKey: string;
  /** Absent for an identity declared by its public key (its seed is held elsewhere). @secret */
  seed?: string;
  jwt: string;
  claimsHash: string;
  issuer: string;
}

/** Who signs an account or user: a seed, and whether it is the issuer's identity key. */
export interface IssuedProps {
  /**
   * The seed that signs: the issuer's identity seed, or one of its signing keys' seeds (a
   * SigningKey's `seed`). An account or user imported by its public key (`pulumi import`) may omit
   * it: it keeps the JWT it was imported with, and a change of its claims is refused until it is
   * given. @secret
   */
  signerSeed?: string;
  /** Set by the SDK when no signer was given: known during preview even when seeds are not. */
  signedByIdentity?: boolean;
}

export interface OperatorProps extends OperatorClaims, IdentityProps {}
export type OperatorState = OperatorProps & Signed;

/**
 * The decoded claims of an identity's JWT, an output of Operator, Account, User and ActivationToken
 * (derived from the JWT, kit/derived.ts; the TypeScript SDK derives them in its classes).
 */
export interface ClaimsOutput {
  /**
   * What the JWT says, decoded as `nsc describe --json` prints it (`sub`, `iss`, `name`, `iat`, `exp`,
   * `nats`: limits, permissions, exports, …); nothing here is verified or secret. An account's
   * `nats.revocations` map is summarised as `nats.revocationCount` (how many entries it holds), so
   * thousands of revocations are not stored twice in state; the `jwt` output holds them in full.
   */
  claims?: DescribedClaims;
}
/** An Operator's outputs as the native plugin returns them: the state plus the decoded `claims`. */
export type OperatorNativeOutputs = OperatorState & ClaimsOutput;

/**
 * How an account reaches the resolver. Each field given here overrides the provider configuration's
 * (`nats-auth:*`, kit/providerConfig.ts); each field left out is the provider's.
 */
export interface AccountResolver {
  /**
   * Server URLs, e.g. ["nats://127.0.0.1:4222"]; an empty list signs without pushing. Default: the
   * provider's `servers`.
   */
  servers?: string[];
  /** `.creds` of a system account user (a User's `creds`). Default: the provider's `creds`. @secret */
  creds?: string;
  /**
   * Fail unless this many full resolvers stored the JWT (default: every server that answers a ping,
   * in every cluster the gateways link, and every server an earlier push reached).
   */
  expectedServers?: Int;
  /**
   * Per cluster name, how many of its servers must store the JWT, e.g. `{ east: 3, west: 2 }`: a
   * cluster whose servers are down or cut off is then noticed even when no earlier push knew them.
   */
  expectedServersByCluster?: Record<string, Int>;
  /** On destroy: "delete" removes the JWT from the resolver (needs allow_delete), "retain" leaves it. */
  onDelete?: "delete" | "retain";
  timeoutMs?: Int;
  /** How long a push waits for every listed server to answer (servers still starting), in ms. */
  waitMs?: Int;
  /** TLS of the resolver connection. @secret */
  tls?: ResolverTls;
}

/**
 * The provider's configuration (`nats-auth:<key>` stack config, or the inputs of an explicit provider
 * resource): how Accounts reach their resolver, set once per environment. An Account's own `resolver`
 * overrides it field by field (kit/providerConfig.ts); the secret keys never enter a resource's state.
 */
export interface ProviderConfig {
  /**
   * Resolver server URLs (nats://, tls://, ws://, wss://) that Accounts are pushed to when their
   * `resolver` gives no `servers`; an empty list signs without pushing.
   */
  servers?: string[];
  /** The `.creds` text of a system account user, for the resolver connection. @secret */
  creds?: string;
  /** Fail a push unless this many servers took the JWT (default: every server that answers a ping). */
  expectedServers?: Int;
  /**
   * On destroy: "delete" (default) removes an account's JWT from the resolver (needs allow_delete),
   * "retain" leaves it.
   */
  onDelete?: "delete" | "retain";
  /** Upper bound in milliseconds for connecting to the resolver and for each request (default 5000). */
  timeoutMs?: Int;
  /** How long a push waits for every listed server to answer (servers still starting), in ms (default 0). */
  waitMs?: Int;
  /** File of the CA certificate the resolver servers' certificates are verified against. */
  tlsCaFile?: string;
  /** The CA certificate (PEM text). */
  tlsCa?: string;
  /** File of the client certificate (for servers that verify clients). */
  tlsCertFile?: string;
  /** The client certificate (PEM text). */
  tlsCert?: string;
  /** File of the client certificate's private key. */
  tlsKeyFile?: string;
  /** The client certificate's private key (PEM text). @secret */
  tlsKey?: string;
  /** TLS before the NATS INFO (servers with `handshake_first`). */
  tlsHandshakeFirst?: boolean;
}

/** A server that confirmed a push, as its reply named it. */
export interface PushedServer {
  id: string;
  name: string;
  cluster?: string;
}

export interface AccountProps extends AccountClaims, IdentityProps, IssuedProps {
  operatorPublicKey: string;
  operatorSigningKeys?: string[];
  /** The operator's strictSigningKeyUsage. */
  operatorStrict?: boolean;
  resolver?: AccountResolver;
  /** The Users of this account in the program (set by the SDK): a member that leaves is revoked. */
  members?: Member[];
  /** The ActivationTokens this account issued in the program (set by the SDK): one that leaves is revoked. */
  activations?: ActivationMember[];
  /**
   * The Accounts of the program this account imports from, directly or through their service imports
   * (set by the SDK): its imports from them are checked against their exports at preview.
   */
  peers?: AccountPeer[];
}
/** Props `P` with the signer wiring `F` packed under `signing`, as the SDK sends them (kit/wire.ts). */
type PackedSigning<P, F extends keyof P> = Omit<P, F> & { signing: Pick<P, F> };

/**
 * The account's signer wiring: the SDK sends these packed under `signing` (one input instead of
 * four, see kit/wire.ts; the signer seed stays an input of its own, a secret); handlers read them
 * flat, and outputs keep them flat (refresh checks the servers' trust with them).
 */
export const ACCOUNT_SIGNING_FIELDS = [
  "operatorPublicKey",
  "operatorSigningKeys",
  "operatorStrict",
  "signedByIdentity",
] as const satisfies readonly (keyof AccountProps)[];
type AccountSigningField = (typeof ACCOUNT_SIGNING_FIELDS)[number];
/** An Account's inputs as the SDK sends them. */
export type AccountInputs = PackedSigning<AccountProps, AccountSigningField>;
export type AccountState = AccountProps &
  Signed & {
    /** Claims hash of what the resolver holds ("" when it holds nothing). */
    pushedHash: string;
    /** How many servers hold the current JWT. */
    pushedTo: Int;
    /**
     * The full resolvers that stored the last push: id, name, cluster (absent in state written
     * before it existed). The next push expects each of them again (by id, or by name within its
     * cluster: ids change when a server restarts), so one that is down is named.
     */
    pushedServers?: PushedServer[];
    /**
     * Whether the servers may hold a JWT of this account: true once a push was sent to them or a
     * lookup found one there, false while neither happened (destroy then needs no server). Absent in
     * state written before it existed: unknown, so destroy asks the servers.
     */
    onServers?: boolean;
    /** Keys revoked because their User left the program (absent in 0.1.0 state). */
    removedUsers?: Record<string, RemovedUser>;
    /** Importers revoked from private exports because their ActivationToken left the program. */
    revokedActivations?: Record<string, RevokedActivation>;
    /** The times recorded for `revocations` given as "now". */
    revocationTimes?: Record<string, Int>;
    /** Set by refresh while the servers hold other claims than the stack's JWT: claim path → both values. */
    drift?: Record<string, string>;
  };

/**
 * An Account's outputs as the handler stores them: the state without `revocations`, which the inputs
 * hold already and the JWT carries (a second copy made state grow 2.5× the JWT; issue 26). State
 * written before holds it; nothing reads it from there.
 */
export type AccountOutputs = Omit<AccountState, "revocations">;

export interface UserProps extends UserClaims, IdentityProps, IssuedProps {
  accountPublicKey: string;
  /** The account's signing keys as its JWT lists them. */
  accountSigningKeys?: SigningKeyRef[];
  /** The operator's strictSigningKeyUsage (applies to users too). */
  operatorStrict?: boolean;
  /** Whether the signer is a scoped key (known at preview when the signer is a SigningKey resource). */
  signerScoped?: boolean;
  /** The account's explicit `revocations`: a revoked key is never signed again. */
  accountRevocations?: Record<string, RevocationTime>;
  /**
   * Keys the account revoked because their User left the program (its `removedUsers`): a key found
   * here is never signed again. The SDK passes only the entry of the user's own key, when there is
   * one; any superset works the same.
   */
  accountRemovedUsers?: Record<string, RemovedUser>;
  /**
   * The smallest `max_control_line` of the servers the user connects to (default 4096, the server's
   * default): the user JWT travels in the client's CONNECT line, which must fit it.
   */
  maxControlLine?: Int;
}
/**
 * The user's signer wiring: the SDK sends these packed under `signing` (one input instead of six,
 * see kit/wire.ts; the signer seed stays an input of its own, a secret); handlers read them flat,
 * and state keeps them, and the signer seed, only in the inputs.
 */
export const USER_SIGNING_FIELDS = [
  "accountPublicKey",
  "accountSigningKeys",
  "accountRevocations",
  "accountRemovedUsers",
  "operatorStrict",
  "signedByIdentity",
  "signerScoped",
] as const satisfies readonly (keyof UserProps)[];
type UserSigningField = (typeof USER_SIGNING_FIELDS)[number];
/** A User's inputs as the SDK sends them. */
export type UserInputs = PackedSigning<UserProps, UserSigningField>;
/** A User's outputs as the handler stores them (0.1.0 state also holds these fields flat). */
export type UserOutputs = Omit<UserState, UserSigningField | "signerSeed">;

/**
 * A User's outputs as the native plugin returns them: the stored outputs plus the `.creds` text,
 * derived from the JWT and the seed (kit/derived.ts). Languages other than TypeScript have no class
 * to derive it in, so the plugin returns it (encrypted in state, like the seed).
 */
export type UserNativeOutputs = UserOutputs &
  ClaimsOutput & {
    /** The `.creds` text (JWT and seed) clients read; absent for a user declared by `publicKey`. @secret */
    creds?: string;
  };
/** An Account's outputs as the native plugin returns them: the state plus the decoded `claims`. */
export type AccountNativeOutputs = AccountOutputs & ClaimsOutput;

/**
 * A user's state. The `.creds` text is not stored: it is the JWT and the seed, both in state already,
 * and the SDK's `User.creds` derives them into it (state written by earlier versions still holds a
 * `creds` output, which nothing reads). A user declared by its public key has no seed here.
 */
export type UserState = UserProps &
  Signed & {
    /**
     * Every JWT this User signed for its key: the keys that signed them and the latest expiry (absent
     * when one never expires). Recorded only for a key the User generated (none given as `seed` or
     * `publicKey`, no adopted `jwt`), from its first JWT on; absent otherwise and in state written
     * before it existed. An Account's `members` entry carries it, so a removed User's revocation can
     * leave the account JWT once all these JWTs expired or their signing keys left the account.
     */
    issued?: Issued;
    /**
     * Set by refresh once the JWT has expired (its ISO date): servers refuse it and its creds cannot
     * connect. Absent while the JWT is valid.
     */
    expired?: string;
  };

/** An activation token: the exporting account (or its signing key) lets one importer import a private export. */
export interface ActivationTokenProps extends ActivationClaimsInput, IssuedProps {
  /**
   * The seed that signs: the exporter's identity seed, or one of its signing keys' seeds (a
   * SigningKey's `seed`). @secret
   */
  signerSeed: string;
  /** The name in the JWT. */
  name: string;
  /** The exporting account's public key. */
  exporterPublicKey: string;
  /** The exporter's signing keys as its JWT lists them (the signer must be one, or the account key). */
  exporterSigningKeys?: SigningKeyRef[];
  /** The exporter's exports: the subject must lie inside a private one (checked at preview). */
  exporterExports?: Export[];
  /** The importing account's public key (the token's `sub`). */
  importer: string;
}
export type ActivationTokenState = ActivationTokenProps & {
  /** The activation JWT for the importer's `imports[].token`. @secret */
  token: string;
  /** The token's `iat`: removing the token revokes the importer's tokens issued at or before it. */
  issuedAt: Int;
  /** Public key that signed the token. */
  issuer: string;
  claimsHash: string;
};
/** An ActivationToken's outputs as the native plugin returns them: the state plus the decoded `claims`. */
export type ActivationTokenNativeOutputs = ActivationTokenState & ClaimsOutput;

export interface LeafRemoteProps extends LeafRemoteInputs {
  /**
   * Take over a file already at `credentialsPath` that this stack did not write (its content is replaced,
   * and destroy removes it). Without it such a file is refused, at preview when it can be told.
   */
  overwrite?: boolean;
}
export interface LeafRemoteState extends LeafRemoteProps {
  remote: LeafRemoteSpec;
  credentialsHash: string;
}

/** An account written into `resolver_preload`: its public key and JWT (an Account's outputs). */
export interface PreloadAccount {
  publicKey: string;
  jwt: string;
}

export interface ServerConfigProps extends ServerConfigSpec {
  /** Write the config here too. */
  path?: string;
  /**
   * The monitoring endpoint of the server running this config (`http://host:<httpPort>`): create,
   * update and refresh ask its `/varz` which operator it runs, for `restartRequired`. Not written
   * into the config.
   */
  monitorUrl?: string;
  /**
   * Accounts added to `preload` by their public key and JWT, for programs that cannot build a map
   * keyed by another resource's output (YAML): `[{publicKey: ${sys.publicKey}, jwt: ${sys.jwt}}]`.
   */
  preloadAccounts?: PreloadAccount[];
  /**
   * Take over a file already at the path that this stack did not write (its content is replaced,
   * and destroy removes it). Without it such a file is refused, at preview when it can be told.
   */
  overwrite?: boolean;
}
export interface ServerConfigState extends ServerConfigProps {
  /** The config file text. @secret */
  text: string;
  fileInSync: boolean;
  /**
   * Whether the server must restart to run this config's operator (nats-server cannot reload
   * operators). With `monitorUrl` and the server answering: true exactly while it trusts another
   * operator configuration than the declared one (its varz says). Otherwise: true from an update that
   * changed the operator's keys until a server check says it runs them. Absent in 0.1.0 state (false).
   */
  restartRequired?: boolean;
}

/**
 * The inputs of the OperatorWithSystemAccount component on the native plugin (`construct`): an
 * operator, its system account (its key a KeyPair, so the operator JWT can name it) and a system user,
 * like `nsc add operator --sys`.
 */
export interface OperatorWithSystemAccountProps {
  /** The operator's name in its JWT (default: the resource name). */
  name?: string;
  /** Generate an operator signing key and sign the system account with it, and a system account signing key for its user (nsc `--generate-signing-key`). */
  generateSigningKey?: boolean;
  /** Accounts and users must be signed by signing keys (needs generateSigningKey). */
  strictSigningKeyUsage?: boolean;
  /** Name of the system account (default "SYS"). */
  systemAccountName?: string;
  /** Name of the system user (default "sys"). */
  systemUserName?: string;
  /** The system account's exports: "nsc" (default, the two monitoring exports nsc writes) or "none". */
  systemAccountExports?: "nsc" | "none";
  /** Push the system account to a resolver too (it is usually preloaded in the server config instead). */
  resolver?: AccountResolver;
  /**
   * Also make a least-privilege system user for resolver pushes: it may publish only
   * `$SYS.REQ.SERVER.PING`, `$SYS.REQ.SERVER.PING.VARZ`, `$SYS.REQ.CLAIMS.UPDATE`,
   * `$SYS.REQ.CLAIMS.DELETE` and `$SYS.REQ.ACCOUNT.*.CLAIMS.LOOKUP`, and subscribe only to `_INBOX.>`.
   * Give its `resolverUserCreds` to an Account's `resolver` instead of `systemUserCreds`.
   */
  resolverUser?: boolean;
  /** Name of the resolver user (default "resolver"). */
  resolverUserName?: string;
  /**
   * Keep an existing deployment's identities (e.g. made by `nsc add operator --sys`) instead of
   * generating new ones. Its values must be known at preview (config, not other resources' outputs):
   * which signing keys it brings decides which children exist.
   */
  adopt?: OperatorWithSystemAccountAdoption;
}

/** An existing identity to keep: its seed and, for those that have one, its JWT. */
export interface AdoptedIdentity {
  /** The identity's seed. @secret */
  seed: string;
  /** Its JWT, kept byte for byte while its claims match what the component declares. */
  jwt?: string;
}
/** An existing signing key to keep. */
export interface AdoptedSigningKey {
  /** The signing key's seed. @secret */
  seed: string;
}
/** The identities of an existing deployment an OperatorWithSystemAccount adopts. */
export interface OperatorWithSystemAccountAdoption {
  operator: AdoptedIdentity;
  /** The operator signing key that signed the system account. */
  signingKey?: AdoptedSigningKey;
  systemAccount: AdoptedIdentity;
  /** The system account's signing key that signed the system user. */
  systemAccountSigningKey?: AdoptedSigningKey;
  systemUser: AdoptedIdentity;
}
/** The outputs of the OperatorWithSystemAccount component. */
export interface OperatorWithSystemAccountOutputs {
  operatorPublicKey: string;
  operatorJwt: string;
  /** The operator seed: an Account's `signerSeed` when there is no signing key. @secret */
  operatorSeed: string;
  /** The operator signing key's public key (with generateSigningKey): an Account's `operatorSigningKeys`. */
  signingKeyPublicKey?: string;
  /** The operator signing key's seed (with generateSigningKey): an Account's `signerSeed`. @secret */
  signingKeySeed?: string;
  systemAccountPublicKey: string;
  /** The system account JWT (a ServerConfig's `preloadAccounts`). */
  systemAccountJwt: string;
  /** `.creds` of the system user (an Account's `resolver.creds`). @secret */
  systemUserCreds: string;
  /** The resolver user's public key (with resolverUser). */
  resolverUserPublicKey?: string;
  /** `.creds` of the least-privilege resolver user (with resolverUser): an Account's `resolver.creds`. @secret */
  resolverUserCreds?: string;
}

export interface CredsFileProps {
  /** Absolute path of the file (the SDK resolves a relative one against the program's directory). */
  path: string;
  /** The `.creds` text (a User's `creds`). @secret */
  creds: string;
  /**
   * Take over a file already at the path that this stack did not write (its content is replaced,
   * and destroy removes it). Without it such a file is refused, at preview when it can be told.
   */
  overwrite?: boolean;
}
export interface CredsFileState extends CredsFileProps {
  /** Digest of what was written; "drifted" after a refresh found the file changed or loosened. */
  contentHash: string;
}

export interface NatsContextProps extends NatsContextSpec {
  /** The context name (`nats --context <name>`). */
  name: string;
  /** natscli's config home ($XDG_CONFIG_HOME or ~/.config, resolved by the SDK). */
  configHome: string;
  /**
   * Take over a file already at the path that this stack did not write (its content is replaced,
   * and destroy removes it). Without it such a file is refused, at preview when it can be told.
   */
  overwrite?: boolean;
}
export interface NatsContextState extends NatsContextProps {
  /** The context file: `<configHome>/nats/context/<name>.json`. */
  path: string;
  /** The JSON written there. */
  text: string;
  /** False after a refresh found the file changed, removed or loosened. */
  fileInSync: boolean;
}
