/**
 * Faults through the real pulumi CLI (a project folder run by the Node.js language host, so that a
 * real `pulumi up` process can be killed) on real nats-servers: the resolver server down while
 * accounts are created, a frozen server (SIGSTOP), `refresh` with one of two servers down, and
 * SIGKILL of `pulumi up` mid-run followed by the README's recovery steps. Every expected failure is
 * checked for hygiene: one clear line per failing resource, no JavaScript stack trace, nothing
 * repeated under the stack resource.
 */
import assert from "node:assert/strict";
import { type ChildProcess, execFile, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { connect, credsAuthenticator } from "@nats-io/transport-node";
import { decodeJwt } from "../../core/jwt";
import { renderServerConfig } from "../../core/serverConfig";
import { ResolverClient } from "../../io/resolverClient";
import { closeAllResolvers } from "../../io/resolverPool";
import { NatsServer } from "../harness/natsServer";
import { REPO_ROOT, toolPath } from "../harness/paths";
import { changeCount, TestStack } from "../harness/pulumi";

const PROJECT = path.join(REPO_ROOT, "test", "e2e", "fixtures", "faults");
/** The resolver bound the program is given: a down or frozen server fails within it. */
const TIMEOUT_MS = 1500;

interface Run {
  code: number | null;
  stdout: string;
  /** stdout and stderr together, as a user sees them. */
  out: string;
}

interface StateResource {
  urn: string;
  type: string;
  outputs?: Record<string, unknown>;
}

interface Deployment {
  resources: StateResource[];
  pending_operations?: { type: string; resource: { urn: string } }[];
}

/** The pulumi CLI on the test stack, as a user runs it; resolves with the exit code, never throws. */
function pulumi(t: TestStack, args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      toolPath("pulumi"),
      [...args, "--stack", t.stack.name, "--non-interactive"],
      { cwd: t.stack.workspace.workDir, env: { ...process.env, ...t.env }, maxBuffer: 64 << 20 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === "number" ? err.code : 1) : 0;
        t.logs.push(stdout, stderr);
        resolve({ code, stdout, out: `${stdout}${stderr}` });
      },
    );
  });
}

async function deployment(t: TestStack): Promise<Deployment> {
  return (JSON.parse(await t.exportText()) as { deployment: Deployment }).deployment;
}

/** The recorded outputs of the Account named `name`. */
function accountState(d: Deployment, name: string): Record<string, unknown> | undefined {
  return d.resources.find((r) => r.type.endsWith(":Account") && r.outputs?.name === name)?.outputs;
}

/** Public keys of every identity in state, by URN. */
function identityKeys(d: Deployment): Map<string, string> {
  const keys = new Map<string, string>();
  for (const r of d.resources) {
    const pub = r.outputs?.publicKey;
    if (typeof pub === "string" && r.type.includes("nats-auth")) keys.set(r.urn, pub);
  }
  return keys;
}

/**
 * An expected failure prints one clear line per failing resource: the message appears exactly once
 * for each (in Diagnostics, under that resource), never under the stack resource, and the output
 * holds no JavaScript stack frame.
 */
function assertClean(out: string, resources: string[]): void {
  assert.doesNotMatch(out, /^\s+at .+:\d+:\d+\)?$/m, `no stack trace:\n${out}`);
  // The CLI's progress lines may echo an error too (that display is the engine's); the report is
  // the Diagnostics section.
  const diagnostics = out.slice(out.indexOf("Diagnostics:"));
  for (const r of resources) {
    const lines = diagnostics.split("\n").filter((l) => l.includes(`Account "${r}": `));
    assert.equal(lines.length, 1, `one line for Account "${r}":\n${out}`);
  }
  const stackPart = out.split(/\n(?= {2}\S)/).find((block) => block.includes("pulumi:pulumi:Stack ("));
  assert.ok(
    stackPart === undefined || !/Account "/.test(stackPart),
    `nothing repeated under the stack:\n${out}`,
  );
}

