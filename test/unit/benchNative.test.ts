/**
 * The bench's native path without the CLI: which programs BENCH_LANGS picks, that the YAML program
 * the bench writes declares the bench graph (the TS program's resources, users listed in their
 * account's `members`, account 0's limit from config), and that the /proc roles tell the native
 * plugin, the Go host's build and the Go program apart.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { describe, it } from "node:test";
import { benchLangs, yamlProgram } from "../../bench/native";
import { roleOf, watchProcesses } from "../../bench/processes";

describe("bench native path", () => {
  it("bench - BENCH_LANGS picks ts, yaml, go in that order, ts alone by default, and refuses others", () => {
    assert.deepEqual(benchLangs(undefined), ["ts"]);
    assert.deepEqual(benchLangs(""), ["ts"]);
    assert.deepEqual(benchLangs("ts,yaml,go"), ["ts", "yaml", "go"]);
    assert.deepEqual(benchLangs("go, yaml"), ["yaml", "go"]);
    assert.throws(() => benchLangs("ts,python"), /BENCH_LANGS takes ts,yaml,go .*"ts,python"/);
  });

  it("bench - the YAML program is the bench graph: component, per account key, signing key, account, users as members", () => {
    const text = yamlProgram({ accounts: 2, users: 3 });
    const types = [...text.matchAll(/^ {2}([\w-]+):\n {4}type: nats-auth:index:(\w+)$/gm)].map((m) => [
      m[1],
      m[2],
    ]);
    const count = (t: string) => types.filter(([, type]) => type === t).length;
    assert.equal(count("OperatorWithSystemAccount"), 1);
    assert.equal(count("KeyPair"), 2);
    assert.equal(count("SigningKey"), 2);
    assert.equal(count("Account"), 2);
    assert.equal(count("User"), 6);
    assert.equal(types.length, 13, "nothing else is declared");
    const account = (a: number) => text.slice(text.indexOf(`\n  a${a}:\n`) + 1).split(/\n {2}\S/)[0];
    for (let u = 0; u < 3; u++) assert.match(account(1), new RegExp(`- urn: \\$\\{a1-u${u}\\.urn\\}`));
    assert.doesNotMatch(account(1), /a0-u/);
    assert.match(account(0), /conn: \$\{conn0\}/);
    assert.match(account(1), /conn: 100\n/);
    assert.match(text, /^ {2}conn0:\n {4}type: integer\n {4}default: 100$/m);
  });

  it("bench - /proc roles: the native plugin is the provider, the Go host's build is apart from the Go program", () => {
    assert.equal(
      roleOf("node /w/dist/native/pulumi-resource-nats-auth.js 127.0.0.1:40000", false),
      "provider",
    );
    assert.equal(
      roleOf("node /w/node_modules/@pulumi/pulumi/cmd/dynamic-provider 127.0.0.1:1", false),
      "provider",
    );
    assert.equal(roleOf("/w/.tools/bin/pulumi-language-yaml 127.0.0.1:1", false), "language host");
    assert.equal(roleOf("/usr/local/go/bin/go build -o /tmp/pulumi-go.123456", false), "go build");
    assert.equal(
      roleOf("/usr/local/go/pkg/tool/linux_amd64/link -o $WORK/b001/exe/a.out", false),
      "go build",
    );
    assert.equal(roleOf("/tmp/pulumi-go.123456", false), "program");
    assert.equal(roleOf("pulumi up", true), "engine");
  });

  it("bench - a process first seen before it execs the program runner is counted as the program", async () => {
    // The language host forks, then execs node on cmd/run: a poll in between saw the host's command
    // line, and the program's CPU went to "language host" (a floor run printed "program 0.0").
    // `$R` keeps the pattern out of the command line until the exec.
    const busy = "while (process.cpuUsage().user < 400000);";
    const inner = `sleep 0.3; R=cmd; exec -a "node /x/$R/run" ${JSON.stringify(process.execPath)} -e '${busy}'`;
    // The inner script is passed as $0, so the outer shell expands nothing in it.
    const root = spawn("bash", ["-c", 'bash -c "$0"; true', inner], { stdio: "ignore" });
    const watch = watchProcesses(root.pid ?? 0, 20);
    await new Promise((resolve) => root.on("exit", resolve));
    const { cpuMs } = watch.stop();
    assert.ok(cpuMs.program >= 200, `program ${cpuMs.program} ms, other ${cpuMs.other} ms`);
  });
});
