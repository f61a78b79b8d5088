/**
 * An nsc store as a Pulumi program (`import-nsc`): from the store's decoded JWTs to the text of a
 * JavaScript program declaring every identity with this package's resources, adopted (seed from the
 * stack config, JWT as nsc signed it) so `pulumi up` replaces nothing and re-signs nothing whose
 * claims round-trip. Pure: the store is read and the files are written elsewhere (io/, cli/).
 *
 * JavaScript rather than TypeScript: the generated project runs as written with any Node.js
 * language host, including the older one this repository's tools carry (see docs/internals.md, "Toolchain notes").
 */
import type { SigningKeyRef } from "./claimInputs";
import { accountClaims, userClaims, type WireClaims } from "./claims";
import { accountInputs, operatorInputs, rebuild, unexpressed, userInputs } from "./claimsFromJwt";
import { NSC_SYSTEM_ACCOUNT_EXPORTS } from "./systemAccount";

/** One identity of the store: its JWT as stored, and the claims decoded from it. */
export interface StoredIdentity {
  jwt: string;
  claims: WireClaims;
}
export interface StoredAccount extends StoredIdentity {
  users: StoredIdentity[];
}
export interface NscStoreContents {
  operator: StoredIdentity;
  accounts: StoredAccount[];
}

export interface ProgramOptions {
  /** Whether the keys dir holds the seed of this public key. */
  hasSeed: (publicKey: string) => boolean;
  /**
   * What the project's package.json asks npm for as this package: the importer's own tarball copied
   * into the project (`file:vendor/pulumi-nats-auth-<version>.tgz`, since the package is on no
   * registry yet), or whatever `--package` said (a registry range once it is published).
   */
  packageSpec: string;
}

export interface GeneratedProgram {
  /** index.js */
  program: string;
  /** Public keys whose seeds the program reads from the stack config (`seeds.<key>`). */
  seeds: string[];
  /** What could not be expressed or imported, one line each (also written to MIGRATION.md). */
  notes: string[];
}

/** The packages the generated program loads (and its package.json depends on). */
const MODULES = { pulumi: "@pulumi/pulumi", sdk: "pulumi-nats-auth" } as const;

/** Source text inserted as is into the generated program (a reference, a call). */
class Code {
  constructor(readonly text: string) {}
}
const code = (text: string) => new Code(text);

const IDENT = /^[A-Za-z_$][\w$]*$/;

/** A JavaScript literal of `value`, indented by `indent` levels; `Code` is inserted verbatim. */
export function literal(value: unknown, indent = 0): string {
  const pad = "  ".repeat(indent + 1);
  const end = "  ".repeat(indent);
  if (value instanceof Code) return value.text;
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    const items = value.map((v) => literal(v, indent + 1));
    const flat = `[${items.join(", ")}]`;
    return flat.length <= 80 && !flat.includes("\n")
      ? flat
      : `[\n${items.map((i) => `${pad}${i},`).join("\n")}\n${end}]`;
  }
  if (value && typeof value === "object") {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    if (entries.length === 0) return "{}";
    const items = entries.map(
      ([k, v]) => `${IDENT.test(k) ? k : JSON.stringify(k)}: ${literal(v, indent + 1)}`,
    );
    const flat = `{ ${items.join(", ")} }`;
    return flat.length <= 80 && !flat.includes("\n")
      ? flat
      : `{\n${items.map((i) => `${pad}${i},`).join("\n")}\n${end}}`;
  }
  return JSON.stringify(value);
}

