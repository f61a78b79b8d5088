/**
 * The one description of the OperatorWithSystemAccount composition (`nsc add operator --sys`), read by
 * both front ends: the TypeScript SDK's class (sdk/operatorWithSystemAccount.ts) and the native
 * plugin's component (plugin/component.ts, served through `construct` to YAML/Go/Python). Which
 * children exist, their resource names, the defaults, who signs whom and the resolver user's
 * permissions are decided here only, so both build the same graph; each front end only turns the
 * roles into its own resource objects.
 */
import type { Export, Permission } from "../core/claimInputs";
import {
  RESOLVER_USER_PERMISSIONS,
  type SystemAccountExports,
  systemAccountExports,
} from "../core/systemAccount";

/** The children of the component, by role. */
export type SystemAccountRole =
  | "signingKey"
  | "systemAccountKey"
  | "systemAccountSigningKey"
  | "operator"
  | "systemAccount"
  | "systemUser"
  | "resolverUser";

/** What decides the shape of the graph (everything else is passed through to the children). */
export interface SystemAccountChoices<N> {
  /** Generate the operator and system account signing keys. */
  generateSigningKey?: boolean;
  /** Which signing keys an adoption brings (their seeds are adopted instead of generated). */
  adopt?: { signingKey?: unknown; systemAccountSigningKey?: unknown };
  systemAccountName?: N;
  systemUserName?: N;
  systemAccountExports?: SystemAccountExports;
  /** `true` or the resolver user's name (TypeScript), or `true` with `resolverUserName` (schema). */
  resolverUser?: boolean | string;
  resolverUserName?: N;
}

/** The graph both front ends build. */
export interface SystemAccountPlan<N> {
  /** The resource name of each child (a child absent from the graph keeps its name here, unused). */
  names: Record<SystemAccountRole, string>;
  /** The children present in the graph, in the order they are declared. */
  children: SystemAccountRole[];
  /** The system account's name in its JWT (default "SYS"). */
  systemAccountName: N | string;
  /** The system user's name (default "sys"). */
  systemUserName: N | string;
  /** The resolver user's name (default "resolver"), when it is in the graph. */
  resolverUserName?: N | string;
  systemAccountExports: Export[] | undefined;
  /** Who signs the system account: the operator signing key when there is one, else the operator. */
  systemAccountSigner: "signingKey" | "operator";
  /** Who signs the system users: the system account signing key when there is one, else its key. */
  userSigner: "systemAccountSigningKey" | "systemAccountKey";
  /** The resolver user's permissions: push, refresh and delete accounts, nothing else of SYS. */
  resolverUserPermissions: { pub: Permission; sub: Permission };
}

export function planOperatorWithSystemAccount<N>(
  name: string,
  c: SystemAccountChoices<N>,
): SystemAccountPlan<N> {
  const signingKey = c.adopt?.signingKey !== undefined || c.generateSigningKey === true;
  const systemAccountSigningKey =
    c.adopt?.systemAccountSigningKey !== undefined || c.generateSigningKey === true;
  const resolverUser =
    c.resolverUser === true || (typeof c.resolverUser === "string" && c.resolverUser !== "");
  const present: Record<SystemAccountRole, boolean> = {
    signingKey,
    systemAccountKey: true,
    systemAccountSigningKey,
    operator: true,
    systemAccount: true,
    systemUser: true,
    resolverUser,
  };
  const order: SystemAccountRole[] = [
    "signingKey",
    "systemAccountKey",
    "systemAccountSigningKey",
    "operator",
    "systemAccount",
    "systemUser",
    "resolverUser",
  ];
  return {
    names: {
      signingKey: `${name}-sk`,
      systemAccountKey: `${name}-sys-key`,
      systemAccountSigningKey: `${name}-sys-sk`,
      operator: name,
      systemAccount: `${name}-sys`,
      systemUser: `${name}-sys-user`,
      resolverUser: `${name}-resolver-user`,
    },
    children: order.filter((r) => present[r]),
    systemAccountName: c.systemAccountName ?? "SYS",
    systemUserName: c.systemUserName ?? "sys",
    resolverUserName: resolverUser
      ? typeof c.resolverUser === "string"
        ? c.resolverUser
        : (c.resolverUserName ?? "resolver")
      : undefined,
    systemAccountExports: systemAccountExports(c.systemAccountExports),
    systemAccountSigner: signingKey ? "signingKey" : "operator",
    userSigner: systemAccountSigningKey ? "systemAccountSigningKey" : "systemAccountKey",
    resolverUserPermissions: {
      pub: { allow: [...RESOLVER_USER_PERMISSIONS.pub] },
      sub: { allow: [...RESOLVER_USER_PERMISSIONS.sub] },
    },
  };
}

/**
 * The system account's resolver with its delete default: servers refuse to delete the system account
 * ("not allowed to delete system account"), so by default destroy leaves it on them rather than fail
 * there. Both front ends (the TS class, the native component) pass the system account this.
 */
export function systemAccountResolver<R extends { onDelete?: unknown }>(
  resolver: R | undefined,
): R | undefined {
  return resolver && { ...resolver, onDelete: resolver.onDelete ?? "retain" };
}

/**
 * The system account's resolver on the native plugin: as above, and without one of its own an
 * explicit empty server list, so the provider configuration's servers (kit/providerConfig.ts) never
 * push it: it is preloaded in the server config, and servers refuse to delete it on destroy.
 */
export function nativeSystemAccountResolver<R extends { onDelete?: unknown }>(
  resolver: R | undefined,
): R | { servers: string[] } {
  return systemAccountResolver(resolver) ?? { servers: [] };
}
