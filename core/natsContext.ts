/**
 * The context files the `nats` CLI (natscli) reads, so `nats --context <name> …` works right after
 * `pulumi up`. natscli keeps one JSON file per context at `<config home>/nats/context/<name>.json`,
 * where the config home is `$XDG_CONFIG_HOME` or `~/.config`; it reads `url` (comma-separated server
 * URLs), `creds` (a path), `description`, TLS file paths and a few JetStream settings, and refuses
 * names holding "..", "/" or "\".
 */
/** What a context holds (camelCase here; natscli's field names are written by `renderNatsContext`). */
export interface NatsContextSpec {
  servers: string[];
  /** Path of a `.creds` file. */
  credsPath?: string;
  description?: string;
  tls?: { ca?: string; cert?: string; key?: string; handshakeFirst?: boolean };
  jetstreamDomain?: string;
  inboxPrefix?: string;
}

/** Where natscli looks for the context `name`, relative to its config home. */
export function natsContextFile(name: string): string[] {
  return ["nats", "context", `${name}.json`];
}

/** Why natscli would refuse this context name, if it would. */
export function contextNameProblem(name: unknown): string | undefined {
  if (typeof name !== "string" || name === "") return "must be a non-empty context name";
  if (name.includes("..")) return `"${name}" must not contain ".."`;
  if (/[/\\]/.test(name)) return `"${name}" must not contain "/" or "\\"`;
  return undefined;
}

/** The context file's JSON text, with natscli's field names; absent settings are left out. */
export function renderNatsContext(spec: NatsContextSpec): string {
  const settings: Record<string, string | boolean | undefined> = {
    description: spec.description ?? "",
    url: spec.servers.join(","),
    creds: spec.credsPath,
    ca: spec.tls?.ca,
    cert: spec.tls?.cert,
    key: spec.tls?.key,
    tls_first: spec.tls?.handshakeFirst,
    jetstream_domain: spec.jetstreamDomain,
    inbox_prefix: spec.inboxPrefix,
  };
  const present = Object.fromEntries(Object.entries(settings).filter(([, v]) => v !== undefined));
  return `${JSON.stringify(present, null, 2)}\n`;
}
