/**
 * The real `nats` CLI (natscli, built into .tools/bin by scripts/install-tools.sh), run as a user
 * would, with its config home pointed at a test directory so no real context is read or written.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { toolPath } from "./paths";

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `nats <args>` with `XDG_CONFIG_HOME=configHome`; resolves with the exit code, never throws. */
export function nats(configHome: string, args: string[], timeoutMs = 20_000): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      toolPath("nats"),
      args,
      { env: { ...process.env, XDG_CONFIG_HOME: configHome }, timeout: timeoutMs },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === "number" ? err.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** A long-running `nats <args>` (e.g. `sub --count 1`); `done` resolves when it exits. */
export function natsBackground(
  configHome: string,
  args: string[],
): { child: ChildProcess; output: () => string; done: Promise<number> } {
  const child = spawn(toolPath("nats"), args, {
    env: { ...process.env, XDG_CONFIG_HOME: configHome },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout?.on("data", (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on("data", (d: Buffer) => {
    out += d.toString();
  });
  const done = new Promise<number>((resolve) => child.once("close", (code) => resolve(code ?? -1)));
  return { child, output: () => out, done };
}

/**
 * Publishes with `publishArgs` until the subscriber started with `--count 1` has its message and
 * exits (its subscription may reach the server after the CLI starts), at most `attempts` times.
 */
export async function publishUntilReceived(
  configHome: string,
  sub: { done: Promise<number> },
  publishArgs: string[],
  attempts = 50,
): Promise<{ exited: number; lastPublish: CliResult }> {
  let exited: number | undefined;
  void sub.done.then((c) => {
    exited = c;
  });
  let lastPublish: CliResult = { code: -1, stdout: "", stderr: "not published" };
  for (let i = 0; i < attempts && exited === undefined; i++) {
    lastPublish = await nats(configHome, publishArgs);
    if (lastPublish.code !== 0) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  const code = await Promise.race([sub.done, new Promise<number>((r) => setTimeout(() => r(-2), 5_000))]);
  return { exited: code, lastPublish };
}
