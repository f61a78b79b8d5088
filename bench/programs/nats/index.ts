/**
 * The package's program of the benchmark: an operator with its system account, BENCH_ACCOUNTS accounts
 * each with its own signing key (and generated key pair), BENCH_USERS users per account signed by it.
 * No resolver: the CLI steps measure signing, state and the engine, not a network.
 */
import { Account, OperatorWithSystemAccount, SigningKey, User } from "pulumi-nats-auth";
import { benchSize, firstAccountConn } from "../../size";

const { accounts, users } = benchSize();
const org = new OperatorWithSystemAccount("bench", { generateSigningKey: true, strictSigningKeyUsage: true });
for (let a = 0; a < accounts; a++) {
  const sk = new SigningKey(`a${a}-sk`, { owner: "account" });
  const account = new Account(`a${a}`, {
    operator: org.operator,
    signer: org.signingKey,
    signingKeys: [sk],
    limits: { conn: a === 0 ? firstAccountConn() : 100, subs: 1000 },
  });
  for (let u = 0; u < users; u++) {
    new User(`a${a}-u${u}`, {
      account,
      signer: sk,
      pub: { allow: [`a${a}.u${u}.>`] },
      sub: { allow: ["_INBOX.>"] },
    });
  }
}
