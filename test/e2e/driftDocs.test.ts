/**
 * docs/drift.md's cron job and CI job, run as written: the package packed with `npm pack` and
 * installed from the tarball into a project (test/harness/release.ts), the job lines read from the
 * docs file and run with `sh -c`, as cron and a CI runner run them. Silent and exit 0 while the
 * servers agree; the report (cron) and exit 1 (CI) once an account changed out of band.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { decodeJwt, sign } from "../../core/jwt";
import { fromSeed } from "../../core/nkeys";
import { renderServerConfig } from "../../core/serverConfig";
import { ResolverClient } from "../../io/resolverClient";
import { closeAllResolvers } from "../../io/resolverPool";
import { NatsServer } from "../harness/natsServer";
import { REPO_ROOT, TOOLS_BIN } from "../harness/paths";
import { PASSPHRASE, TestStack } from "../harness/pulumi";
import { currentTarball, installPackage } from "../harness/release";

const DOC = fs.readFileSync(path.join(REPO_ROOT, "docs", "drift.md"), "utf8");

/** The body of the first fenced block of `lang` in the docs. */
function block(lang: string): string {
  const m = new RegExp("```" + lang + "\\n([\\s\\S]*?)```").exec(DOC);
  assert.ok(m, `docs/drift.md has a ${lang} block`);
  return m[1];
}

const PROGRAM = `const pulumi = require("@pulumi/pulumi");
const { Account, OperatorWithSystemAccount } = require("pulumi-nats-auth");
const cfg = new pulumi.Config();
const ops = new OperatorWithSystemAccount("op", { generateSigningKey: true, strictSigningKeyUsage: true });
const servers = cfg.getObject("servers");
const app = servers
  ? new Account("APP", {
      operator: ops.operator,
      signer: ops.signingKey,
      limits: { conn: 10 },
      resolver: { servers, creds: ops.systemUser.creds, timeoutMs: 2000 },
    })
  : undefined;
module.exports = {
  operatorJwt: ops.operator.jwt,
  sysPub: ops.systemAccount.publicKey,
  sysJwt: ops.systemAccount.jwt,
  sysCreds: ops.systemUser.creds,
  operatorSigningSeed: ops.signingKey.seed,
  appJwt: app ? app.jwt : undefined,
};
`;

function sh(
  command: string,
  cwd: string,
  env: Record<string, string>,
): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn("/bin/sh", ["-c", command], { cwd, env });
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
    });
    child.stderr.on("data", (d) => {
      out += d;
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, out }));
  });
}

