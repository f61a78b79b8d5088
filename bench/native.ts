/**
 * The bench graph on the native plugin (dist/native, `npm run plugin`): a YAML program whose text is
 * written for the run's size, and the Go program of bench/programs/go (sizes from stack config). Both
 * declare what bench/programs/nats declares through the TS SDK, resource for resource: the
 * OperatorWithSystemAccount component with a signing key and strict signing keys, and per account a
 * key pair, a signing key, the account (its users in `members`) and its users.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { REPO_ROOT, TOOLS_BIN, toolPath } from "../test/harness/paths";
import { BenchProject } from "./project";
import { type BenchSize, firstAccountConn } from "./size";

/** The programs `BENCH_LANGS` picks from: the TS program on dynamic resources, YAML and Go on the plugin. */
export type Lang = "ts" | "yaml" | "go";
const LANGS: Lang[] = ["ts", "yaml", "go"];

/**
 * BENCH_LANGS=ts,yaml,go (default: ts), in that order; the floor always runs. The native programs are
 * asked for by name: each adds a program to every CLI step (about 6 minutes at 100 × 10), and with all
 * three `npm run bench` took longer than its 25 minutes at the defaults (issue 26).
 */
export function benchLangs(raw = process.env.BENCH_LANGS): Lang[] {
  if (raw === undefined || raw.trim() === "") return ["ts"];
  const asked = raw.split(",").map((l) => l.trim());
  const unknown = asked.filter((l) => !(LANGS as string[]).includes(l));
  if (unknown.length > 0 || asked.length === 0) {
    throw new Error(`BENCH_LANGS takes ${LANGS.join(",")} (comma-separated), got ${JSON.stringify(raw)}`);
  }
  return LANGS.filter((l) => asked.includes(l));
}

const PLUGIN_DIR = path.join(REPO_ROOT, "dist", "native");

function assertPluginBuilt(): void {
  if (!fs.existsSync(path.join(PLUGIN_DIR, "pulumi-resource-nats-auth"))) {
    throw new Error(`the native plugin is not built in ${PLUGIN_DIR}: run "npm run plugin" first`);
  }
}

function pluginsSection(): string {
  return `plugins:\n  providers:\n    - name: nats-auth\n      path: ${JSON.stringify(PLUGIN_DIR)}\n`;
}

/** The YAML program of the bench graph at `size`; account 0's connection limit is the config `conn0`. */
export function yamlProgram(size: BenchSize): string {
  const out: string[] = [
    "name: bench-yaml\nruntime: yaml\n",
    pluginsSection(),
    "config:\n  conn0:\n    type: integer\n    default: 100\n",
    "resources:\n",
    "  bench:\n    type: nats-auth:index:OperatorWithSystemAccount\n    properties:\n" +
      "      name: bench\n      generateSigningKey: true\n      strictSigningKeyUsage: true\n",
  ];
  for (let a = 0; a < size.accounts; a++) {
    out.push(
      `  a${a}-key:\n    type: nats-auth:index:KeyPair\n    properties:\n      kind: account\n`,
      `  a${a}-sk:\n    type: nats-auth:index:SigningKey\n    properties:\n      owner: account\n`,
    );
    const members: string[] = [];
    for (let u = 0; u < size.users; u++) {
      const name = `a${a}-u${u}`;
      out.push(
        `  ${name}:\n    type: nats-auth:index:User\n    properties:\n      name: ${name}\n` +
          `      signerSeed: \${a${a}-sk.seed}\n      accountPublicKey: \${a${a}-key.publicKey}\n` +
          `      accountSigningKeys:\n        - \${a${a}-sk.publicKey}\n      operatorStrict: true\n` +
          `      pub:\n        allow:\n          - a${a}.u${u}.>\n      sub:\n        allow:\n          - _INBOX.>\n`,
      );
      members.push(
        `        - urn: \${${name}.urn}\n          publicKey: \${${name}.publicKey}\n          name: ${name}\n`,
      );
    }
    out.push(
      `  a${a}:\n    type: nats-auth:index:Account\n    properties:\n      name: a${a}\n` +
        `      seed: \${a${a}-key.seed}\n      signerSeed: \${bench.signingKeySeed}\n` +
        `      operatorPublicKey: \${bench.operatorPublicKey}\n` +
        `      operatorSigningKeys:\n        - \${bench.signingKeyPublicKey}\n      operatorStrict: true\n` +
        `      signingKeys:\n        - \${a${a}-sk.publicKey}\n` +
        (members.length > 0 ? `      members:\n${members.join("")}` : "") +
        `      limits:\n        conn: ${a === 0 ? `\${conn0}` : "100"}\n        subs: 1000\n`,
    );
  }
  return out.join("");
}

/** The change of the "one account limit changed" steps, as the native programs read it. */
const conn0 = (env: Record<string, string>) => String(firstAccountConn(env));

/** How the Go program builds: from the modules install-tools.sh downloaded, nothing fetched. */
const GO_ENV = { GOPROXY: "off", GOFLAGS: "-mod=readonly", GOTOOLCHAIN: "local" };

/**
 * The Go program, copied from bench/programs/go with its SDK `replace` made absolute, so nothing is
 * written into the sources. The Go language host builds it on every command, as it does for a user
 * (the pinned host takes no prebuilt `binary`: the CLI no longer passes runtime options as flags);
 * one untimed build here warms Go's build cache, so a step's build is a link, and its CPU is
 * reported apart ("go build").
 */
function writeGo(dir: string): void {
  toolPath("pulumi-language-go");
  const src = path.join(REPO_ROOT, "bench", "programs", "go");
  for (const f of ["main.go", "go.sum"]) fs.copyFileSync(path.join(src, f), path.join(dir, f));
  const sdk = path.join(REPO_ROOT, "sdk", "go");
  const mod = fs.readFileSync(path.join(src, "go.mod"), "utf8");
  const absolute = mod.replace(/=> \.\.\/\.\.\/\.\.\/sdk\/go$/m, `=> ${sdk}`);
  if (absolute === mod) throw new Error(`${src}/go.mod: its replace of the SDK is not "=> ../../../sdk/go"`);
  fs.writeFileSync(path.join(dir, "go.mod"), absolute);
  execFileSync("go", ["build", "-o", path.join(dir, "warm-up"), "."], {
    cwd: dir,
    env: { ...process.env, PATH: `${TOOLS_BIN}${path.delimiter}${process.env.PATH ?? ""}`, ...GO_ENV },
    stdio: ["ignore", "ignore", "pipe"],
  });
  fs.rmSync(path.join(dir, "warm-up"));
  fs.writeFileSync(path.join(dir, "Pulumi.yaml"), `name: bench-go\nruntime: go\n${pluginsSection()}`);
}

/** The project of a native program (`yaml` or `go`) at `size`, with its stack "bench". */
export function createNative(lang: "yaml" | "go", size: BenchSize): Promise<BenchProject> {
  assertPluginBuilt();
  if (lang === "yaml") {
    toolPath("pulumi-language-yaml");
    return BenchProject.inTemp(
      "yaml",
      (dir) => fs.writeFileSync(path.join(dir, "Pulumi.yaml"), yamlProgram(size)),
      {},
      (env) => ({ conn0: conn0(env) }),
    );
  }
  return BenchProject.inTemp("go", writeGo, GO_ENV, (env) => ({
    accounts: String(size.accounts),
    users: String(size.users),
    conn0: conn0(env),
  }));
}
