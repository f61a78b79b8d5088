/**
 * ServerConfig's `restartRequired` against a real nats-server: true exactly while the server it
 * configures runs another operator configuration than the declared one (its /varz says), whatever
 * the stack's last update changed.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { operatorClaims } from "../../core/claims";
import { sign } from "../../core/jwt";
import { createKeyPair } from "../../core/nkeys";
import type { ServerConfigProps, ServerConfigState } from "../../provider/contracts";
import { handler as serverConfig } from "../../provider/serverConfigFile";
import { type World, world } from "../harness/identities";
import { NatsServer, withFreshPorts } from "../harness/natsServer";

describe("restartRequired - what the running server says", () => {
  let w: World;
  let server: NatsServer | undefined;
  const inputsFor = (port: number, httpPort: number): ServerConfigProps => ({
    serverName: "s1",
    host: "127.0.0.1",
    port,
    httpPort,
    operator: w.operator.jwt,
    systemAccount: w.sys.publicKey,
    resolver: { type: "memory" },
    preload: { [w.sys.publicKey]: w.sys.jwt },
    monitorUrl: `http://127.0.0.1:${httpPort}`,
  });

  before(async () => {
    w = await world({ strict: true });
  });
  after(async () => {
    await server?.[Symbol.asyncDispose]();
  });

  // The rendered config names the ports, and the restart below frees them for a moment: if another
  // file's server takes one, the server cannot start, and the whole scenario runs again elsewhere.
  it("restartRequired - follows the server: true while it runs the old operator, false once restarted, whatever else changes", () =>
    withFreshPorts("restartRequired", async (ports) => {
      const port = await ports.port();
      const httpPort = await ports.port();
      const inputs = inputsFor(port, httpPort);
      const run = async (text: string) => {
        await server?.[Symbol.asyncDispose]();
        server = await NatsServer.fromConfig(text, { port, httpPort, name: "s1" });
      };
      assert.deepEqual((await serverConfig.check({}, inputs)).failures, []);
      const first = (await serverConfig.create(inputs)).outs;
      await run(first.text);
      const running = await serverConfig.read!("id", first);
      assert.equal(running.props.restartRequired, false, "the server runs the declared operator");

      // A new operator signing key: the running server keeps the keys it started with.
      const sk = createKeyPair("operator");
      const op2 = await sign(
        operatorClaims("test-op", w.operator.publicKey, {
          signingKeys: [...(w.operator.signingKeys ?? []), sk.getPublicKey()],
          systemAccount: w.sys.publicKey,
          strictSigningKeyUsage: true,
        }),
        createKeyPair("operator"),
      );
      const moved = (await serverConfig.update!("id", first, { ...inputs, operator: op2 })).outs;
      assert.equal(moved.restartRequired, true, "the server still runs the old operator");

      // An unrelated change while the server still runs the old operator: still true.
      const named = (await serverConfig.update!("id", moved, { ...inputs, operator: op2, serverName: "s1b" }))
        .outs as ServerConfigState;
      assert.equal(named.restartRequired, true, "an unrelated change does not hide the needed restart");
      const refreshed = await serverConfig.read!("id", named);
      assert.equal(refreshed.props.restartRequired, true, "refresh asks the server: still the old operator");

      // Restarted with the new config: a converged `up` records it (the diff asks the server), and so
      // do refresh and later updates.
      const unchanged = { ...inputs, operator: op2, serverName: "s1b" };
      assert.equal(
        (await serverConfig.diff("id", named, unchanged)).changes,
        false,
        "still the old operator",
      );
      await run(named.text);
      assert.equal(
        (await serverConfig.diff("id", named, unchanged)).changes,
        true,
        "restarted: up updates it",
      );
      assert.equal((await serverConfig.update!("id", named, unchanged)).outs.restartRequired, false);
      const after = await serverConfig.read!("id", named);
      assert.equal(after.props.restartRequired, false, "the server runs the declared operator now");
      const later = (
        await serverConfig.update!("id", after.props, { ...inputs, operator: op2, serverName: "s1c" })
      ).outs;
      assert.equal(later.restartRequired, false);
    }));

  it("restartRequired - a monitorUrl that is not an http URL is refused at preview", async () => {
    // Only checked, never started: no port is bound.
    const bad = await serverConfig.check(
      {},
      { ...inputsFor(4222, 8222), monitorUrl: "nats://127.0.0.1:4222" },
    );
    assert.match(
      bad.failures?.map((f) => `${f.property}: ${f.reason}`).join("\n") ?? "",
      /monitorUrl: must be the server's monitoring URL/,
    );
  });
});
