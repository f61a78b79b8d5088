/**
 * README "Your first program", as written: the package packed from this checkout (`npm pack`, as the
 * README's Install says), an empty folder, the section's shell commands run one by one with bash,
 * its Pulumi.yaml and index.ts written from the README's code blocks, the real pulumi CLI, a real
 * nats-server and the real `nats` CLI. The only substitutions: the tarball's path for
 * `/path/to/pulumi-nats-auth-<version>.tgz`, and a free port for 4222 (so parallel runs cannot clash).
 * The backend is a local folder (what `pulumi login --local` gives), passed in the environment.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, describe, it } from "node:test";
import { withFreshPorts } from "../harness/natsServer";
import { REPO_ROOT, TOOLS_BIN } from "../harness/paths";
import { PASSPHRASE } from "../harness/pulumi";
import { currentTarball } from "../harness/release";

interface Block {
  lang: string;
  title?: string;
  text: string;
}

/** The fenced code blocks of the README section `title`, in order. */
export function sectionBlocks(markdown: string, title: string): Block[] {
  const start = markdown.indexOf(`\n## ${title}\n`);
  assert.ok(start >= 0, `README has a section "${title}"`);
  const end = markdown.indexOf("\n## ", start + 1);
  const section = markdown.slice(start, end < 0 ? undefined : end);
  return [...section.matchAll(/^```(\w+)(?: title="([^"]+)")?\n([\s\S]*?)^```$/gm)].map((m) => ({
    lang: m[1],
    title: m[2],
    text: m[3],
  }));
}

