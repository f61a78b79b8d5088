/**
 * Membership on the program side (Pulumi mocks: no engine, no provider calls): users declared with
 * their account join its member list; one declared after the list was sent is a program error, never a
 * silently missing member (which the account would take as removed and revoke).
 */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { createKeyPair } from "../../core/nkeys";
import * as sdk from "../../sdk";

interface Member {
  name: string;
  revokeOnDelete: boolean;
}

const dave = createKeyPair("user");
const REMOVED = {
  [dave.getPublicKey()]: { at: 1700000000, name: "dave" },
  [createKeyPair("user").getPublicKey()]: { at: 1700000001, name: "erin" },
};

/** What a User's handler records of the JWTs it signed (the mock gives every User this). */
const ISSUED = { issuers: [createKeyPair("account").getPublicKey()] };

/** An output's value (mocks resolve every output). */
const resolved = <T>(o: pulumi.Output<T>) => new Promise<T>((resolve) => o.apply(resolve));

describe("membership", () => {
  before(async () => {
    await pulumi.runtime.setMocks(
      {
        // An Account's state holds the keys it revoked when their Users left (two of them here).
        newResource: (args) => ({
          id: `${args.name}-id`,
          state: args.type.endsWith(":Account")
            ? { ...args.inputs, removedUsers: REMOVED }
            : args.type.endsWith(":User")
              ? { ...args.inputs, issued: ISSUED }
              : args.inputs,
        }),
        call: () => ({}),
      },
      "project",
      "stack",
      false,
    );
  });

  /** The member list an Account sent (every prop is also an output; the mock echoes the inputs). */
  const sentMembers = (account: sdk.Account) => {
    const sent = (account as unknown as { members: pulumi.Output<Member[]> }).members;
    return new Promise<Member[]>((resolve) => sent.apply(resolve));
  };

  const accountArgs = () => ({
    operator: { publicKey: "O".padEnd(56, "A"), seed: pulumi.secret("SO".padEnd(58, "A")) },
  });

  it("membership - users declared with their account are sent as members; revokeOnDelete is kept", async () => {
    const app = new sdk.Account("APP", accountArgs());
    new sdk.User("a", { account: app });
    new sdk.User("b", { account: app, revokeOnDelete: false });
    const list = await sentMembers(app);
    assert.deepEqual(
      list.map((m) => [m.name, m.revokeOnDelete]),
      [
        ["a", true],
        ["b", false],
      ],
    );
  });

  it("membership - a user declared after an await cannot join: the error names the user and the account", async () => {
    const late = new sdk.Account("LATE", accountArgs());
    assert.deepEqual(await sentMembers(late), [], "sent without members");
    assert.throws(
      () => new sdk.User("straggler", { account: late }),
      /User "straggler": account: Account "LATE" had already sent its member list.*revokeOnDelete: false/s,
    );
  });

  it("membership - activation tokens join their exporter's token list; a late one is a program error", async () => {
    const billing = new sdk.Account("BILLING", {
      ...accountArgs(),
      exports: [{ subject: "billing.>", type: "service", tokenRequired: true }],
    });
    new sdk.ActivationToken("t1", {
      exporter: billing,
      importer: "A".padEnd(56, "B"),
      subject: "billing.x",
      type: "service",
    });
    const sent = (billing as unknown as { activations: pulumi.Output<{ name: string; subject: string }[]> })
      .activations;
    const list = await new Promise<{ name: string; subject: string }[]>((resolve) => sent.apply(resolve));
    assert.deepEqual(
      list.map((m) => [m.name, m.subject]),
      [["t1", "billing.x"]],
    );
    assert.throws(
      () =>
        new sdk.ActivationToken("late", {
          exporter: billing,
          importer: "A".padEnd(56, "B"),
          subject: "billing.y",
          type: "service",
        }),
      /ActivationToken "late": exporter: Account "BILLING" had already sent its token list/,
    );
  });

  it("membership - an account declared by public key holds no seed: its users must name a signer", () => {
    const dev = new sdk.Account("DEV", { ...accountArgs(), publicKey: "A".padEnd(56, "C") });
    assert.equal(dev.seed, undefined);
    assert.throws(() => new sdk.User("u", { account: dev }), /User "u": signer: pass an Account resource/);
    const sk = new sdk.SigningKey("dev-sk", { owner: "account" });
    assert.doesNotThrow(
      () => new sdk.User("v", { account: dev, signer: sk, publicKey: "U".padEnd(56, "D") }),
    );
  });

  it("membership - a user given its key joins with that key and its URN; it learns whether its key left", async () => {
    const app = new sdk.Account("KEYS", accountArgs());
    const back = new sdk.User("dave", { account: app, seed: pulumi.secret(dave.seed()) });
    const fresh = new sdk.User("frank", { account: app });
    const list = (await sentMembers(app)) as unknown as { name: string; urn: string; publicKey: string }[];
    const daveMember = list.find((m) => m.name === "dave");
    assert.equal(daveMember?.publicKey, dave.getPublicKey(), "the given key, known before the User");
    assert.equal(daveMember?.urn, await resolved(back.urn), "the URN Pulumi gives the User");
    assert.equal(list.find((m) => m.name === "frank")?.urn, await resolved(fresh.urn));
    type Signing = { accountRemovedUsers?: Record<string, unknown> };
    const signingOf = (u: sdk.User) =>
      resolved((u as unknown as { signing: pulumi.Output<Signing> }).signing);
    assert.deepEqual(
      (await signingOf(back)).accountRemovedUsers,
      { [dave.getPublicKey()]: REMOVED[dave.getPublicKey()] },
      "only its own entry reaches the User",
    );
    assert.equal((await signingOf(fresh)).accountRemovedUsers, undefined, "a generated key needs none");
    // A User's record of its JWTs goes with it to the Account (so its revocation can be pruned), but
    // only from a User the Account waits for: one given its key runs after its Account.
    const issuedOf = (name: string) =>
      (list as unknown as { name: string; issued?: unknown }[]).find((m) => m.name === name)?.issued;
    assert.deepEqual(issuedOf("frank"), ISSUED, "a generated key: its User's issued");
    assert.equal(issuedOf("dave"), undefined, "a given key: not read (no cycle), not known anyway");
  });
});
