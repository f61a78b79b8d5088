/**
 * How a mistake in a program reaches the user. Pulumi prints a thrown error through
 * `util.inspect(err, { colors: true })` unless it is a RunError; our program errors are RunErrors (one
 * line, no stack). And the Node.js the tools install must not hang in that inspect: Node 20.20.2 and
 * 22.23.3 loop in `markNodeModules` on a stack frame like `node_modules/@pulumi/resource.ts` (what
 * @pulumi/pulumi's source maps produce) until the string overflows, 40–140 s later.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { Account, User } from "../../sdk";
import { toolPath } from "../harness/paths";

describe("program errors", () => {
  it("program errors - a missing signer is a RunError naming the resource and the field", () => {
    const noSeed = { seed: undefined } as unknown as Account;
    assert.throws(
      () => new User("u", { account: noSeed }),
      (e: unknown) => pulumi.RunError.isInstance(e) && /^User "u": signer: /.test((e as Error).message),
    );
    assert.throws(
      () => new Account("a", { operator: { seed: undefined } as never }),
      (e: unknown) => pulumi.RunError.isInstance(e) && /^Account "a": signer: /.test((e as Error).message),
    );
  });

  it("program errors - the tools' node inspects an error with a scoped-package stack frame", () => {
    const script = [
      'const e = new Error("x");',
      'e.stack = "Error: x\\n    at f (/p/node_modules/@pulumi/resource.ts:1:2)";',
      'try { require("util").inspect(e, { colors: true }); console.log("ok"); }',
      "catch (err) { console.log(err.message); }",
    ].join("\n");
    // The bound only stops a looping node from holding the suite; a sound one answers at once.
    const out = execFileSync(toolPath("node"), ["-e", script], { encoding: "utf8", timeout: 180_000 });
    assert.equal(
      out.trim(),
      "ok",
      `node ${execFileSync(toolPath("node"), ["--version"], { encoding: "utf8" })}`,
    );
  });
});
