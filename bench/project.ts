/**
 * A benchmark program run as a user runs it: the real pulumi CLI and the Node.js language host, a
 * Pulumi.yaml beside the compiled program, a local file backend and PULUMI_HOME in a temp dir, no
 * plugin downloads, no update check (the same environment as test/harness/pulumi.ts).
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { TOOLS_BIN, toolPath } from "../test/harness/paths";
import { type LoadSample, watchLoad } from "./machine";
import { type Role, watchProcesses } from "./processes";

/** One CLI command's figures. */
export interface Run {
  ms: number;
  /** Peak VmRSS of the provider process (dynamic provider or native plugin), KiB (0: none started). */
  providerRssKb: number;
  /** CPU ms used per role (engine, language host, program, provider), polled from /proc. */
  cpuMs: Record<Role, number>;
  load: LoadSample;
  /** The CLI's "Resources:" summary, on one line. */
  summary: string;
  stdout: string;
}

/** Stack config a program reads, as a step's environment sets it (the native programs' sizes, the change). */
export type ConfigOf = (env: Record<string, string>) => Record<string, string>;

export class BenchProject {
  readonly env: Record<string, string>;
  /** The config last set on the stack by `step`. */
  private readonly config: Record<string, string> = {};
  private constructor(
    readonly name: string,
    readonly programDir: string,
    readonly tmp: string,
    private readonly configOf?: ConfigOf,
  ) {
    const backend = path.join(tmp, "backend");
    const home = path.join(tmp, "home");
    fs.mkdirSync(backend, { recursive: true });
    fs.mkdirSync(home, { recursive: true });
    this.env = {
      PULUMI_BACKEND_URL: `file://${backend}`,
      PULUMI_CONFIG_PASSPHRASE: "bench",
      PULUMI_HOME: home,
      PULUMI_SKIP_UPDATE_CHECK: "true",
      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
      PULUMI_SKIP_CONFIRMATIONS: "true",
      PATH: `${TOOLS_BIN}${path.delimiter}${process.env.PATH ?? ""}`,
    };
  }

  /**
   * The compiled program in dist/bench/programs/<name>/index.js, with a Pulumi.yaml written beside it
   * (so nothing is written into the sources), and a fresh stack "bench".
   */
  static async create(name: string): Promise<BenchProject> {
    toolPath("pulumi-language-nodejs");
    const programDir = path.join(__dirname, "programs", name);
    if (!fs.existsSync(path.join(programDir, "index.js"))) {
      throw new Error(`${programDir}/index.js is missing: run "npm run build" first`);
    }
    // BENCH_TYPESCRIPT=false: the language host runs the compiled program without ts-node, whose
    // source-map support otherwise formats every stack trace Pulumi records (RESULTS.md).
    const runtime =
      process.env.BENCH_TYPESCRIPT === "false"
        ? "runtime:\n  name: nodejs\n  options:\n    typescript: false\n"
        : "runtime: nodejs\n";
    fs.writeFileSync(path.join(programDir, "Pulumi.yaml"), `name: bench-${name}\n${runtime}main: index.js\n`);
    const p = new BenchProject(
      name,
      programDir,
      fs.mkdtempSync(path.join(os.tmpdir(), `pna-bench-${name}-`)),
    );
    fs.rmSync(p.stackFile, { force: true });
    await p.run(["stack", "init", "bench"], {}, false);
    return p;
  }

  /**
   * A program written by `write` into a folder of its own temp dir (Pulumi.yaml and what it runs: the
   * native programs), and a fresh stack "bench"; `env` is added to the CLI's environment (the language
   * host and the program inherit it), `configOf` says the stack config each step needs.
   */
  static async inTemp(
    name: string,
    write: (dir: string) => void,
    env: Record<string, string>,
    configOf: ConfigOf,
  ): Promise<BenchProject> {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), `pna-bench-${name}-`));
    const programDir = path.join(tmp, "program");
    fs.mkdirSync(programDir);
    const p = new BenchProject(name, programDir, tmp, configOf);
    Object.assign(p.env, env);
    try {
      write(programDir);
      await p.run(["stack", "init", "bench"], {}, false);
    } catch (e) {
      p.dispose();
      throw e;
    }
    return p;
  }

  /**
   * One timed step: the stack config the step's environment implies is set first, untimed and only
   * when it changed (a YAML or Go program reads config where the TS programs read the environment).
   */
  async step(args: string[], env: Record<string, string>): Promise<Run> {
    for (const [key, value] of Object.entries(this.configOf?.(env) ?? {})) {
      if (this.config[key] === value) continue;
      await this.run(["config", "set", key, value]);
      this.config[key] = value;
    }
    return this.run(args, env);
  }

  get stackFile(): string {
    return path.join(this.programDir, "Pulumi.bench.yaml");
  }

  /** Runs `pulumi <args>` on the stack; throws with the output's tail on a non-zero exit. */
  run(args: string[], extraEnv: Record<string, string> = {}, onStack = true): Promise<Run> {
    const argv = [...args, "--non-interactive", ...(onStack ? ["--stack", "bench"] : [])];
    const env = { ...process.env, ...this.env, ...extraEnv };
    return new Promise((resolve, reject) => {
      const endLoad = watchLoad();
      const start = process.hrtime.bigint();
      const child = spawn(toolPath("pulumi"), argv, {
        cwd: this.programDir,
        env,
        stdio: ["ignore", "pipe", "pipe"],
      });
      const procs = watchProcesses(child.pid ?? -1);
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d) => {
        stdout += d;
      });
      child.stderr.on("data", (d) => {
        stderr += d;
      });
      child.on("error", reject);
      child.on("close", (code) => {
        const ms = Number(process.hrtime.bigint() - start) / 1e6;
        const { providerRssKb, cpuMs } = procs.stop();
        const load = endLoad();
        if (code !== 0) {
          const tail = `${stdout}\n${stderr}`.split("\n").slice(-40).join("\n");
          reject(new Error(`pulumi ${argv.join(" ")} (${this.name}) exited ${code}:\n${tail}`));
          return;
        }
        resolve({ ms, providerRssKb, cpuMs, load, summary: summaryOf(stdout), stdout });
      });
    });
  }

  /** `pulumi stack export`, as text (secrets stay encrypted, as a user's export shows them). */
  async exportText(): Promise<string> {
    return (await this.run(["stack", "export"])).stdout;
  }

  /** Removes the temp backend and the stack file (nothing outside them exists: no resolver). */
  dispose(): void {
    fs.rmSync(this.tmp, { recursive: true, force: true });
    fs.rmSync(this.stackFile, { force: true });
    fs.rmSync(path.join(this.programDir, "Pulumi.yaml"), { force: true });
  }
}

/** The "Resources:" block of the CLI's output on one line, e.g. "1 to update, 1308 unchanged". */
export function summaryOf(stdout: string): string {
  const lines = stdout.split("\n");
  const at = lines.findIndex((l) => /^Resources:/.test(l.trim()));
  if (at < 0) return "";
  const out: string[] = [];
  for (const l of lines.slice(at + 1)) {
    if (!l.trim()) break;
    out.push(l.trim().replace(/^[+~\-±]\s*/, ""));
  }
  return out.join(", ");
}