/** A shell line without its trailing comment (`  # …`). */
function command(line: string): string {
  return line.replace(/\s{2,}#.*$/, "").trim();
}

const README = fs.readFileSync(path.join(REPO_ROOT, "README.md"), "utf8");
const VERSION = (
  JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as { version: string }
).version;

describe("e2e first program - README 'Your first program' as written, from the packed package", () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "pna-first-"));
  const background: ChildProcess[] = [];
  after(() => {
    for (const p of background) {
      if (p.exitCode !== null || p.signalCode !== null || !p.pid) continue;
      try {
        process.kill(-p.pid, "SIGKILL");
      } catch {
        // Gone between the check and the kill.
      }
    }
    fs.rmSync(work, { recursive: true, force: true });
  });

  it("first program - docs/_index.md (the Registry's overview) shows the same program", () => {
    const program = sectionBlocks(README, "Your first program").find((b) => b.title === "index.ts");
    const index = fs.readFileSync(path.join(REPO_ROOT, "docs", "_index.md"), "utf8");
    assert.ok(
      program && index.includes(`\`\`\`typescript\n${program.text}\`\`\``),
      "docs/_index.md embeds it verbatim",
    );
  });

  it("first program - install, two ups, a nats request answered, destroy", async () => {
    const blocks = sectionBlocks(README, "Your first program");
    assert.deepEqual(
      blocks.map((b) => b.title ?? b.lang),
      ["sh", "Pulumi.yaml", "index.ts", "sh", "sh"],
    );
    const placeholder = `/path/to/pulumi-nats-auth-${VERSION}.tgz`;
    assert.ok(blocks[0].text.includes(placeholder), `the install line names ${placeholder}`);
    assert.ok(
      README.includes(`writes pulumi-nats-auth-${VERSION}.tgz`),
      "Install names this version's tarball",
    );

    const tgz = currentTarball(work);
    let port = "";
    const local = (text: string) => text.replaceAll(placeholder, tgz).replaceAll("4222", port);
    const env = {
      ...process.env,
      PATH: `${TOOLS_BIN}${path.delimiter}${process.env.PATH ?? ""}`,
      PULUMI_BACKEND_URL: `file://${fs.mkdtempSync(path.join(work, "backend-"))}`,
      PULUMI_CONFIG_PASSPHRASE: PASSPHRASE,
      PULUMI_SKIP_UPDATE_CHECK: "true",
      npm_config_prefer_offline: "true",
      npm_config_audit: "false",
      npm_config_fund: "false",
    };
    let cwd = work;
    const transcript: string[] = [];

    /** Runs one line of a README shell block, as a user typing it would. */
    const runLine = async (line: string): Promise<string> => {
      const cmd = command(local(line));
      if (!cmd) return "";
      const kill = cmd.match(/^kill ((?:%\d+\s*)+)$/);
      if (kill) {
        for (const job of kill[1].trim().split(/\s+/)) {
          const p = background[Number(job.slice(1)) - 1];
          assert.ok(p?.pid, `job ${job} exists`);
          process.kill(-p.pid, "SIGTERM");
          await new Promise((resolve) =>
            p.exitCode === null && p.signalCode === null ? p.once("exit", resolve) : resolve(null),
          );
        }
        return "";
      }
      if (cmd.endsWith("&")) {
        // A job: started in its own process group; the next line runs once it says it is ready.
        const p = spawn("bash", ["-c", cmd.slice(0, -1)], {
          cwd,
          env,
          detached: true,
          stdio: ["ignore", "pipe", "pipe"],
        });
        background.push(p);
        let out = "";
        await new Promise<void>((resolve, reject) => {
          // Bounded: a job that never says it is ready fails the test instead of hanging it.
          const timer = setTimeout(
            () => reject(new Error(`\`${cmd}\` not ready after 60 s:\n${out}`)),
            60_000,
          );
          p.once("exit", () => clearTimeout(timer));
          const ready = (chunk: Buffer) => {
            out += chunk.toString();
            if (/Server is ready|Listening on/.test(out)) {
              clearTimeout(timer);
              resolve();
            }
          };
          p.stdout?.on("data", ready);
          p.stderr?.on("data", ready);
          p.once("exit", (code) =>
            reject(
              new Error(`\`${cmd}\` exited (${code}) before it was ready:\n${out}\n${transcript.join("\n")}`),
            ),
          );
        });
        return out;
      }
      const r = spawnSync("bash", ["-c", `set -e\n${cmd}\npwd >&3`], {
        cwd,
        env,
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe", "pipe"],
        timeout: 300_000,
      });
      const out = `${r.stdout}${r.stderr}`;
      transcript.push(`$ ${cmd}\n${out}`);
      assert.equal(r.status, 0, `\`${cmd}\` failed:\n${transcript.join("\n")}`);
      // `cd` in a line carries over to the next, as in the user's shell.
      const where = (r.output[3] as string | null)?.trim();
      if (where) cwd = where;
      return out;
    };

    for (const line of blocks[0].text.split("\n")) await runLine(line);
    assert.equal(path.basename(cwd), "hello-nats");
    fs.writeFileSync(path.join(cwd, "Pulumi.yaml"), local(blocks[1].text));
    assert.ok(fs.existsSync(path.join(cwd, "node_modules", "pulumi-nats-auth", "dist", "sdk", "index.js")));
    assert.ok(!fs.realpathSync(path.join(cwd, "node_modules", "pulumi-nats-auth")).startsWith(REPO_ROOT));

    // The program names the port before nats-server binds it: if another file's server takes it
    // first, index.ts gets another port and the lines up to the server's run again (the stack is
    // made once; the second `pulumi up` rewrites nats-server.conf).
    const lines = blocks[3].text.split("\n");
    const serverLine = lines.findIndex((l) => l.startsWith("nats-server "));
    assert.ok(serverLine > 0, "the README starts nats-server after the first up");
    const dir = cwd;
    await withFreshPorts("first program", async (ports) => {
      port = String(await ports.port());
      fs.writeFileSync(path.join(dir, "index.ts"), local(blocks[2].text));
      const jobs = background.length;
      try {
        for (const line of lines.slice(0, serverLine + 1)) {
          if (ports.attempt > 1 && line.startsWith("pulumi stack init")) continue;
          await runLine(line);
        }
      } catch (err) {
        // A server that could not start is no job of the user's shell: `kill %2 %1` counts without it.
        background.splice(jobs);
        throw err;
      }
    });

    let reply = "";
    for (const line of lines.slice(serverLine + 1)) {
      const out = await runLine(line);
      if (line.startsWith("nats request")) reply = out;
    }
    assert.match(reply, /hello from APP/, transcript.join("\n"));
    for (const f of ["service.creds", "client.creds", "nats-server.conf"]) {
      assert.equal(fs.statSync(path.join(cwd, f)).mode & 0o777, 0o600, f);
    }
    const outputs = JSON.parse(await runLine("pulumi stack output --json")) as {
      account: string;
      pushedTo: number;
      accountClaims: { sub: string; name: string; nats: { type: string } };
    };
    assert.equal(outputs.pushedTo, 1);
    assert.equal(outputs.accountClaims.sub, outputs.account);
    assert.equal(outputs.accountClaims.name, "APP");
    assert.equal(outputs.accountClaims.nats.type, "account");

    for (const line of blocks[4].text.split("\n")) await runLine(line);
    assert.ok(!fs.existsSync(path.join(cwd, "client.creds")), "destroy removed the creds files");
    assert.ok(background.every((p) => p.exitCode !== null || p.signalCode !== null));
  });
});
