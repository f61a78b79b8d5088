/**
 * The system account as `nsc add operator --sys` makes it, so an operator made here and one made by
 * nsc describe the same SYS (and an adopted nsc SYS JWT is kept as it is).
 */
import type { Export } from "./claimInputs";

const SYS_ACCOUNTS_DOCS = "https://docs.nats.io/nats-server/configuration/sys_accounts";

/**
 * The two exports nsc gives SYS (as `nsc describe account SYS --json` of nsc 2.12 shows them): other
 * accounts may import their own monitoring stream and request their own monitoring services.
 */
export const NSC_SYSTEM_ACCOUNT_EXPORTS: readonly Export[] = [
  {
    name: "account-monitoring-streams",
    subject: "$SYS.ACCOUNT.*.>",
    type: "stream",
    accountTokenPosition: 3,
    description: "Account specific monitoring stream",
    infoUrl: SYS_ACCOUNTS_DOCS,
  },
  {
    name: "account-monitoring-services",
    subject: "$SYS.REQ.ACCOUNT.*.*",
    type: "service",
    responseType: "Stream",
    accountTokenPosition: 4,
    description: "Request account specific monitoring services for: SUBSZ, CONNZ, LEAFZ, JSZ and INFO",
    infoUrl: SYS_ACCOUNTS_DOCS,
  },
];

/** Which exports the system account gets: nsc's two, or none (what 0.1.0 of this package wrote). */
export type SystemAccountExports = "nsc" | "none";

export function systemAccountExports(choice: SystemAccountExports | undefined): Export[] | undefined {
  return (choice ?? "nsc") === "nsc" ? NSC_SYSTEM_ACCOUNT_EXPORTS.map((e) => ({ ...e })) : undefined;
}

/**
 * What a system-account user needs to keep accounts in step with the resolvers, and nothing more:
 * count the servers (`SERVER.PING`), learn whom they trust (`SERVER.PING.VARZ`), push and delete
 * account JWTs (`CLAIMS.UPDATE`, `CLAIMS.DELETE`), look them up at refresh
 * (`ACCOUNT.*.CLAIMS.LOOKUP`), and receive the replies (`_INBOX.>`).
 */
export const RESOLVER_USER_PERMISSIONS = {
  pub: [
    "$SYS.REQ.SERVER.PING",
    "$SYS.REQ.SERVER.PING.VARZ",
    "$SYS.REQ.CLAIMS.UPDATE",
    "$SYS.REQ.CLAIMS.DELETE",
    "$SYS.REQ.ACCOUNT.*.CLAIMS.LOOKUP",
  ],
  sub: ["_INBOX.>"],
} as const;
