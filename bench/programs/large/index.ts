/**
 * The large-account program of the benchmark (issue 26): an operator with its system account and one
 * account, signed by the operator's signing key, with BENCH_USERS users signed by the account's
 * signing key; BENCH_REVOCATIONS_FILE (a JSON map of user key to unix seconds) gives the account
 * that many explicit revocations. Run with and without the file: the same graph, the revocations the
 * only difference. BENCH_CHANGE=1 changes the account's connection limit (the one-change steps).
 */
import * as fs from "node:fs";
import { Account, OperatorWithSystemAccount, SigningKey, User } from "pulumi-nats-auth";
import { benchSize, firstAccountConn } from "../../size";

const { users } = benchSize();
const file = process.env.BENCH_REVOCATIONS_FILE;
const revocations = file ? (JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, number>) : undefined;
const org = new OperatorWithSystemAccount("bench", { generateSigningKey: true, strictSigningKeyUsage: true });
const sk = new SigningKey("big-sk", { owner: "account" });
const account = new Account("big", {
  operator: org.operator,
  signer: org.signingKey,
  signingKeys: [sk],
  limits: { conn: firstAccountConn(), subs: 1000 },
  revocations,
});
for (let u = 0; u < users; u++) {
  new User(`big-u${u}`, {
    account,
    signer: sk,
    pub: { allow: [`big.u${u}.>`] },
    sub: { allow: ["_INBOX.>"] },
  });
}
export const jwtBytes = account.jwt.apply((j) => Buffer.byteLength(j));
