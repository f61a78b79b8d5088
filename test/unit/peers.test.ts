/**
 * Imports between Accounts of one program (Pulumi mocks: no engine): an Account sends the exports of
 * the program's Accounts it imports from, and its handler's check refuses an import those exports do
 * not allow, whatever order the accounts are declared in, and service imports that come back.
 */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import type { Failure } from "../../core/errors";
import { createKeyPair } from "../../core/nkeys";
import { handler as account } from "../../provider/account";
import type { Handler } from "../../provider/kit/handler";
import { UNKNOWN } from "../../provider/kit/unknown";
import * as sdk from "../../sdk";

/** The inputs each Account was registered with, as the engine hands them to the provider. */
const sent = new Map<string, Record<string, unknown>>();
const registered = new Map<string, () => void>();
const inputsOf = (name: string) =>
  new Promise<Record<string, unknown>>((resolve) => {
    const have = sent.get(name);
    if (have) resolve(have);
    else registered.set(name, () => resolve(sent.get(name)!));
  });

/** The inputs with Pulumi's secret wrappers taken off, as the provider receives them. */
function unwrap(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(unwrap);
  if (v === null || typeof v !== "object") return v;
  const o = v as Record<string, unknown>;
  if ("4dabf18193072939515e22adb298388d" in o) return unwrap(o.value);
  return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, unwrap(x)]));
}

async function failures(name: string): Promise<Failure[]> {
  const h = account as unknown as Handler<object, object>;
  return (await h.check({}, unwrap(await inputsOf(name)) as object)).failures;
}

describe("peers", () => {
  const op = createKeyPair("operator");
  const operator = { publicKey: op.getPublicKey(), seed: pulumi.secret(op.seed()) };

  before(async () => {
    await pulumi.runtime.setMocks(
      {
        newResource: (args) => {
          if (args.inputs.signing) {
            sent.set(args.name, args.inputs);
            registered.get(args.name)?.();
          }
          // A KeyPair's outputs are made by its provider: made here the same way.
          if (args.inputs.kind === "account" && !args.inputs.signing) {
            const k = createKeyPair("account");
            return {
              id: k.getPublicKey(),
              state: { ...args.inputs, publicKey: k.getPublicKey(), seed: k.seed() },
            };
          }
          return { id: `${args.name}-id`, state: args.inputs };
        },
        call: () => ({}),
      },
      "project",
      "stack",
      false,
    );
  });

  it("peers - an import of a subject the program's exporter does not export fails check, naming the exporter", async () => {
    const billing = new sdk.Account("BILLING", {
      operator,
      exports: [
        { subject: "billing.>", type: "service" },
        { subject: "private.>", type: "service", tokenRequired: true },
      ],
    });
    new sdk.Account("SHOP", {
      operator,
      imports: [
        { subject: "billing.invoice", account: billing.publicKey, type: "service" },
        { subject: "orders.new", account: billing.publicKey, type: "service" },
        { subject: "billing.feed", account: billing.publicKey, type: "stream" },
        { subject: "private.x", account: billing.publicKey, type: "service" },
      ],
    });
    const f = await failures("SHOP");
    assert.deepEqual(
      f.map((x) => x.property),
      ["imports[1].subject", "imports[2].type", "imports[3].token"],
      JSON.stringify(f),
    );
    assert.match(f[0].reason, /BILLING \(A[A-Z0-9]{55}\) exports no service containing "orders\.new"/);
  });

  it("peers - an exporter declared after its importer, by KeyPair, is found; a service cycle is refused in both", async () => {
    const aKey = new sdk.KeyPair("A-key", { kind: "account" });
    const bKey = new sdk.KeyPair("B-key", { kind: "account" });
    new sdk.Account("A", {
      operator,
      key: aKey,
      exports: [{ subject: "echo.>", type: "service" }],
      imports: [{ subject: "echo.>", account: bKey.publicKey, type: "service" }],
    });
    new sdk.Account("B", {
      operator,
      key: bKey,
      exports: [{ subject: "echo.>", type: "service" }],
      imports: [{ subject: "echo.>", account: aKey.publicKey, type: "service" }],
    });
    for (const [name, other] of [
      ["A", "B"],
      ["B", "A"],
    ]) {
      const f = await failures(name);
      assert.deepEqual(
        f.map((x) => x.property),
        ["imports[0].subject"],
        `${name}: ${JSON.stringify(f)}`,
      );
      assert.match(
        f[0].reason,
        new RegExp(`leads back to this account \\(${other} imports "echo\\.>" from this account\\)`),
      );
    }
  });

  it("peers - imports that fit the exporter's exports pass, and an account without imports sends no peers", async () => {
    const feed = new sdk.Account("FEED", {
      operator,
      exports: [{ subject: "feed.>", type: "stream" }],
    });
    new sdk.Account("READER", {
      operator,
      imports: [{ subject: "feed.prices", account: feed.publicKey, type: "stream" }],
    });
    assert.deepEqual(await failures("READER"), []);
    assert.equal((await inputsOf("FEED")).peers, undefined);
    assert.equal(((await inputsOf("READER")).peers as unknown[]).length, 1);
  });
});

describe("peers - diff", () => {
  it("peers - a change in the exporters' exports alone, known or not yet, is no change of the importer", async () => {
    const op = createKeyPair("operator");
    const exporter = createKeyPair("account").getPublicKey();
    const peers = (subject: string) => [
      { publicKey: exporter, name: "EXP", exports: [{ subject, type: "service" as const }] },
    ];
    const inputs = {
      name: "IMP",
      operatorPublicKey: op.getPublicKey(),
      signerSeed: op.seed(),
      imports: [{ subject: "svc.a", account: exporter, type: "service" as const }],
      peers: peers("svc.>"),
    };
    const { id, outs } = await account.create(inputs);
    assert.deepEqual(await account.diff(id, outs, { ...inputs, peers: peers("svc.*") }), { changes: false });
    // In a preview where an exporter's exports are not known yet.
    const pending = [{ ...peers("svc.>")[0], exports: UNKNOWN as unknown as [] }];
    assert.deepEqual(await account.diff(id, outs, { ...inputs, peers: pending }), { changes: false });
  });
});
