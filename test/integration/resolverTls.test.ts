/**
 * Resolver connections over TLS against TLS-only nats-servers that verify client certificates
 * (certificates made here with openssl): an account is pushed and looked up with a CA and client
 * certificate given as files, and with PEM text to a server that wants the TLS handshake first; without
 * the CA the push fails and says why.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { renderServerConfig } from "../../core/serverConfig";
import { closeAllResolvers } from "../../io/resolverPool";
import { handler as account } from "../../provider/account";
import type { AccountResolver } from "../../provider/contracts";
import { type World, world } from "../harness/identities";
import { NatsServer } from "../harness/natsServer";

/** A CA, a server certificate for 127.0.0.1 and a client certificate, as files in `dir`. */
function makeCertificates(
  dir: string,
): Record<"ca" | "serverCert" | "serverKey" | "clientCert" | "clientKey", string> {
  const f = (name: string) => path.join(dir, name);
  const openssl = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  openssl("req", "-x509", ...ec, "-keyout", "ca.key", "-out", "ca.pem", "-days", "1", "-subj", "/CN=test-ca");
  for (const [who, ext] of [
    // DNS:localhost too: when it upgrades a plain connection to an IP address, nats.js (transport-node
    // 3.4) passes no server name and Node then checks the certificate against "localhost".
    ["server", "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n"],
    ["client", "extendedKeyUsage=clientAuth\n"],
  ]) {
    fs.writeFileSync(f(`${who}.ext`), ext);
    openssl("req", ...ec, "-keyout", `${who}.key`, "-out", `${who}.csr`, "-subj", `/CN=${who}`);
    openssl(
      "x509",
      "-req",
      "-in",
      `${who}.csr`,
      "-CA",
      "ca.pem",
      "-CAkey",
      "ca.key",
      "-CAcreateserial",
      "-out",
      `${who}.pem`,
      "-days",
      "1",
      "-extfile",
      `${who}.ext`,
    );
  }
  return {
    ca: f("ca.pem"),
    serverCert: f("server.pem"),
    serverKey: f("server.key"),
    clientCert: f("client.pem"),
    clientKey: f("client.key"),
  };
}

describe("integration resolver TLS - push and lookup to TLS-only servers", () => {
  let w: World;
  let dir: string;
  let certs: ReturnType<typeof makeCertificates>;
  const servers: NatsServer[] = [];

  const tlsServer = async (handshakeFirst: boolean) => {
    const s = await NatsServer.start({
      body: `${renderServerConfig({
        operator: w.operator.jwt,
        systemAccount: w.sys.publicKey,
        resolver: { type: "full", dir: "jwt", allowDelete: true },
        preload: { [w.sys.publicKey]: w.sys.jwt },
      })}
tls {
  cert_file: ${JSON.stringify(certs.serverCert)}
  key_file: ${JSON.stringify(certs.serverKey)}
  ca_file: ${JSON.stringify(certs.ca)}
  verify: true
  handshake_first: ${handshakeFirst}
}`,
    });
    servers.push(s);
    return s;
  };

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "pna-tls-"));
    certs = makeCertificates(dir);
    w = await world();
  });
  after(async () => {
    await closeAllResolvers();
    for (const s of servers) await s[Symbol.asyncDispose]();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("resolver TLS - CA and client certificate files: pushed, then found by refresh", async () => {
    const s = await tlsServer(false);
    const resolver: AccountResolver = {
      servers: [`tls://127.0.0.1:${s.port}`],
      creds: w.sysUser.creds,
      timeoutMs: 3000,
      tls: { caFile: certs.ca, certFile: certs.clientCert, keyFile: certs.clientKey },
    };
    const app = await w.newAccount("TLS-FILES", {}, { resolver });
    assert.equal(app.pushedTo, 1);
    const read = await account.read!(app.publicKey, app);
    assert.equal(read.props.pushedHash, app.claimsHash, "refresh finds the account over TLS");
  });

  it("resolver TLS - PEM text and handshake first", async () => {
    const s = await tlsServer(true);
    const pem = (p: string) => fs.readFileSync(p, "utf8");
    const resolver: AccountResolver = {
      servers: [`nats://127.0.0.1:${s.port}`],
      creds: w.sysUser.creds,
      timeoutMs: 3000,
      tls: {
        ca: pem(certs.ca),
        cert: pem(certs.clientCert),
        key: pem(certs.clientKey),
        handshakeFirst: true,
      },
    };
    const app = await w.newAccount("TLS-PEM", {}, { resolver });
    assert.equal(app.pushedTo, 1);
  });

  it("resolver TLS - without the CA the server's certificate is not trusted: the push fails and says so", async () => {
    const s = servers[0];
    const resolver: AccountResolver = {
      servers: [`tls://127.0.0.1:${s.port}`],
      creds: w.sysUser.creds,
      timeoutMs: 3000,
      tls: { certFile: certs.clientCert, keyFile: certs.clientKey },
    };
    await assert.rejects(w.newAccount("TLS-NO-CA", {}, { resolver }), (e: Error) => {
      console.log(`without the CA: ${e.message}`);
      return /certificate|self.signed|UNABLE_TO_VERIFY|issuer/i.test(e.message);
    });
  });

  it("resolver TLS - a client certificate without its key is refused at preview", async () => {
    const failures = (
      await account.check(
        {},
        {
          name: "X",
          operatorPublicKey: w.operator.publicKey,
          operatorSigningKeys: w.operator.signingKeys,
          operatorStrict: true,
          signerSeed: w.operatorSigningKey.seed,
          resolver: {
            servers: ["tls://127.0.0.1:4222"],
            creds: w.sysUser.creds,
            tls: { certFile: "/c.pem" },
          },
        },
      )
    ).failures;
    assert.deepEqual(
      failures.map((f) => f.property),
      ["resolver.tls.keyFile"],
    );
  });
});
