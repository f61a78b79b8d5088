/**
 * Runs Pulumi programs through the Automation API and the real pulumi CLI, against a local file
 * backend in a temp dir. Nothing reaches the network: no update check, no plugin downloads.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as zlib from "node:zlib";
import {
  type ConfigMap,
  type DestroyResult,
  LocalWorkspace,
  type OutputMap,
  type PreviewResult,
  type PulumiFn,
  type RefreshResult,
  type Stack,
  type UpResult,
} from "@pulumi/pulumi/automation";
import { REPO_ROOT, TOOLS_BIN, toolPath } from "./paths";

export const PASSPHRASE = "test-passphrase";

/** A stack of a test program in its own temp backend; `dispose()` destroys it and removes the dir. */
export class TestStack {
  /**
   * Stacks per temp dir: several stacks may share one environment (one backend, one PULUMI_HOME),
   * and the dir goes only with the last of them, so one stack's dispose never removes the backend
   * another is still destroying or the files another is still scanning.
   */
  private static readonly users = new Map<string, number>();
  /** This stack's share of its dir was given back (a second dispose must not give it back again). */
  private released = false;
  readonly logs: string[] = [];
  private constructor(
    readonly stack: Stack,
    readonly dir: string,
    readonly env: Record<string, string>,
  ) {
    TestStack.users.set(dir, (TestStack.users.get(dir) ?? 0) + 1);
  }

