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
});
