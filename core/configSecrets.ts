/**
 * Key material in plain stack config. With dynamic resources the engine hands the whole stack config
 * (every namespace) to the `pulumi-nodejs` provider and stores it in that provider's state: a value
 * set without `--secret` is in plain text in every checkpoint, backup and `pulumi stack export`,
 * whatever the program does with it. Only config the engine knows is secret is stored encrypted, so
 * values shaped like seeds, creds or private keys must be secret config.
 */

/** A config value that holds key material in plain text. */
export interface PlainConfigSecret {
  /** The config key as the program sees it (`<namespace>:<name>`). */
  key: string;
  /** Inside a structured value, the `--path` of the leaf holding it; else undefined. */
  path?: string;
  /** What it holds ("an nkey seed", ...), never the value. */
  what: string;
}

/** What key material looks like; the first pattern that matches names a value. */
const SHAPES: [RegExp, string][] = [
  [/-----BEGIN USER NKEY SEED-----/, "a .creds text (it holds the user's seed)"],
  [/-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/, "a PEM private key"],
  // Any nkey seed (58 characters; a 57-character window also catches one cut short).
  [/S[OAUCNX][A-Z2-7]{55}/, "an nkey seed"],
];

function shapeOf(text: string): string | undefined {
  return SHAPES.find(([re]) => re.test(text))?.[1];
}

/** A `--path` segment: `.name` where pulumi's path syntax allows it, else `["name"]`. */
function segment(name: string | number): string {
  if (typeof name === "number") return `[${name}]`;
  return /^[A-Za-z_][A-Za-z0-9_-]*$/.test(name) ? `.${name}` : `[${JSON.stringify(name)}]`;
}

/** Leaves of a structured value, with their `--path` suffixes. */
function leaves(value: unknown, at: string, out: { path: string; text: string }[]): void {
  if (Array.isArray(value)) {
    value.forEach((v, i) => {
      leaves(v, `${at}${segment(i)}`, out);
    });
  } else if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) leaves(v, `${at}${segment(k)}`, out);
  } else if (typeof value === "string") out.push({ path: at, text: value });
}

/**
 * The config values that hold key material and are not secret. `config` is the program's config
 * map (structured values arrive as JSON text); `isSecret` says which keys the engine stores
 * encrypted (a structured key with any secret leaf is secret as a whole).
 */
export function plainConfigSecrets(
  config: Record<string, string>,
  isSecret: (key: string) => boolean,
): PlainConfigSecret[] {
  const found: PlainConfigSecret[] = [];
  for (const [key, value] of Object.entries(config)) {
    if (typeof value !== "string" || isSecret(key) || !shapeOf(value)) continue;
    let parsed: unknown;
    try {
      parsed = /^\s*[[{]/.test(value) ? JSON.parse(value) : undefined;
    } catch {
      parsed = undefined;
    }
    if (parsed === undefined || typeof parsed !== "object" || parsed === null) {
      found.push({ key, what: String(shapeOf(value)) });
      continue;
    }
    const inside: { path: string; text: string }[] = [];
    leaves(parsed, "", inside);
    for (const leaf of inside) {
      const what = shapeOf(leaf.text);
      if (what) found.push({ key, path: `${key}${leaf.path}`, what });
    }
    // Key material split over several leaves still shows in the whole text.
    if (!found.some((f) => f.key === key)) found.push({ key, what: String(shapeOf(value)) });
  }
  return found;
}

/**
 * The refusal: which keys, why, and the command that makes each secret without putting the value
 * on a command line (it goes through a pipe).
 */
export function plainConfigSecretsMessage(found: PlainConfigSecret[]): string {
  // The program cannot tell a map in Pulumi.<stack>.yaml from a string holding JSON (both arrive as
  // JSON text), so the command given first works for both; `--path` (maps only) keeps a map's shape.
  const lines: string[] = [];
  for (const key of [...new Set(found.map((f) => f.key))]) {
    const at = found.filter((f) => f.key === key);
    lines.push(`  ${key}: ${at.map((f) => (f.path ? `${f.what} at ${f.path}` : f.what)).join(", ")}`);
    lines.push(`    pulumi config get '${key}' | pulumi config set --secret '${key}'`);
    for (const f of at.filter((x) => x.path)) {
      lines.push(
        `    (or, for a map, keeping its shape: pulumi config get --path '${f.path}' | pulumi config set --secret --path '${f.path}')`,
      );
    }
  }
  return (
    "stack config holds key material in plain text. A program with dynamic resources (every resource " +
    "of pulumi-nats-auth is one) gets the whole stack config stored in the state of its pulumi-nodejs " +
    "provider: a value set without --secret would be in plain text in every checkpoint, backup and " +
    "`pulumi stack export`. Nothing was registered. Make each value secret (add -s <stack> for another " +
    `stack), then run the command again:\n${lines.join("\n")}`
  );
}