  /**
   * A temp dir holding the local backend and PULUMI_HOME, and the environment that points at them
   * (pass it to `fromFolder` to run CLI commands against the same backend beforehand).
   */
  static environment(label: string): { dir: string; envVars: Record<string, string> } {
    toolPath("pulumi");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `pna-${label}-`));
    const backend = path.join(dir, "backend");
    const home = path.join(dir, "home");
    fs.mkdirSync(backend);
    fs.mkdirSync(home);
    const envVars = {
      PULUMI_BACKEND_URL: `file://${backend}`,
      PULUMI_CONFIG_PASSPHRASE: PASSPHRASE,
      PULUMI_HOME: home,
      PULUMI_SKIP_UPDATE_CHECK: "true",
      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
      PULUMI_SKIP_CONFIRMATIONS: "true",
      PATH: `${TOOLS_BIN}${path.delimiter}${process.env.PATH ?? ""}`,
    };
    return { dir, envVars };
  }

  /** An inline program (run in this process through the CLI's --client mode). */
  static async create(project: string, program: PulumiFn, config: ConfigMap = {}): Promise<TestStack> {
    const { dir, envVars } = TestStack.environment(project);
    const work = path.join(dir, "work");
    fs.mkdirSync(work);
    const stack = await LocalWorkspace.createOrSelectStack(
      { stackName: "test", projectName: project, program },
      {
        workDir: work,
        envVars,
        // The dynamic provider plugin resolves @pulumi/pulumi (and this package) from the program's dir.
        projectSettings: { name: project, runtime: "nodejs", main: REPO_ROOT },
      },
    );
    await stack.setAllConfig(config);
    return new TestStack(stack, dir, envVars);
  }

  /**
   * A Pulumi project folder (a Pulumi.yaml and its program), run as `pulumi up` there would, through
   * the language host of its runtime. Its Pulumi.<stack>.yaml is removed on dispose.
   */
  static async fromFolder(
    projectDir: string,
    stackName: string,
    config: ConfigMap = {},
    environment = TestStack.environment(path.basename(projectDir)),
  ): Promise<TestStack> {
    // The language host of the project's runtime (nodejs, yaml, …) runs its program.
    const runtime = /^runtime:[ \t]*(?:\n[ \t]+name:[ \t]*)?(\w+)/m.exec(
      fs.readFileSync(path.join(projectDir, "Pulumi.yaml"), "utf8"),
    )?.[1];
    toolPath(`pulumi-language-${runtime ?? "nodejs"}`);
    const { dir, envVars } = environment;
    const stack = await LocalWorkspace.createOrSelectStack({ stackName, workDir: projectDir }, { envVars });
    await stack.setAllConfig(config);
    const t = new TestStack(stack, dir, envVars);
    t.stackFile = path.join(projectDir, `Pulumi.${stackName}.yaml`);
    return t;
  }

  private stackFile?: string;

  private onOutput = (line: string): void => {
    this.logs.push(line);
  };

  /** `program` runs another inline program on this stack (the same stack with resources taken out, say). */
  up(opts: { diff?: boolean; program?: PulumiFn; replace?: string[] } = {}): Promise<UpResult> {
    return this.stack.up({
      onOutput: this.onOutput,
      diff: opts.diff,
      program: opts.program,
      replace: opts.replace,
    });
  }
  preview(opts: { diff?: boolean; program?: PulumiFn } = {}): Promise<PreviewResult> {
    return this.stack.preview({ onOutput: this.onOutput, diff: opts.diff, program: opts.program });
  }
  /**
   * `pulumi refresh`; with `diff` it runs the CLI itself (`refresh --diff`, which the Automation API
   * does not offer), its output going to `logs` too.
   */
  async refresh(opts: { diff?: boolean } = {}): Promise<RefreshResult> {
    if (!opts.diff) return this.stack.refresh({ onOutput: this.onOutput });
    const { stdout, stderr } = await this.cli(["refresh", "--diff", "--yes", "--skip-preview"]);
    const [summary] = await this.stack.history(1);
    return { stdout, stderr, summary };
  }
  destroy(opts: { diff?: boolean } = {}): Promise<DestroyResult> {
    return this.stack.destroy({ onOutput: this.onOutput, diff: opts.diff });
  }
  /** Runs the pulumi CLI on this stack as a user would; fails on a non-zero exit. */
  async cli(args: string[]): Promise<{ stdout: string; stderr: string }> {
    const { execFile } = await import("node:child_process");
    const { promisify } = await import("node:util");
    const { stdout, stderr } = await promisify(execFile)(
      toolPath("pulumi"),
      [...args, "--stack", this.stack.name, "--non-interactive"],
      { cwd: this.stack.workspace.workDir, env: { ...process.env, ...this.env }, maxBuffer: 64 << 20 },
    );
    this.logs.push(stdout, stderr);
    return { stdout, stderr };
  }
  outputs(): Promise<OutputMap> {
    return this.stack.outputs();
  }
  /**
   * Previews this (inline) stack in a child process running `program`, exported as `exportName` from
   * the compiled module `programModule`: for previews expected to fail (see fixtures/previewChild).
   */
  async previewInChild(
    programModule: string,
    exportName: string,
  ): Promise<{ ok: boolean; message?: string; changeSummary?: Record<string, number> }> {
    const { execFileSync } = await import("node:child_process");
    const fixture = path.join(REPO_ROOT, "dist", "test", "e2e", "fixtures", "previewChild.js");
    const settings = await this.stack.workspace.projectSettings();
    const out = execFileSync(
      process.execPath,
      [fixture, programModule, exportName, settings.name, this.stack.name, this.stack.workspace.workDir],
      { env: { ...process.env, ...this.env }, encoding: "utf8", timeout: 180_000 },
    );
    return JSON.parse(out.trim().split("\n").pop() ?? "{}");
  }

  /**
   * `pulumi stack export` as text, run as a user would (the Automation API's export decrypts
   * secrets; the CLI's does not without --show-secrets).
   */
  async exportText(): Promise<string> {
    const { execFileSync } = await import("node:child_process");
    return execFileSync(
      toolPath("pulumi"),
      ["stack", "export", "--stack", this.stack.name, "--non-interactive"],
      {
        cwd: this.stack.workspace.workDir,
        env: { ...process.env, ...this.env },
        encoding: "utf8",
      },
    );
  }

  private readonly scanned: string[] = [];

  /** Adds a dir the stack writes into (server configs, creds files) to the secrets scan of `dispose`. */
  scanAlso(dir: string): void {
    this.scanned.push(dir);
  }

  /**
   * Destroys what is left (ignoring errors) and removes the temp dir. First it scans for secrets in
   * the open: the `pulumi stack export`, everything the CLI printed for this stack, and every file in
   * the stack's dir (state, backups, history, config) and in `scanAlso` dirs. A finding fails the test.
   */
  async dispose(): Promise<void> {
    const found: string[] = [];
    try {
      found.push(...findSecrets("pulumi stack export", await this.exportText()));
    } catch {
      // No stack to export (creation failed): nothing was written there either.
    }
    // Before destroy: what the stack's resources wrote is deleted with them.
    for (const dir of this.scanned) found.push(...scanFiles(dir));
    let destroyed = true;
    try {
      await this.stack.destroy({ onOutput: this.onOutput });
    } catch {
      // Best effort: the backend is removed with the dir anyway.
      destroyed = false;
    }
    found.push(...findSecrets("CLI output", this.logs.join("\n")));
    found.push(...scanFiles(this.dir));
    if (this.stackFile) {
      if (fs.existsSync(this.stackFile)) found.push(...scanFiles(this.stackFile));
      fs.rmSync(this.stackFile, { force: true });
    }
    if (!this.released) {
      this.released = true;
      const left = (TestStack.users.get(this.dir) ?? 1) - 1;
      if (left > 0) TestStack.users.set(this.dir, left);
      else {
        TestStack.users.delete(this.dir);
        fs.rmSync(this.dir, { recursive: true, force: true });
      }
    }
    if (found.length) {
      throw new Error(
        `secrets in the open (destroyed: ${destroyed}):\n  ${[...new Set(found)].join("\n  ")}`,
      );
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.dispose();
  }
}

