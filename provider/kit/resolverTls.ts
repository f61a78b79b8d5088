/**
 * Preview checks of `resolver.tls`. Property names never point into the PEM fields' values (the
 * whole resolver is a secret, and the engine prints the value of the property a failure names).
 */
import type { Checker } from "../../core/validation";
import type { ResolverTls } from "../../io/resolverClient";

const PEM = /-----BEGIN [A-Z ]+-----/;

export function checkResolverTls(c: Checker, tls: ResolverTls | undefined): void {
  if (tls === undefined || tls === null) return;
  if (typeof tls !== "object") {
    c.fail(
      "resolver.tls",
      "must be an object ({ caFile?, ca?, certFile?, keyFile?, cert?, key?, handshakeFirst? })",
    );
    return;
  }
  for (const f of ["caFile", "certFile", "keyFile"] as const) {
    const v = tls[f];
    if (v !== undefined && (typeof v !== "string" || !v)) c.fail(`resolver.tls.${f}`, "must be a file path");
  }
  for (const f of ["ca", "cert", "key"] as const) {
    const v = tls[f];
    if (v !== undefined && (typeof v !== "string" || !PEM.test(v))) {
      c.fail(
        `resolver tls ${f}`,
        `resolver.tls.${f}: must be PEM text (-----BEGIN …-----); for a path use ${f}File`,
      );
    }
  }
  if (tls.ca !== undefined && tls.caFile !== undefined)
    c.fail("resolver.tls.caFile", "give caFile or ca, not both");
  const cert = tls.cert !== undefined || tls.certFile !== undefined;
  const key = tls.key !== undefined || tls.keyFile !== undefined;
  if (cert !== key) {
    c.fail(
      cert ? "resolver.tls.keyFile" : "resolver.tls.certFile",
      "a client certificate needs its private key and the other way round: give both (certFile/keyFile or cert/key)",
    );
  }
  if (tls.handshakeFirst !== undefined && typeof tls.handshakeFirst !== "boolean") {
    c.fail("resolver.tls.handshakeFirst", "must be true or false");
  }
}
