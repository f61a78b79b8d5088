/**
 * Pulumi's runtime records a stack trace on every promise it makes while registering a resource
 * (`debuggablePromise`), only for its promise-leak report; this package's resources register
 * without them (sdk/dynamic.ts). Checked under mocks: the traces of a User's registration are empty,
 * a plain CustomResource's are not, the resource's own stack trace (its source position) is still
 * taken, the global limit is back afterwards even when the constructor throws, and with
 * `PULUMI_DEBUG_PROMISE_LEAKS` every trace is kept (run again in a child process with it set).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { before, describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { createKeyPair } from "../../core/nkeys";
import * as sdk from "../../sdk";

interface Debuggable {
  debuggablePromise<T>(p: Promise<T>, ctx: unknown): Promise<T>;
}
interface WithTrace {
  _debugStackTrace?: string;
}

/** Each stack-recording promise's context and whether its trace has frames. */
const recorded: { ctx: string; frames: boolean }[] = [];
const runtime = require("@pulumi/pulumi/runtime/debuggable") as Debuggable;
const original = runtime.debuggablePromise;
runtime.debuggablePromise = <T>(p: Promise<T>, ctx: unknown): Promise<T> => {
  const out = original(p, ctx);
  // The runtime writes the trace on the promise it was given.
  const trace = (p as WithTrace)._debugStackTrace ?? "";
  recorded.push({ ctx: String(ctx), frames: /\n\s+at /.test(trace) });
  return out;
};

/** The stack trace Pulumi takes of each resource's construction (its source position is the first frame). */
const resourceTraces: number[] = [];
const Resource = pulumi.Resource as unknown as { stackTrace(skip: number): unknown[] };
const stackTrace = Resource.stackTrace.bind(Resource);
Resource.stackTrace = (skip: number) => {
  const frames = stackTrace(skip);
  resourceTraces.push(frames.length);
  return frames;
};

const keepAll = !!process.env.PULUMI_DEBUG_PROMISE_LEAKS;
const of = (name: string) => recorded.filter((r) => r.ctx.includes(`resource:${name}[`));
const resolved = <T>(o: pulumi.Output<T>) => new Promise<T>((resolve) => o.apply(resolve));

class Plain extends pulumi.CustomResource {
  constructor(name: string) {
    super("test:index:Plain", name, { v: 1 });
  }
}

describe("promise stacks", () => {
  before(async () => {
    await pulumi.runtime.setMocks(
      {
        newResource: (args) => ({
          id: `${args.name}-id`,
          state: { ...args.inputs, publicKey: createKeyPair("user").getPublicKey() },
        }),
        call: () => ({}),
      },
      "project",
      "stack",
      false,
    );
  });

  it(
    keepAll
      ? "promise stacks - with PULUMI_DEBUG_PROMISE_LEAKS set, a User's registration keeps every trace"
      : "promise stacks - a User registers without recording traces; a plain resource and the source position keep theirs",
    async () => {
      const limit = Error.stackTraceLimit;
      const operator = {
        publicKey: createKeyPair("operator").getPublicKey(),
        seed: pulumi.secret(createKeyPair("operator").seed()),
      };
      const account = new sdk.Account("a", { operator });
      const traces = resourceTraces.length;
      const user = new sdk.User("a-u", { account, pub: { allow: ["a.>"] } });
      assert.ok(resourceTraces.length > traces, "Pulumi took the User's stack trace");
      assert.ok(resourceTraces[traces] > 0, "the User's stack trace has frames (its source position)");
      const plain = new Plain("p");
      assert.equal(Error.stackTraceLimit, limit, "the limit is restored");
      await resolved(user.urn);
      await resolved(plain.urn);

      const mine = of("a-u");
      const theirs = of("p");
      assert.ok(mine.length >= 30, `the User's registration made ${mine.length} promises`);
      assert.ok(theirs.length > 0 && theirs.every((r) => r.frames), "a plain resource's traces are recorded");
      const withFrames = mine.filter((r) => r.frames).length;
      if (keepAll) {
        assert.equal(withFrames, mine.length, "every trace kept");
      } else {
        // Those made after the constructor returned (awaiting Output inputs) are recorded as usual.
        assert.ok(
          mine.length - withFrames >= 30,
          `${mine.length - withFrames} of ${mine.length} without a trace: ${JSON.stringify(mine.filter((r) => r.frames))}`,
        );
      }
    },
  );

  it("promise stacks - the limit is restored when a resource's construction throws", () => {
    const limit = Error.stackTraceLimit;
    // Pulumi's Resource constructor refuses an empty name, inside the lowered section.
    assert.throws(() => new sdk.KeyPair("", { kind: "user" }), /name/);
    assert.equal(Error.stackTraceLimit, limit);
  });

  if (!keepAll) {
    it("promise stacks - PULUMI_DEBUG_PROMISE_LEAKS keeps every trace (this file again, in a child process)", () => {
      const child = spawnSync(process.execPath, ["--test", "--test-reporter=tap", __filename], {
        // Without the runner's own context the child reports in text, not to this runner.
        env: { ...process.env, NODE_TEST_CONTEXT: undefined, PULUMI_DEBUG_PROMISE_LEAKS: "1" },
        encoding: "utf8",
      });
      assert.equal(child.status, 0, child.stdout + child.stderr);
      assert.match(child.stdout, /# pass 2\b/);
      assert.match(child.stdout, /keeps every trace/);
    });
  }
});