function literal(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

async function userConnects(url: string, creds: string): Promise<void> {
  const nc = await connect({
    servers: url,
    authenticator: credsAuthenticator(new TextEncoder().encode(creds)),
    reconnect: false,
  });
  await nc.close();
}

/** The account names the server's resolver holds, one entry per account key (the system account excluded). */
async function heldNames(url: string, sysCreds: string, sysPub: string): Promise<string[]> {
  const client = await ResolverClient.connect({ servers: [url], creds: sysCreds, timeoutMs: TIMEOUT_MS });
  try {
    const [listed] = await client.list();
    const names: string[] = [];
    for (const account of listed.accounts.filter((a) => a !== sysPub)) {
      const found = await client.lookup(account);
      names.push(found.found.length ? String(decodeJwt(found.found[0].jwt).name) : `(missing ${account})`);
    }
    return names.sort();
  } finally {
    await client.close();
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Kills what a killed CLI left running under this stack's PULUMI_HOME: the provider plugin, which
 * the CLI starts in its own process group, is orphaned by a kill -9 of the CLI and would otherwise
 * outlive the test (each CI run used to leave one idle dynamic-provider process behind).
 */
function killLeftovers(home: string | undefined): void {
  if (!home || !fs.existsSync("/proc")) return;
  const mark = `PULUMI_HOME=${home}\0`;
  for (const pid of fs.readdirSync("/proc").filter((e) => /^\d+$/.test(e))) {
    try {
      if (fs.readFileSync(`/proc/${pid}/environ`, "latin1").includes(mark))
        process.kill(Number(pid), "SIGKILL");
    } catch {
      // Gone already, or not ours to read.
    }
  }
}

describe("e2e faults - servers down, frozen, unreachable at refresh, and a killed pulumi up", () => {
  let t: TestStack;
  let a: NatsServer;
  let b: NatsServer;
  let sysCreds: string;
  let sysPub: string;

  before(async () => {
    t = await TestStack.fromFolder(PROJECT, `faults-${process.pid}`, {
      timeoutMs: { value: String(TIMEOUT_MS) },
    });
    const base = (await t.up()).outputs;
    sysCreds = String(base.sysCreds.value);
    sysPub = String(base.sysPub.value);
    const body = renderServerConfig({
      operator: String(base.operatorJwt.value),
      systemAccount: sysPub,
      resolver: { type: "full", dir: "jwt", allowDelete: true, interval: "2m", timeout: "1.9s" },
      preload: { [sysPub]: String(base.sysJwt.value) },
    });
    [a, b] = await Promise.all([
      NatsServer.start({ name: "fault-a", body }),
      NatsServer.start({ name: "fault-b", body }),
    ]);
  });

  after(async () => {
    // Whatever happened: no server stays frozen, every process this file started is stopped.
    for (const s of [a, b]) if (s?.pid) process.kill(s.pid, "SIGCONT");
    await t?.dispose();
    await closeAllResolvers();
    await Promise.all([a?.[Symbol.asyncDispose](), b?.[Symbol.asyncDispose]()]);
  });

  it("faults - server down while accounts are created: an error per account naming it and the server, nothing recorded as pushed, a rerun converges", async () => {
    await a.stop();
    await t.stack.setAllConfig({
      servers: { value: JSON.stringify([a.url]) },
      accounts: { value: "2" },
    });
    const failed = await pulumi(t, ["up", "--yes", "--skip-preview"]);
    assert.notEqual(failed.code, 0, "up fails while the server is down");
    for (const name of ["A1", "A2"]) {
      assert.match(
        failed.out,
        new RegExp(`Account "${name}": push to the resolver failed: .*${literal(a.url)}.*connection refused`),
      );
    }
    assertClean(failed.out, ["A1", "A2"]);
    const d = await deployment(t);
    for (const name of ["A1", "A2"]) {
      const state = accountState(d, name);
      assert.ok(state, `Account ${name} is recorded (its key is kept)`);
      assert.equal(state.pushedTo, 0, "not recorded as pushed");
      assert.equal(state.pushedHash, "");
    }

    await a.restart();
    const up = await t.up();
    const accounts = up.outputs.accounts.value as Record<string, { publicKey: string; pushedTo: number }>;
    assert.deepEqual(
      Object.values(accounts).map((x) => x.pushedTo),
      [1, 1],
    );
    for (const name of ["A1", "A2"])
      assert.equal(accounts[name].publicKey, accountState(d, name)?.publicKey, "the recorded key was kept");
    assert.deepEqual(await heldNames(a.url, sysCreds, sysPub), ["A1", "A2"]);
    const creds = up.outputs.userCreds.value as Record<string, string>;
    for (const name of ["A1", "A2"]) await userConnects(a.url, creds[name]);
    assert.equal(changeCount((await t.preview()).changeSummary), 0);
  });

  it("faults - a frozen server (SIGSTOP) fails up within the resolver bound, naming the server; after SIGCONT up converges", async () => {
    const pid = a.pid;
    assert.ok(pid, "server a runs");
    await t.stack.setConfig("conn", { value: "5" });
    process.kill(pid, "SIGSTOP");
    let failed: Run;
    try {
      failed = await pulumi(t, ["up", "--yes", "--skip-preview"]);
    } finally {
      process.kill(pid, "SIGCONT");
    }
    assert.notEqual(failed.code, 0, "up fails while the server is frozen");
    for (const name of ["A1", "A2"]) {
      assert.match(
        failed.out,
        new RegExp(
          `Account "${name}": push to the resolver failed: .*${literal(a.url)}: no answer within ${TIMEOUT_MS} ms`,
        ),
      );
    }
    assertClean(failed.out, ["A1", "A2"]);
    assert.equal(accountState(await deployment(t), "A1")?.pushedTo, 0);

    // Converges once thawed; a second server joins the list in the same run (the next test needs it).
    await t.stack.setConfig("servers", { value: JSON.stringify([a.url, b.url]) });
    const up = await t.up();
    const accounts = up.outputs.accounts.value as Record<string, { pushedTo: number }>;
    assert.deepEqual([accounts.A1.pushedTo, accounts.A2.pushedTo], [2, 2]);
    assert.deepEqual(await heldNames(b.url, sysCreds, sysPub), ["A1", "A2"], "the added server got both");
    assert.equal(changeCount((await t.preview()).changeSummary), 0);
  });

  it("faults - refresh with one of two servers down flags the accounts unverified, naming the server; never in sync", async () => {
    await b.stop();
    const refresh = await pulumi(t, ["refresh", "--diff", "--yes", "--skip-preview"]);
    assert.equal(refresh.code, 0, `refresh keeps the state and reports:\n${refresh.out}`);
    assert.match(refresh.out, new RegExp(`unverified\\s*: "${literal(b.url)} not asked`));
    assert.doesNotMatch(refresh.out, /^\s+at .+:\d+:\d+\)?$/m, "no stack trace");
    const d = await deployment(t);
    for (const name of ["A1", "A2"]) {
      const state = accountState(d, name);
      assert.equal(state?.pushedHash, "", `${name} is not recorded as in sync`);
      assert.match(String((state?.drift as Record<string, string>)?.unverified), new RegExp(literal(b.url)));
    }
    const preview = await t.preview();
    assert.equal(preview.changeSummary.update, 2, "the next up pushes both accounts again");

    await b.restart();
    await t.refresh();
    const verified = await deployment(t);
    for (const name of ["A1", "A2"]) {
      const state = accountState(verified, name);
      assert.equal(state?.pushedHash, state?.claimsHash, `${name} verified on both servers`);
      assert.equal(state?.drift, undefined);
    }
    assert.equal(changeCount((await t.preview()).changeSummary), 0);
  });

  it("faults - SIGKILL of pulumi up mid-run, then the README's recovery: no identity replaced, no duplicate, users connect, 0 changes", async () => {
    const gate = path.join(t.dir, "gate-open");
    // A3 is created and pushed freely; A4 and A5 wait behind the gate, so the run is still going
    // (with creates in flight) when the kill comes.
    await t.stack.setAllConfig({
      accounts: { value: "5" },
      gate: { value: gate },
      gateAfter: { value: "3" },
    });
    const before = identityKeys(await deployment(t));
    const heldBefore = (await heldNames(a.url, sysCreds, sysPub)).length;

    const child: ChildProcess = spawn(
      toolPath("pulumi"),
      ["up", "--yes", "--skip-preview", "--stack", t.stack.name, "--non-interactive"],
      {
        cwd: t.stack.workspace.workDir,
        env: { ...process.env, ...t.env },
        // Its own process group: the kill takes the CLI, the language host and the program
        // together, as a kill -9 of a CI job would. (The CLI starts the provider plugin in a group
        // of its own, which outlives the kill: see killLeftovers.)
        detached: true,
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let killedOut = "";
    child.stdout?.on("data", (chunk) => {
      killedOut += chunk;
    });
    child.stderr?.on("data", (chunk) => {
      killedOut += chunk;
    });
    const exited = new Promise<void>((resolve) => child.once("close", () => resolve()));
    let running = true;
    void exited.then(() => {
      running = false;
    });
    try {
      // Progress as the servers see it: A3 pushed.
      while (running && (await heldNames(a.url, sysCreds, sysPub)).length <= heldBefore) await sleep(50);
      assert.ok(running, `the run is held at the gate, not finished:\n${killedOut}`);
    } finally {
      if (child.pid) process.kill(-child.pid, "SIGKILL");
      await exited;
      killLeftovers(t.env.PULUMI_HOME);
    }

    // The killed run left its lock: the next up refuses until `pulumi cancel`. (When the kill cut the
    // checkpoint write short, the CLI stops earlier, at loading it; the recovery below handles both.)
    const locked = await pulumi(t, ["up", "--yes", "--skip-preview"]);
    assert.notEqual(locked.code, 0);
    assert.match(locked.out, /the stack is currently locked|failed to load checkpoint/);

    // The recovery, as README "Recovering from an interrupted up" gives it.
    fs.writeFileSync(gate, "");
    const cancel = await pulumi(t, ["cancel", "--yes"]);
    assert.equal(cancel.code, 0, cancel.out);
    let exported = await pulumi(t, ["stack", "export"]);
    if (exported.code !== 0 && /failed to load checkpoint/.test(exported.out)) {
      // The kill cut a checkpoint write short: the README's file-backend step puts the previous back.
      const stacks = path.join(t.dir, "backend", ".pulumi", "stacks", "faults");
      console.log(
        `checkpoint cut short by the kill (${exported.out.trim()}): restoring ${t.stack.name}.json.bak`,
      );
      fs.copyFileSync(
        path.join(stacks, `${t.stack.name}.json.bak`),
        path.join(stacks, `${t.stack.name}.json`),
      );
      exported = await pulumi(t, ["stack", "export"]);
    }
    assert.equal(exported.code, 0, exported.out);
    const interrupted = (JSON.parse(exported.stdout) as { deployment: Deployment }).deployment;
    assert.ok(interrupted.pending_operations?.length, "the kill left pending operations");
    const refresh = await pulumi(t, ["refresh", "--clear-pending-creates", "--yes", "--skip-preview"]);
    assert.equal(refresh.code, 0, refresh.out);
    const up = await t.up();
    assert.equal(up.summary.result, "succeeded");

    const d = await deployment(t);
    assert.deepEqual(d.pending_operations ?? [], [], "no pending operations left");
    const keys = identityKeys(d);
    const recorded = identityKeys(interrupted);
    for (const [urn, pub] of [...before, ...recorded]) {
      assert.equal(keys.get(urn), pub, `${urn} keeps its key`);
    }
    assert.deepEqual(
      await heldNames(a.url, sysCreds, sysPub),
      ["A1", "A2", "A3", "A4", "A5"],
      "each account once on the server: no duplicate",
    );
    assert.deepEqual(await heldNames(b.url, sysCreds, sysPub), ["A1", "A2", "A3", "A4", "A5"]);
    const accounts = up.outputs.accounts.value as Record<string, { publicKey: string; pushedTo: number }>;
    assert.deepEqual(
      Object.values(accounts).map((x) => x.pushedTo),
      [2, 2, 2, 2, 2],
    );
    const creds = up.outputs.userCreds.value as Record<string, string>;
    for (const name of Object.keys(accounts)) await userConnects(a.url, creds[name]);
    const preview = await t.preview();
    assert.equal(changeCount(preview.changeSummary), 0);
    assert.doesNotMatch(preview.stdout, /pending operations/, "no warning about the interrupted run");
  });

  it("faults - a delete the servers refuse fails destroy with one line per account, without a stack trace", async () => {
    fs.writeFileSync(b.configPath, b.configText.replace(/allow_delete:\s*true/, "allow_delete: false"));
    await b.restart();
    const refused = await pulumi(t, ["destroy", "--yes", "--skip-preview"]);
    assert.notEqual(refused.code, 0, "destroy fails while a server refuses deletes");
    const names = ["A1", "A2", "A3", "A4", "A5"];
    for (const name of names) {
      assert.match(
        refused.out,
        new RegExp(
          `Account "${name}": the resolver refused to delete the account \\(fault-b: .*delete must be enabled`,
        ),
      );
    }
    assertClean(refused.out, names);
    assert.deepEqual(await heldNames(b.url, sysCreds, sysPub), names, "still on the refusing server");
  });
});