/** The non-"same", non-zero counts of a preview's or an update's summary (what an assertion prints). */
export function changesOf(summary: Record<string, number | undefined> | undefined): Record<string, number> {
  return Object.fromEntries(Object.entries(summary ?? {}).filter(([op, n]) => op !== "same" && n)) as Record<
    string,
    number
  >;
}

/** Counts of non-"same" operations in a preview/up summary. */
export function changeCount(summary: Record<string, number | undefined>): number {
  return Object.entries(summary)
    .filter(([op]) => op !== "same")
    .reduce((n, [, v]) => n + (v ?? 0), 0);
}

/** Matches nkey seeds of any kind: none may appear in state exports or logs. */
export const SEED_RE = /S[OACNUX][A-Z2-7]{56}/;

/** The secrets scan's patterns: any seed (wider than SEED_RE on purpose) and the creds file markers. */
const SECRET_PATTERNS: [string, RegExp][] = [
  ["a seed", /S[OAUCNX][A-Z2-7]{55}/],
  ["a creds file's seed block", /-----BEGIN USER NKEY SEED-----/],
  ["a creds file's JWT block", /-----BEGIN NATS USER JWT-----/],
];

/** Where `text` holds a secret: `<where>: <what> at line <n>`, never the secret itself. */
export function findSecrets(where: string, text: string): string[] {
  const out: string[] = [];
  const lines = text.split("\n");
  for (const [what, re] of SECRET_PATTERNS) {
    const n = lines.findIndex((l) => re.test(l));
    if (n >= 0) out.push(`${where}: ${what} at line ${n + 1}`);
  }
  return out;
}

/**
 * A file's text as the scan reads it. Gzip is opened: the CLI writes each command's log to
 * `$PULUMI_HOME/logs`, plain gzip until the stack's secrets manager is loaded and encrypted (with the
 * stack's key, like the state's secrets) from then on, and a secret inside the gzip would not match
 * in the raw bytes. Encrypted logs stay opaque.
 */
function readScannable(file: string): string | undefined {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw e;
  }
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      // A stream cut short (a CLI killed while writing) still yields what it holds.
      return zlib.gunzipSync(bytes, { finishFlush: zlib.constants.Z_SYNC_FLUSH }).toString("latin1");
    } catch {
      // Not gzip after all: the raw bytes, as for any file.
    }
  }
  return bytes.toString("latin1");
}

/**
 * Every file under `root` (or `root` itself), except the plugins and node_modules the CLI keeps
 * there and creds files that were asked for (`*.creds`, which must be 0600).
 */
export function scanFiles(root: string): string[] {
  return walkScannable(root, (p, text) => findSecrets(p, text));
}

/**
 * Files under `root` (read as the scan reads them: gzip opened, plugins and node_modules skipped)
 * that hold any of `needles` (secrets the patterns cannot tell, such as a creds file's JWT).
 */
export function filesHolding(root: string, needles: readonly string[]): string[] {
  return walkScannable(root, (p, text) => (needles.some((n) => text.includes(n)) ? [p] : []));
}

function walkScannable(root: string, judge: (file: string, text: string) => string[]): string[] {
  if (!fs.existsSync(root)) return [];
  const out: string[] = [];
  const visit = (p: string): void => {
    // A file gone between readdir and here (the CLI renames its log when it starts encrypting it)
    // holds nothing any more; one still there is read.
    const st = fs.lstatSync(p, { throwIfNoEntry: false });
    if (!st) return;
    if (st.isSymbolicLink()) return;
    if (st.isDirectory()) {
      if (["plugins", "node_modules", ".git"].includes(path.basename(p))) return;
      for (const e of fs.readdirSync(p)) visit(path.join(p, e));
      return;
    }
    if (p.endsWith(".creds")) {
      if ((st.mode & 0o077) !== 0)
        out.push(`${p}: a creds file readable by others (mode ${(st.mode & 0o777).toString(8)})`);
      return;
    }
    if (st.size > 64 << 20) return;
    const text = readScannable(p);
    if (text !== undefined) out.push(...judge(p, text));
  };
  visit(root);
  return out;
}
