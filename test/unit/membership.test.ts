/**
 * Membership on the program side (Pulumi mocks: no engine, no provider calls): users declared with
 * their account join its member list; one declared after the list was sent is a program error, never a
 * silently missing member (which the account would take as removed and revoke).
 */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import * as sdk from "../../sdk";

interface Member {
  name: string;
  revokeOnDelete: boolean;
}

describe("membership", () => {
  before(async () => {
    await pulumi.runtime.setMocks(
      {
        newResource: (args) => ({ id: `${args.name}-id`, state: args.inputs }),
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
});
