/**
 * Destroying an account needs its servers only when they may hold it: an account whose push never
 * reached a server (its servers were down from the start) is dropped without contacting them, while
 * one that was pushed, or whose state cannot tell (written by an earlier release), is deleted there.
 */
import assert from "node:assert/strict";
import * as net from "node:net";
import { before, describe, it } from "node:test";
import { formatCreds } from "../../core/creds";
import { createKeyPair } from "../../core/nkeys";
import { handler as account } from "../../provider/account";
import type { AccountState } from "../../provider/contracts";

/** A loopback port nothing listens on: connecting is refused at once. */
async function closedPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  const { port } = srv.address() as net.AddressInfo;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

describe("account destroy", () => {
  let inputs: Parameters<typeof account.create>[0];

  before(async () => {
    const op = createKeyPair("operator");
    const sysUser = createKeyPair("user");
    inputs = {
      name: "NEVER",
      operatorPublicKey: op.getPublicKey(),
      signerSeed: op.seed(),
      signedByIdentity: true,
      resolver: {
        servers: [`nats://127.0.0.1:${await closedPort()}`],
        creds: formatCreds("eyJhbGciOiJlZDI1NTE5In0.e30.sig", sysUser.seed()),
        timeoutMs: 1000,
      },
    } as Parameters<typeof account.create>[0];
  });

  /** The state a create records when its push fails (Pulumi keeps the error's `properties`). */
  async function failedCreate(): Promise<AccountState> {
    const err = await account.create(inputs).then(
      () => assert.fail("the push to a closed port must fail"),
      (e: unknown) => e as { properties?: AccountState; message: string },
    );
    assert.ok(err.properties, `a partial failure records state: ${err.message}`);
    return err.properties;
  }

  it("account destroy - an account whose push never reached a server is deleted without its servers", async () => {
    const state = await failedCreate();
    assert.equal(state.pushedHash, "");
    await account.delete!(state.publicKey, state);
  });

  it("account destroy - an account that may be on its servers still needs them", async () => {
    const state = await failedCreate();
    // Pushed once (pushedHash set), or state from a release that did not record where the JWT went.
    const pushed = { ...state, pushedHash: state.claimsHash };
    const { onServers: _o, ...older } = state as AccountState & { onServers?: boolean };
    for (const props of [pushed, older]) {
      await assert.rejects(account.delete!(state.publicKey, props as AccountState), /NEVER/);
    }
  });
});
