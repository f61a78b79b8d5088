/**
 * resolver.waitMs against real nats-servers: a push waits for a server that starts late, and gives
 * up on one that never starts with a message saying how long it waited, how often it tried and what
 * the server said.
 */
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { ResolverError } from "../../core/errors";
import { renderServerConfig } from "../../core/serverConfig";
import { closeAllResolvers } from "../../io/resolverPool";
import { openWhenAnswering } from "../../provider/kit/resolverWait";
import { world } from "../harness/identities";
import { deadPort, NatsServer, withFreshPorts } from "../harness/natsServer";

describe("resolver wait", () => {
  const servers: NatsServer[] = [];
  after(async () => {
    await closeAllResolvers();
    await Promise.all(servers.map((s) => s[Symbol.asyncDispose]()));
  });

  it("resolver wait - gives up on a server that never starts, with the progress in the message", async () => {
    const w = await world();
    const url = `nats://127.0.0.1:${await deadPort()}`;
    await assert.rejects(
      openWhenAnswering({ servers: [url], creds: w.sysUser.creds }, 1_500),
      (e: unknown) => {
        assert.ok(e instanceof ResolverError);
        console.log(e.message);
        assert.match(e.message, /no resolver server answered within resolver\.waitMs \(1500 ms\)/);
        assert.match(e.message, /\d+ attempts over [\d.]+ s/);
        assert.match(e.message, new RegExp(url.replace(/[.]/g, "\\.")));
        return true;
      },
    );
  });

  it("resolver wait - waits for a server that starts late, then answers", async () => {
    const w = await world();
    const body = renderServerConfig({
      operator: w.operator.jwt,
      systemAccount: w.sys.publicKey,
      resolver: { type: "full", dir: "jwt" },
      preload: { [w.sys.publicKey]: w.sys.jwt },
    });
    // The client waits on the port before the server binds it: if another file's server takes it
    // first, the server cannot start, and both start again on another port.
    const fleet = await withFreshPorts("resolver wait", async (ports) => {
      const port = await ports.port();
      const opening = openWhenAnswering(
        { servers: [`nats://127.0.0.1:${port}`], creds: w.sysUser.creds },
        30_000,
      );
      // A failed attempt's wait runs out on its own (30 s at most); only its outcome is dropped.
      opening.catch(() => undefined);
      await new Promise((r) => setTimeout(r, 1_000));
      servers.push(await NatsServer.start({ port, body }));
      return opening;
    });
    assert.deepEqual(fleet.unreachable, []);
    assert.equal((await fleet.trust()).length, 1);
  });
});
