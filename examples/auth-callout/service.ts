/**
 * The auth callout service: places a client that presents the right token (CALLOUT_TOKEN, default
 * `s3cret-token`) into APP, allowed to send and receive on `app.>` (and replies on `_INBOX.>`), and
 * refuses any other. Its keys come from the stack's outputs on stdin (`pulumi stack output --json
 * --show-secrets | node service.ts`), its creds from out/callout-service.creds; NATS_URL is the
 * server (nats://127.0.0.1:4222). Node 22.18 or later runs this TypeScript file as it is.
 */
import { readFileSync } from "node:fs";
import { type AuthorizationRequest, decode, encodeAuthorizationResponse, encodeUser } from "@nats-io/jwt";
import { fromCurveSeed } from "@nats-io/nkeys";
import { connect, credsAuthenticator } from "@nats-io/transport-node";

interface Outputs {
  appAccount: string;
  authAccount: string;
  responseSigningKey: string;
  userSigningKey: string;
  xkeySeed?: string;
}

async function main(): Promise<void> {
  const o = JSON.parse(readFileSync(0, "utf8")) as Outputs;
  const token = process.env.CALLOUT_TOKEN ?? "s3cret-token";
  const enc = new TextEncoder();
  const xkp = o.xkeySeed ? fromCurveSeed(enc.encode(o.xkeySeed)) : undefined;
  const nc = await connect({
    servers: process.env.NATS_URL ?? "nats://127.0.0.1:4222",
    authenticator: credsAuthenticator(readFileSync("out/callout-service.creds")),
  });
  const sub = nc.subscribe("$SYS.REQ.USER.AUTH");
  console.log("callout service ready");
  for await (const m of sub) {
    // With an xkey, the request is sealed to it and the answer is sealed to the server's.
    const serverXkey = m.headers?.get("Nats-Server-Xkey");
    const opened = xkp && serverXkey ? xkp.open(m.data, serverXkey) : m.data;
    if (!opened) continue;
    const req = decode<AuthorizationRequest>(new TextDecoder().decode(opened)).nats as AuthorizationRequest;
    const data =
      req.connect_opts.auth_token === token
        ? {
            jwt: await encodeUser(
              "placed",
              req.user_nkey,
              o.appAccount,
              { pub: { allow: ["app.>", "_INBOX.>"] }, sub: { allow: ["app.>", "_INBOX.>"] } },
              { signer: o.userSigningKey, aud: o.appAccount },
            ),
          }
        : { error: "unknown token" };
    const res = await encodeAuthorizationResponse(req.user_nkey, req.server_id.id, o.authAccount, data, {
      signer: o.responseSigningKey,
    });
    m.respond(xkp && serverXkey ? xkp.seal(enc.encode(res), serverXkey) : res);
  }
}

main().catch((e: unknown) => {
  console.error(`callout service: ${String(e)}`);
  process.exit(1);
});
