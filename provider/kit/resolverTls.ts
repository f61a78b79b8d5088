/**
 * Preview checks of `resolver.tls`. Property names never point into the PEM fields' values (the
 * whole resolver is a secret, and the engine prints the value of the property a failure names).
 */
import type { Checker } from "../../core/validation";
import type { ResolverTls } from "../../io/resolverClient";

const PEM = /-----BEGIN [A-Z ]+-----/;

/**
 * How a failure names a field of the TLS settings: `resolver.tls.<field>` on an Account; the provider
 * configuration names its own keys (kit/providerConfig.ts). `pem` is true for the PEM text fields.
 */
export type TlsFieldName = (field: keyof ResolverTls, pem: boolean) => string;

const accountTlsName: TlsFieldName = (f, pem) => (pem ? `resolver tls ${f}` : `resolver.tls.${f}`);

export function checkResolverTls(
  c: Checker,
  tls: ResolverTls | undefined,
  name: TlsFieldName = accountTlsName,
): void {
  if (tls === undefined || tls === null) return;
  // How messages name the other fields: bare on an Account (beside the failing property), in full otherwise.
  const say = (f: keyof ResolverTls) => (name === accountTlsName ? f : name(f, false));
  if (typeof tls !== "object") {
    c.fail(
      "resolver.tls",
      "must be an object ({ caFile?, ca?, certFile?, keyFile?, cert?, key?, handshakeFirst? })",
    );
    return;
  }
  for (const f of ["caFile", "certFile", "keyFile"] as const) {
    const v = tls[f];
    if (v !== undefined && (typeof v !== "string" || !v)) c.fail(name(f, false), "must be a file path");
  }
  for (const f of ["ca", "cert", "key"] as const) {
    const v = tls[f];
    if (v !== undefined && (typeof v !== "string" || !PEM.test(v))) {
      c.fail(
        name(f, true),
        `${name(f, false)}: must be PEM text (-----BEGIN …-----); for a path use ${say(`${f}File`)}`,
      );
    }
  }
  if (tls.ca !== undefined && tls.caFile !== undefined)
    c.fail(name("caFile", false), `give ${say("caFile")} or ${say("ca")}, not both`);
  const cert = tls.cert !== undefined || tls.certFile !== undefined;
  const key = tls.key !== undefined || tls.keyFile !== undefined;
  if (cert !== key) {
    c.fail(
      name(cert ? "keyFile" : "certFile", false),
      `a client certificate needs its private key and the other way round: give both (${say("certFile")}/${say("keyFile")} or ${say("cert")}/${say("key")})`,
    );
  }
  if (tls.handshakeFirst !== undefined && typeof tls.handshakeFirst !== "boolean") {
    c.fail(name("handshakeFirst", false), "must be true or false");
  }
}