/** Unique JavaScript identifiers and Pulumi resource names. */
class Names {
  #used = new Set<string>();
  unique(wanted: string): string {
    let name = wanted;
    for (let i = 2; this.#used.has(name); i++) name = `${wanted}${i}`;
    this.#used.add(name);
    return name;
  }
  variable(prefix: string, name: string): string {
    const base = `${prefix}_${name.replace(/[^\w$]/g, "_")}`;
    return this.unique(base);
  }
}

function keyOf(ref: SigningKeyRef): string {
  return typeof ref === "string" ? ref : ref.key;
}

/** How the generated program declares the operator, SYS and the sys user. */
interface Head {
  lines: string[];
  /** Expression of the Operator resource, and of each operator signing key by public key. */
  operator: string;
  /** The operator's public key. */
  operatorKey: string;
  /** Whether the operator demands signing keys (nsc `--require-signing-keys`) of accounts and users. */
  strict: boolean;
  operatorSigners: Map<string, string>;
  /** Accounts and users the head already declares. */
  declared: Set<string>;
  /** Expression of the system account resource and of its signing keys, when declared by the head. */
  systemAccount?: { expr: string; signers: Map<string, string> };
  /** Expression of the system user (its creds reach the resolver). */
  systemUser?: string;
}

/**
 * Generates the program. Every account and user whose seed (and whose signer's seed) is in the keys
 * dir is declared; the others are listed in `notes`.
 */
export function nscProgram(store: NscStoreContents, opts: ProgramOptions): GeneratedProgram {
  const notes: string[] = [];
  const seeds = new Set<string>();
  const names = new Names();
  const seedOf = (publicKey: string) => {
    seeds.add(publicKey);
    return code(`seed(${JSON.stringify(publicKey)})`);
  };
  const op = store.operator.claims;
  const report = (what: string, c: WireClaims) => {
    const missing = unexpressed(c, rebuildFor(c, store));
    if (missing.length) {
      notes.push(
        `${what}: the claims ${missing.join(", ")} have no input in pulumi-nats-auth; ` +
          "`pulumi up` re-signs this JWT without them (and pushes it, for accounts)",
      );
    }
  };

  const head = systemHead(store, opts, names, seedOf) ?? genericHead(store, opts, names, seedOf, notes);
  report(`operator "${op.name}"`, op);
  const body: string[] = [...head.lines];

  // The resolver the accounts are pushed to needs a system user's creds: the head's, or (generic
  // path) a user of SYS declared below, which is why SYS comes first.
  let systemUser = head.systemUser;
  let resolverDeclared = false;
  const declareResolver = () => {
    if (!systemUser || resolverDeclared) return;
    resolverDeclared = true;
    body.push(
      "",
      "// The resolver the accounts are pushed to: the stack config's servers, reached as the system user.",
      '// "retain": destroying the stack leaves the accounts on the servers (nsc\'s configs set allow_delete: false).',
      `const resolver = { servers, creds: ${systemUser}.creds, onDelete: "retain" };`,
    );
  };
  if (head.systemAccount) declareResolver();

  const outputs: string[] = [];
  const sysKey = op.nats.system_account;
  const sysFirst = [...store.accounts].sort(
    (a, b) => Number(b.claims.sub === sysKey) - Number(a.claims.sub === sysKey),
  );
  for (const account of sysFirst) {
    const c = account.claims;
    const isSys = c.sub === sysKey;
    if (!isSys) declareResolver();
    let accountExpr: string;
    let signers: Map<string, string>;
    if (isSys && head.systemAccount) {
      accountExpr = head.systemAccount.expr;
      signers = head.systemAccount.signers;
    } else {
      const resolver = !isSys && resolverDeclared ? "resolver" : undefined;
      const declared = declareAccount(account, head, opts, names, seedOf, notes, resolver);
      if (!declared) continue;
      report(`account "${c.name}"`, c);
      body.push("", ...declared.lines);
      accountExpr = declared.expr;
      signers = declared.signers;
    }
    if (!isSys) {
      outputs.push(
        `    ${literal(c.name)}: { publicKey: ${accountExpr}.publicKey, jwt: ${accountExpr}.jwt, pushedTo: ${accountExpr}.pushedTo },`,
      );
    }
    const sysUsers: { name: string; variable: string }[] = [];
    for (const user of account.users) {
      if (head.declared.has(user.claims.sub)) continue;
      // Users of SYS get a variable: one of them may carry the resolver's connection.
      const variable =
        isSys && !systemUser ? names.variable("user", `${c.name}_${user.claims.name}`) : undefined;
      const lines = declareUser(
        account,
        user,
        accountExpr,
        signers,
        opts,
        names,
        seedOf,
        notes,
        head.strict,
        variable,
      );
      if (!lines) continue;
      report(`user "${user.claims.name}" of account "${c.name}"`, user.claims);
      body.push(...lines);
      if (variable) sysUsers.push({ name: user.claims.name, variable });
    }
    if (isSys && !systemUser) {
      systemUser = (sysUsers.find((u) => u.name === "sys") ?? sysUsers[0])?.variable;
    }
  }
  if (!systemUser) {
    notes.push(
      "no user of the system account could be adopted: accounts are declared without a resolver (not pushed); " +
        "add `resolver: { servers, creds: <a system user>.creds }` to push them",
    );
  }

  const program = `"use strict";
// Generated by \`pulumi-nats-auth import-nsc\` from the nsc store of operator ${JSON.stringify(op.name)}.
// Every identity keeps its key (seeds are secrets in the stack config, under \`seeds\`) and its JWT as
// nsc signed it while the declared claims match. See MIGRATION.md.
const pulumi = require(${JSON.stringify(MODULES.pulumi)});
const { Account, Operator, OperatorWithSystemAccount, SigningKey, User } = require(${JSON.stringify(MODULES.sdk)});

const config = new pulumi.Config();
// Servers whose resolver holds the account JWTs (pulumi config set --path 'servers[0]' nats://...).
const servers = config.getObject("servers") ?? [];
const seeds = config.requireSecretObject("seeds");
/** The seed of \`publicKey\`, a secret from the stack config. */
const seed = (publicKey) =>
  seeds.apply((all) => {
    const s = all[publicKey];
    if (typeof s !== "string") throw new Error(\`stack config seeds.\${publicKey} is missing: see MIGRATION.md\`);
    return s.trim();
  });

${body.join("\n")}

module.exports = {
  operatorJwt: ${head.operator}.jwt,
  systemAccount: ${head.operator}.systemAccount,
  accounts: {
${outputs.join("\n")}
  },
};
`;
  return { program, seeds: [...seeds], notes };
}

/** The claims the generated inputs re-build for `c` (users: scoped when their signer is a scoped key). */
function rebuildFor(c: WireClaims, store: NscStoreContents): WireClaims {
  if (c.nats.type === "operator") return rebuild.operator(c);
  if (c.nats.type === "account") return rebuild.account(c);
  const account = store.accounts.find((a) => a.claims.sub === (c.nats.issuer_account ?? c.iss));
  const ref = account
    ? accountInputs(account.claims).signingKeys?.find((k) => keyOf(k) === c.iss)
    : undefined;
  return rebuild.user(c, ref !== undefined && typeof ref !== "string");
}

type SeedRef = (publicKey: string) => Code;

/**
 * The operator, SYS and sys user as one `OperatorWithSystemAccount` with `adopt`, when the store's
 * are what `nsc add operator --sys` (with or without `--generate-signing-key`) makes: SYS carries
 * nothing but nsc's exports (or none) and at most one signing key, and a user of SYS carries no
 * claims of its own. Undefined otherwise.
 */
function systemHead(
  store: NscStoreContents,
  opts: ProgramOptions,
  names: Names,
  seedOf: SeedRef,
): Head | undefined {
  const op = store.operator.claims;
  const sysKey = op.nats.system_account;
  const sys = store.accounts.find((a) => a.claims.sub === sysKey);
  if (!sys || !opts.hasSeed(op.sub) || !opts.hasSeed(sys.claims.sub)) return undefined;
  const opKeys = operatorInputs(op).signingKeys ?? [];
  const s = sys.claims;
  // The component lists its own signing key first.
  const opSk = s.iss === op.sub ? undefined : s.iss === opKeys[0] && opts.hasSeed(s.iss) ? s.iss : null;
  if (opSk === null) return undefined;
  const sysKeys = accountInputs(s).signingKeys ?? [];
  if (
    sysKeys.length > 1 ||
    (sysKeys[0] !== undefined && (typeof sysKeys[0] !== "string" || !opts.hasSeed(sysKeys[0])))
  ) {
    return undefined;
  }
  const sysSk = sysKeys[0] as string | undefined;
  const choice = (["nsc", "none"] as const).find(
    (x) =>
      unexpressed(
        s,
        accountClaims(s.name, s.sub, s.iss, {
          exports: x === "nsc" ? [...NSC_SYSTEM_ACCOUNT_EXPORTS] : undefined,
          signingKeys: sysKeys.length ? sysKeys : undefined,
        }),
      ).length === 0,
  );
  if (!choice) return undefined;
  const userSigner = sysSk ?? s.sub;
  const sysUser = sys.users.find(
    (u) =>
      u.claims.iss === userSigner &&
      opts.hasSeed(u.claims.sub) &&
      unexpressed(
        u.claims,
        userClaims(
          u.claims.name,
          u.claims.sub,
          u.claims.iss,
          {},
          { issuerAccount: sysSk ? s.sub : undefined },
        ),
      ).length === 0,
  );
  if (!sysUser) return undefined;

  const name = names.unique(op.name);
  const v = names.variable("ops", op.name);
  const extras: unknown[] = [];
  const operatorSigners = new Map<string, string>();
  if (opSk) operatorSigners.set(opSk, `${v}.signingKey`);
  const lines: string[] = [];
  for (const [i, key] of opKeys.entries()) {
    if (key === opSk) continue;
    if (opts.hasSeed(key)) {
      const kv = names.variable("operatorKey", `${op.name}_${i + 1}`);
      lines.push(
        `const ${kv} = new SigningKey(${literal(names.unique(`${op.name}-sk${i + 1}`))}, { owner: "operator", seed: seed(${JSON.stringify(key)}) });`,
      );
      seedOf(key);
      operatorSigners.set(key, kv);
      extras.push(code(kv));
    } else {
      extras.push(key);
    }
  }
  const { signingKeys: _sk, systemAccount: _sa, ...claims } = operatorInputs(op);
  const args = {
    name: op.name,
    ...claims,
    signingKeys: extras.length ? extras : undefined,
    systemAccountName: s.name,
    systemUserName: sysUser.claims.name,
    systemAccountExports: choice,
    adopt: {
      operator: { seed: seedOf(op.sub), jwt: store.operator.jwt },
      signingKey: opSk ? { seed: seedOf(opSk) } : undefined,
      systemAccount: { seed: seedOf(s.sub), jwt: sys.jwt },
      systemAccountSigningKey: sysSk ? { seed: seedOf(sysSk) } : undefined,
      systemUser: { seed: seedOf(sysUser.claims.sub), jwt: sysUser.jwt },
    },
  };
  lines.push(
    `// The operator, its signing key, the system account ${JSON.stringify(s.name)} and its user ${JSON.stringify(sysUser.claims.name)}, adopted.`,
    `const ${v} = new OperatorWithSystemAccount(${literal(name)}, ${literal(args)});`,
  );
  const sysSigners = new Map<string, string>();
  if (sysSk) sysSigners.set(sysSk, `${v}.systemAccountSigningKey`);
  return {
    lines,
    operator: `${v}.operator`,
    operatorKey: op.sub,
    strict: op.nats.strict_signing_key_usage === true,
    operatorSigners,
    declared: new Set([op.sub, s.sub, sysUser.claims.sub]),
    systemAccount: { expr: `${v}.systemAccount`, signers: sysSigners },
    systemUser: `${v}.systemUser`,
  };
}

/** The operator and its signing keys as plain resources (SYS is then declared like any account). */
function genericHead(
  store: NscStoreContents,
  opts: ProgramOptions,
  names: Names,
  seedOf: SeedRef,
  notes: string[],
): Head {
  const op = store.operator.claims;
  const lines: string[] = [];
  const operatorSigners = new Map<string, string>();
  const keys: unknown[] = [];
  for (const [i, key] of (operatorInputs(op).signingKeys ?? []).entries()) {
    if (!opts.hasSeed(key)) {
      notes.push(`operator signing key ${key}: no seed in the keys dir; accounts it signed are not imported`);
      keys.push(key);
      continue;
    }
    const kv = names.variable("operatorKey", `${op.name}_${i + 1}`);
    lines.push(
      `const ${kv} = new SigningKey(${literal(names.unique(`${op.name}-sk${i + 1}`))}, { owner: "operator", seed: ${seedOf(key).text} });`,
    );
    operatorSigners.set(key, kv);
    keys.push(code(kv));
  }
  if (!opts.hasSeed(op.sub)) {
    notes.push(
      `operator "${op.name}": no seed in the keys dir; the program cannot adopt it (a new operator key would replace it)`,
    );
  }
  const v = names.variable("operator", op.name);
  const { signingKeys: _sk, ...claims } = operatorInputs(op);
  const args = {
    name: op.name,
    ...claims,
    signingKeys: keys.length ? keys : undefined,
    seed: seedOf(op.sub),
    jwt: store.operator.jwt,
  };
  lines.push(`const ${v} = new Operator(${literal(names.unique(op.name))}, ${literal(args)});`);
  return {
    lines,
    operator: v,
    operatorKey: op.sub,
    strict: op.nats.strict_signing_key_usage === true,
    operatorSigners,
    declared: new Set([op.sub]),
  };
}

/** Declares an account and its signing keys; undefined (with a note) when it cannot be adopted. */
function declareAccount(
  account: StoredAccount,
  head: Head,
  opts: ProgramOptions,
  names: Names,
  seedOf: SeedRef,
  notes: string[],
  resolver: string | undefined,
): { lines: string[]; expr: string; signers: Map<string, string> } | undefined {
  const c = account.claims;
  if (!opts.hasSeed(c.sub)) {
    notes.push(`account "${c.name}" (${c.sub}): no seed in the keys dir; not imported, nor are its users`);
    return undefined;
  }
  const signer = head.operatorSigners.get(c.iss);
  if (c.iss === head.operatorKey && head.strict) {
    notes.push(
      `account "${c.name}": signed by the operator's identity key, which its strict signing keys forbid (servers refuse it); not imported, nor are its users`,
    );
    return undefined;
  }
  if (c.iss !== head.operatorKey && signer === undefined) {
    notes.push(
      `account "${c.name}": signed by ${c.iss}, whose seed is not in the keys dir; not imported, nor are its users`,
    );
    return undefined;
  }
  const lines: string[] = [];
  const signers = new Map<string, string>();
  const { signingKeys, ...claims } = accountInputs(c);
  const refs = (signingKeys ?? []).map((ref, i) => {
    const key = keyOf(ref);
    if (!opts.hasSeed(key)) {
      notes.push(
        `account "${c.name}" signing key ${key}: no seed in the keys dir; users it signed are not imported`,
      );
      return ref;
    }
    const kv = names.variable("signingKey", `${c.name}_${i + 1}`);
    const scope =
      typeof ref === "string"
        ? undefined
        : { role: ref.role, template: ref.template, description: ref.description };
    lines.push(
      `const ${kv} = new SigningKey(${literal(names.unique(`${c.name}-sk${i + 1}`))}, ${literal({ owner: "account", seed: seedOf(key), scope }, 0)});`,
    );
    signers.set(key, kv);
    return code(kv);
  });
  const v = names.variable("account", c.name);
  const args = {
    name: c.name,
    operator: code(head.operator),
    signer: signer ? code(signer) : undefined,
    seed: seedOf(c.sub),
    jwt: account.jwt,
    signingKeys: refs.length ? refs : undefined,
    ...claims,
    resolver: resolver ? code(resolver) : undefined,
  };
  lines.push(`const ${v} = new Account(${literal(names.unique(c.name))}, ${literal(args)});`);
  return { lines, expr: v, signers };
}

function declareUser(
  account: StoredAccount,
  user: StoredIdentity,
  accountExpr: string,
  signers: Map<string, string>,
  opts: ProgramOptions,
  names: Names,
  seedOf: SeedRef,
  notes: string[],
  strict: boolean,
  variable?: string,
): string[] | undefined {
  const u = user.claims;
  const a = account.claims;
  const what = `user "${u.name}" of account "${a.name}"`;
  if (!opts.hasSeed(u.sub)) {
    notes.push(
      `${what} (${u.sub}): no seed in the keys dir; not imported (its creds keep working while the account's JWT allows)`,
    );
    return undefined;
  }
  // A revoked user stays out: the account's revocation (kept in its claims) is what nsc left, and
  // declaring the user would ask to sign a revoked key again.
  const revocations = accountInputs(a).revocations ?? {};
  const revokedAt = revocations[u.sub] ?? revocations["*"];
  if (revokedAt !== undefined && (typeof revokedAt !== "number" || (u.iat ?? 0) <= revokedAt)) {
    notes.push(`${what}: revoked in the account (the revocation is kept); not declared`);
    return undefined;
  }
  const signer = u.iss === a.sub ? undefined : signers.get(u.iss);
  if (u.iss === a.sub && strict) {
    notes.push(
      `${what}: signed by the account's identity key, which the operator's strict signing keys forbid (servers refuse it); not imported`,
    );
    return undefined;
  }
  if (u.iss !== a.sub && signer === undefined) {
    notes.push(`${what}: signed by ${u.iss}, whose seed is not in the keys dir; not imported`);
    return undefined;
  }
  const ref = accountInputs(a).signingKeys?.find((k) => keyOf(k) === u.iss);
  const scoped = ref !== undefined && typeof ref !== "string";
  const args = {
    name: u.name,
    account: code(accountExpr),
    signer: signer ? code(signer) : undefined,
    seed: seedOf(u.sub),
    jwt: user.jwt,
    // A user of a scoped key takes its permissions from the scope.
    ...(scoped
      ? { tags: userInputs(u).tags, expires: userInputs(u).expires, notBefore: userInputs(u).notBefore }
      : userInputs(u)),
  };
  const declaration = `new User(${literal(names.unique(`${a.name}-${u.name}`))}, ${literal(args)});`;
  return [variable ? `const ${variable} = ${declaration}` : declaration];
}

/** Single-quotes a string for a POSIX shell. */
function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The `pulumi config set` command that stores one seed, read from its file (never a command-line argument). */
export function seedCommand(publicKey: string, file: string): string {
  return `pulumi config set --secret --path ${shellQuote(`seeds.${publicKey}`)} < ${shellQuote(file)}`;
}

/**
 * The files of the generated project: Pulumi.yaml, package.json, index.js, MIGRATION.md and
 * import-seeds.sh (the commands that put the seeds into the stack config; it names the seed files,
 * it holds no seed).
 */
export function nscProjectFiles(
  store: NscStoreContents,
  opts: ProgramOptions & { projectName: string; seedFiles: Map<string, string>; source: string },
): { files: Record<string, string>; generated: GeneratedProgram } {
  const generated = nscProgram(store, opts);
  // A key without a seed file is already in the notes; the script names only files that exist.
  const seedLines = generated.seeds.flatMap((k) => {
    const file = opts.seedFiles.get(k);
    return file ? [seedCommand(k, file)] : [];
  });
  const notes = generated.notes.length
    ? generated.notes.map((n) => `- ${n}`).join("\n")
    : "- nothing: every identity of the store is declared, and every JWT round-trips.";
  const files: Record<string, string> = {
    "Pulumi.yaml": `name: ${opts.projectName}\nruntime: nodejs\ndescription: NATS auth of operator ${store.operator.claims.name}, imported from an nsc store\n`,
    "package.json": `${JSON.stringify(
      {
        name: opts.projectName,
        private: true,
        main: "index.js",
        dependencies: { [MODULES.pulumi]: "^3.200.0", [MODULES.sdk]: opts.packageSpec },
      },
      null,
      2,
    )}\n`,
    "index.js": generated.program,
    "import-seeds.sh": `#!/bin/sh
# Stores every seed the program adopts in the selected stack's config, as a secret (encrypted by the
# stack's secrets provider). Each seed is read from the nsc keys dir on stdin; none is written here.
set -eu
cd "$(dirname "$0")"
${seedLines.join("\n")}
`,
    "MIGRATION.md": `# Migrated from nsc

Generated by \`pulumi-nats-auth import-nsc\` from ${opts.source}.

- \`index.js\` declares operator \`${store.operator.claims.name}\`, its signing keys, the system account and
  its user, every account (limits, JetStream, exports, imports, mappings, signing keys, revocations, …)
  and every user, each adopted: the key is kept (its seed is read from the stack config, \`seeds.<public key>\`,
  a secret) and the JWT is kept byte for byte while the declared claims say what it says.
- \`import-seeds.sh\` puts the ${generated.seeds.length} seeds into the selected stack's config (\`import-nsc --stack\` ran it).
- Set the servers whose resolver holds the accounts: \`pulumi config set --path 'servers[0]' nats://host:4222\`.
  An account whose servers already hold its JWT is not pushed again.
- Accounts are declared with \`onDelete: "retain"\`: destroying the stack leaves them on the servers.

## What the importer could not express

${notes}
`,
  };
  return { files, generated };
}