describe("e2e drift docs - docs/drift.md's cron and CI jobs run as written against the packed package", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pna-drift-docs-"));
  const home = path.join(dir, "home");
  const project = path.join(home, "nats-auth");
  const environment = TestStack.environment("drift-docs");
  let t: TestStack;
  let server: NatsServer;
  let o: Record<string, { value: unknown }>;
  /** The environment the pulumi CLI gets in these tests (backend, PULUMI_HOME, no update check). */
  const pulumiEnv = { ...environment.envVars, PATH: `${TOOLS_BIN}:/usr/bin:/bin` };

  before(async () => {
    fs.mkdirSync(project, { recursive: true });
    currentTarball(project);
    installPackage(project, "current.tgz");
    fs.writeFileSync(path.join(project, "Pulumi.yaml"), "name: nats-auth\nruntime: nodejs\nmain: index.js\n");
    fs.writeFileSync(path.join(project, "index.js"), PROGRAM);
    t = await TestStack.fromFolder(project, "prod", {}, environment);
    const signed = (await t.up()).outputs;
    server = await NatsServer.start({
      body: renderServerConfig({
        operator: String(signed.operatorJwt.value),
        systemAccount: String(signed.sysPub.value),
        resolver: { type: "full", dir: "jwt", allowDelete: true },
        preload: { [String(signed.sysPub.value)]: String(signed.sysJwt.value) },
      }),
    });
    await t.stack.setConfig("servers", { value: JSON.stringify([server.url]) });
    o = (await t.up()).outputs;
  });
  after(async () => {
    await closeAllResolvers();
    await t?.dispose();
    await server?.[Symbol.asyncDispose]();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** Pushes the account with a lowered connection limit and a later iat, behind the stack's back. */
  async function changeOutOfBand(): Promise<void> {
    const claims = decodeJwt(String(o.appJwt.value));
    (claims.nats.limits as Record<string, unknown>).conn = 7;
    const jwt = await sign(claims, fromSeed(String(o.operatorSigningSeed.value)), {
      minIat: (claims.iat ?? 0) + 1,
    });
    const c = await ResolverClient.connect({ servers: [server.url], creds: String(o.sysCreds.value) });
    try {
      assert.equal((await c.push(jwt)).accepted, 1);
    } finally {
      await c.close();
    }
  }

  /** The crontab's job line: its command, after the five schedule fields. */
  function cronJob(): string {
    const line = block("crontab")
      .split("\n")
      .find((l) => /^\S+ \S+ \S+ \S+ \S+ /.test(l) && !l.includes("="));
    assert.ok(line, "the crontab has a job line");
    return line.split(" ").slice(5).join(" ");
  }

  /** The workflow's `run` steps, with each step's env (`${{ vars.X }}` / `${{ secrets.X }}` resolved). */
  function ciSteps(repo: Record<string, string>): { run: string; env: Record<string, string> }[] {
    const steps: { run: string; env: Record<string, string> }[] = [];
    let inEnv = false;
    for (const line of block("yaml").split("\n")) {
      const run = /^\s*- run: (.*)$/.exec(line);
      if (run) {
        steps.push({ run: run[1], env: {} });
        inEnv = false;
      } else if (/^\s*- /.test(line)) inEnv = false;
      else if (/^\s+env:\s*$/.test(line) && steps.length) inEnv = true;
      else if (inEnv) {
        const kv = /^\s+([A-Z_]+): \$\{\{ ((?:vars|secrets)\.[A-Z_]+) \}\}/.exec(line);
        if (kv) {
          assert.ok(repo[kv[2]] !== undefined, `the test gives ${kv[2]}`);
          steps[steps.length - 1].env[kv[1]] = repo[kv[2]];
        }
      }
    }
    assert.ok(steps.length >= 2, "the workflow has run steps");
    return steps;
  }

  it("drift docs - the cron job prints nothing while the servers agree, and the report once they do not", async () => {
    // drift.env: what docs/drift.md says the user writes next to the project.
    fs.writeFileSync(
      path.join(project, "drift.env"),
      Object.entries(pulumiEnv)
        .map(([k, v]) => `export ${k}=${JSON.stringify(v)}\n`)
        .join(""),
      { mode: 0o600 },
    );
    const job = cronJob();
    // What cron gives a job: HOME, a shell, a minimal PATH.
    const cronEnv = { HOME: home, SHELL: "/bin/sh", PATH: "/usr/bin:/bin", LOGNAME: os.userInfo().username };
    const quiet = await sh(job, home, cronEnv);
    assert.equal(quiet.code, 0, quiet.out);
    assert.equal(quiet.out, "", "nothing to mail while the servers agree");

    await changeOutOfBand();
    const loud = await sh(job, home, cronEnv);
    assert.match(loud.out, /stack prod: DRIFT/, loud.out);
    assert.match(loud.out, /limit lowered out of band: conn 10 → 7 on all servers/);
  });

  it("drift docs - the CI job's steps: npm ci, then the check, which fails (exit 1) on drift", async () => {
    const repo = {
      "vars.PULUMI_BACKEND_URL": environment.envVars.PULUMI_BACKEND_URL,
      "secrets.PULUMI_CONFIG_PASSPHRASE": PASSPHRASE,
    };
    const steps = ciSteps(repo);
    // The runner: the checkout is the project; pulumi/actions put the CLI on PATH. The backend and the
    // passphrase come only from the step's env, as the workflow gives them.
    const runner: Record<string, string> = {
      HOME: os.homedir(),
      PATH: pulumiEnv.PATH,
      PULUMI_HOME: environment.envVars.PULUMI_HOME,
      PULUMI_SKIP_UPDATE_CHECK: "true",
      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
      // A runner with a warm npm cache (CI caches ~/.npm): npm ci reads it rather than the registry.
      npm_config_prefer_offline: "true",
      npm_config_audit: "false",
      npm_config_fund: "false",
    };
    let last = { code: null as number | null, out: "" };
    for (const step of steps) {
      last = await sh(step.run, project, { ...runner, ...step.env });
      if (step !== steps[steps.length - 1]) assert.equal(last.code, 0, `${step.run}: ${last.out}`);
    }
    // The drift left by the cron case: the job fails, which is how CI alerts.
    assert.equal(last.code, 1, last.out);
    assert.match(last.out, /limit lowered out of band: conn 10 → 7/);
  });
});
