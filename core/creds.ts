/** The `.creds` text NATS clients read: a user JWT and its seed in armored blocks. */
import { ConfigError } from "./errors";

/** The standard `.creds` text NATS clients read. */
export function formatCreds(jwt: string, seed: string): string {
  return `-----BEGIN NATS USER JWT-----
${jwt}
------END NATS USER JWT------

************************* IMPORTANT *************************
NKEY Seed printed below can be used to sign and prove identity.
NKEYs are sensitive and should be treated as secrets.

-----BEGIN USER NKEY SEED-----
${seed}
------END USER NKEY SEED------

*************************************************************
`;
}

/** Splits `.creds` text into its JWT and seed. */
export function parseCreds(text: string): { jwt: string; seed: string } {
  const blocks = [...text.matchAll(/-{3,}[^\n]*-{3,}\r?\n([\s\S]*?)\r?\n\s*-{3,}[^\n]*-{3,}/g)].map((m) =>
    m[1].trim(),
  );
  if (blocks.length < 2)
    throw new ConfigError("creds", "not a .creds text (expected a JWT block and a seed block)");
  return { jwt: blocks[0], seed: blocks[1] };
}
