/**
 * Input validation shared by every resource. A `Checker` collects `{property, reason}` failures, so
 * all problems of a resource are reported at once. Values not known yet (the caller says which, e.g.
 * Pulumi's preview placeholders) are skipped, never judged.
 */
import { importTokenProblems, subjectContains } from "./activation";
import {
  type AccountClaims,
  type AccountLimits,
  ConnectionTypes,
  type Export,
  type ExternalAuthorization,
  type Import,
  type JetStreamLimits,
  type MappingDestination,
  type OperatorClaims,
  type Permissions,
  type UserClaims,
  type UserTemplate,
} from "./claimInputs";
import { type Failure, ValidationError } from "./errors";
import { isPublicKey, type KeyKind, seedKind } from "./nkeys";
import { type AccountPeer, peerImportProblems } from "./peers";
import { mappingDestinationProblem } from "./subjectMapping";
import { dateTextProblem, INT64_LIMIT, parseDuration, toUnixSeconds } from "./units";
/** Says whether a value (or anything inside it) is still unknown, and so must not be judged. */
export type PendingTest = (value: unknown) => boolean;

export class Checker {
  readonly failures: Failure[] = [];
  readonly #pending: PendingTest;

  /** `pending` tells values not known yet (default: everything is known). */
  constructor(pending: PendingTest = () => false) {
    this.#pending = pending;
  }

  /** True when the value is present and fully known. */
  known(value: unknown): boolean {
    return value !== undefined && value !== null && !this.#pending(value);
  }

  /** True when the value, or anything inside it, is not known yet. */
  pending(value: unknown): boolean {
    return this.#pending(value);
  }

  /**
   * Records a failure. The same failure found by two checks (a subject is also text) is kept once,
   * under the property the first one named (`mappings["a"]` and `mappings.a` are one property).
   */
  fail(property: string, reason: string): void {
    const at = samePath(property);
    if (this.failures.some((f) => f.reason === reason && samePath(f.property) === at)) return;
    this.failures.push({ property, reason });
  }

  /**
   * Checks every string in `value` (and every key of its objects) for what a JWT text field cannot
   * carry (see `textProblem`), naming each by its path under `property`: every free-text field that
   * lands in a JWT (names, tags, descriptions, URLs, subjects, roles, …) is judged, including ones
   * added later.
   */
  text(property: string, value: unknown): void {
    if (value === undefined || value === null || this.pending(value)) return;
    if (typeof value === "string") {
      const reason = textProblem(value);
      if (reason) this.fail(property, reason);
      return;
    }
    if (Array.isArray(value)) {
      value.forEach((v, i) => {
        this.text(`${property}[${i}]`, v);
      });
      return;
    }
    if (typeof value !== "object") return;
    for (const [k, v] of Object.entries(value)) {
      const at = /^[A-Za-z_$][\w$]*$/.test(k)
        ? `${property ? `${property}.` : ""}${k}`
        : `${property}["${k}"]`;
      const keyReason = textProblem(k);
      if (keyReason) this.fail(at, keyReason);
      else this.text(at, v);
    }
  }

  /** True when no failure was recorded under this property (or below it). */
  passed(property: string): boolean {
    return this.failures.every((f) => f.property !== property && !f.property.startsWith(`${property}.`));
  }

  /** Throws a `ValidationError` listing every failure, if there is any. */
  throwIfFailed(resource: string): void {
    if (this.failures.length) throw new ValidationError(resource, this.failures);
  }

  subject(property: string, value: unknown, opts: { wildcards?: boolean } = {}): void {
    if (!this.known(value)) return;
    const reason = subjectProblem(value, opts.wildcards ?? true);
    if (reason) this.fail(property, reason);
  }

  subjects(property: string, values: unknown, opts: { wildcards?: boolean } = {}): void {
    if (!this.known(values)) return;
    if (!Array.isArray(values)) {
      this.fail(property, "must be a list of subjects");
      return;
    }
    values.forEach((v, i) => {
      this.subject(`${property}[${i}]`, v, opts);
    });
  }

  publicKey(property: string, value: unknown, kind: KeyKind): void {
    if (!this.known(value)) return;
    if (!isPublicKey(value, kind)) {
      this.fail(
        property,
        `not a valid ${kind} public key (expected 56 characters starting with '${kindLetter(kind)}')`,
      );
    }
  }

  /**
   * Checks a seed input. `property` must not be the input's own key: Pulumi prints the value of the
   * property a failure names, and this one is a secret. `input` names the input in the reason.
   */
  seed(property: string, value: unknown, kinds: readonly KeyKind[], input = property): void {
    if (!this.known(value)) return;
    const kind = seedKind(value);
    if (!kind) this.fail(property, `${input}: not a valid nkey seed`);
    else if (!kinds.includes(kind))
      this.fail(property, `${input}: is a ${kind} seed, expected ${kinds.join(" or ")}`);
  }

  /** A Go int64 limit: an integer from -1 (unlimited) up to what an int64 holds. */
  limit(property: string, value: unknown): void {
    if (!this.known(value)) return;
    if (typeof value !== "number" || !Number.isInteger(value) || value < -1) {
      this.fail(property, `must be an integer >= -1 (-1 is unlimited), got ${JSON.stringify(value)}`);
    } else if (value >= INT64_LIMIT) {
      this.fail(
        property,
        `${value} does not fit the 64-bit integer the servers read (at most 9223372036854775807); use -1 for unlimited`,
      );
    }
  }

  date(property: string, value: unknown): void {
    if (!this.known(value)) return;
    if (typeof value === "number") {
      if (!(value > 0) || value >= INT64_LIMIT) {
        this.fail(property, `not a date (ISO-8601 text or unix seconds): ${JSON.stringify(value)}`);
      }
      return;
    }
    const problem =
      typeof value === "string"
        ? dateTextProblem(value)
        : `not a date (ISO-8601 text or unix seconds): ${JSON.stringify(value)}`;
    if (problem) this.fail(property, problem);
  }

  duration(property: string, value: unknown): void {
    if (!this.known(value)) return;
    try {
      const ns = parseDuration(value as string | number);
      if (ns >= INT64_LIMIT) {
        this.fail(
          property,
          `${JSON.stringify(value)} is longer than the servers' 64-bit nanosecond durations hold (about 292 years)`,
        );
      }
    } catch (e) {
      this.fail(property, (e as Error).message);
    }
  }

  /**
   * An allow list, if given, must name something: NATS reads `"allow":[]` exactly as no `allow` at
   * all, so an empty list would let the user use every subject.
   */
  private allowList(property: string, values: unknown, what: string): boolean {
    if (!this.known(values) || !Array.isArray(values) || values.length > 0) return true;
    this.fail(
      property,
      `is empty, which NATS reads as no restriction (${what}). To allow nothing, omit allow and set deny: [">"]; to allow everything, omit the field`,
    );
    return false;
  }

  /**
   * A list that restricts (sourceNetworks, times, allowedConnectionTypes): empty is written as no
   * restriction at all, the opposite of what an empty list of allowed things says.
   */
  private restrictionList(property: string, values: unknown, what: string): void {
    if (this.known(values) && Array.isArray(values) && values.length === 0) {
      this.fail(
        property,
        `is empty, which NATS reads as no restriction (${what}): omit it for no restriction, or list at least one entry`,
      );
    }
  }

  /** A URL written into a JWT, which anyone holding the JWT can read: no user, password or token in it. */
  publicUrl(property: string, value: unknown): void {
    if (!this.known(value) || typeof value !== "string") return;
    const reason = urlCredentialProblem(value);
    if (reason) this.fail(property, reason);
  }

  /** Checks pub/sub/resp; `property` is the path they sit under ("" for a user's own fields). */
  permissions(property: string, p: Permissions | undefined): void {
    if (!this.known(p) || !p) return;
    const prefix = property ? `${property}.` : "";
    for (const dir of ["pub", "sub"] as const) {
      const what = dir === "pub" ? "publish to any subject" : "subscribe to any subject";
      if (this.known(p[dir]) && p[dir]) this.allowList(`${prefix}${dir}.allow`, p[dir]!.allow, what);
      this.subjects(`${prefix}${dir}.allow`, p[dir]?.allow);
      this.subjects(`${prefix}${dir}.deny`, p[dir]?.deny);
    }
    if (p.resp) {
      this.limit(`${prefix}resp.maxMsgs`, p.resp.maxMsgs);
      this.duration(`${prefix}resp.ttl`, p.resp.ttl);
    }
  }

  userTemplate(property: string, t: UserTemplate): void {
    const prefix = property ? `${property}.` : "";
    this.permissions(property, { pub: t.pub, sub: t.sub, resp: t.resp });
    this.limit(`${prefix}subs`, t.subs);
    this.limit(`${prefix}data`, t.data);
    this.limit(`${prefix}payload`, t.payload);
    this.restrictionList(`${prefix}sourceNetworks`, t.sourceNetworks, "connect from any address");
    this.restrictionList(`${prefix}times`, t.times, "connect at any time");
    this.restrictionList(`${prefix}allowedConnectionTypes`, t.allowedConnectionTypes, "connect in any way");
    if (this.known(t.sourceNetworks)) {
      t.sourceNetworks!.forEach((cidr, i) => {
        const reason = cidrProblem(cidr);
        if (reason) this.fail(`${prefix}sourceNetworks[${i}]`, reason);
      });
    }
    if (this.known(t.times)) {
      t.times!.forEach((r, i) => {
        for (const end of ["start", "end"] as const) {
          if (!/^([01]\d|2[0-3]):[0-5]\d:[0-5]\d$/.test(String(r[end]))) {
            this.fail(`${prefix}times[${i}].${end}`, `must be HH:MM:SS, got ${JSON.stringify(r[end])}`);
          }
        }
      });
    }
    if (this.known(t.proxyRequired) && typeof t.proxyRequired !== "boolean") {
      this.fail(`${prefix}proxyRequired`, `must be true or false, got ${JSON.stringify(t.proxyRequired)}`);
    }
    if (this.known(t.timeZone) && !isTimeZone(t.timeZone!)) {
      this.fail(`${prefix}timeZone`, `not an IANA time zone: ${JSON.stringify(t.timeZone)}`);
    }
    if (this.known(t.allowedConnectionTypes)) {
      t.allowedConnectionTypes!.forEach((c, i) => {
        if (!(ConnectionTypes as readonly string[]).includes(c)) {
          this.fail(`${prefix}allowedConnectionTypes[${i}]`, `must be one of ${ConnectionTypes.join(", ")}`);
        }
      });
    }
    // Last, so a field the checks above judged keeps their failure (see fail).
    this.text(property, t);
  }

  /**
   * With `expiryAccepted`, an `expires` already past is not judged: it is the date of a JWT signed
   * while it was valid (an existing identity that expired), not a new mistake.
   */
  userClaims(c: UserClaims, opts: { expiryAccepted?: boolean } = {}): void {
    this.userTemplate("", c);
    this.validity(c, { future: !opts.expiryAccepted });
    this.text("", c);
  }

  /**
   * `expires` and `notBefore`: each a date; `expires` after `notBefore` (a JWT valid at no time is
   * refused by every server); with `future`, `expires` not already past (the server refuses an
   * expired JWT, so pushing or handing it out would only fail later). `now` is unix seconds.
   */
  validity(
    c: { expires?: unknown; notBefore?: unknown },
    opts: { future?: boolean } = {},
    now = Date.now() / 1000,
  ): void {
    this.date("expires", c.expires);
    this.date("notBefore", c.notBefore);
    const judged = (f: "expires" | "notBefore") => this.known(c[f]) && this.passed(f);
    if (!judged("expires")) return;
    const exp = toUnixSeconds(c.expires as string | number);
    if (judged("notBefore")) {
      const nbf = toUnixSeconds(c.notBefore as string | number);
      if (exp <= nbf) {
        this.fail(
          "expires",
          `${isoOf(exp)} is not after notBefore (${isoOf(nbf)}): the JWT would never be valid; move expires later or notBefore earlier`,
        );
        return;
      }
    }
    if (opts.future && exp <= now) {
      this.fail(
        "expires",
        `${isoOf(exp)} has already passed: servers refuse an expired JWT; set a later date or remove expires`,
      );
    }
  }

  /** A list of signing keys must name each key once; `at(i)` is the property of entry i. */
  private distinctKeys(keys: unknown[], at: (i: number) => string): void {
    const first = new Map<string, number>();
    keys.forEach((k, i) => {
      if (typeof k !== "string" || this.pending(k)) return;
      const j = first.get(k);
      if (j === undefined) first.set(k, i);
      else this.fail(at(i), `repeats ${at(j)} (${k}): list each signing key once`);
    });
  }

  accountLimits(l: AccountLimits | undefined): void {
    if (!l) return;
    for (const k of ["conn", "leaf", "data", "payload", "subs", "imports", "exports"] as const) {
      this.limit(`limits.${k}`, l[k]);
    }
  }

  jetstream(property: string, j: JetStreamLimits | undefined): void {
    if (!j) return;
    for (const k of ["memStorage", "diskStorage", "streams", "consumer", "maxAckPending"] as const) {
      this.limit(`${property}.${k}`, j[k]);
    }
    // Both 0 and -1 mean unlimited here: nsc writes -1, and adopted nsc JWTs must be expressible.
    for (const k of ["maxMemStream", "maxDiskStream"] as const) {
      const v = j[k];
      if (this.known(v) && (typeof v !== "number" || !Number.isInteger(v) || v < -1 || v >= INT64_LIMIT)) {
        this.fail(`${property}.${k}`, "must be an integer >= -1 (0 and -1 are unlimited)");
      }
    }
  }

  /**
   * `expiryAccepted` as for `userClaims`; `publicKey` is the account's own key when known (an import's
   * activation token must be issued for it).
   */
  accountClaims(c: AccountClaims, opts: { expiryAccepted?: boolean; publicKey?: string } = {}): void {
    this.accountLimits(c.limits);
    this.jetstream("jetstream", c.jetstream);
    if (this.known(c.jetstream) && c.jetstream && this.known(c.jetstreamTiers) && c.jetstreamTiers) {
      this.fail(
        "jetstreamTiers",
        "global jetstream limits and tiered ones are mutually exclusive (the jwt library refuses both): move the limits into a tier (R1, R3, …) or drop the tiers",
      );
    }
    for (const [tier, limits] of Object.entries(c.jetstreamTiers ?? {})) {
      if (!/^R\d+$/.test(tier)) this.fail(`jetstreamTiers.${tier}`, "tier names are R1, R3, …");
      this.jetstream(`jetstreamTiers.${tier}`, limits);
    }
    (this.known(c.signingKeys) ? c.signingKeys! : []).forEach((sk, i) => {
      if (typeof sk === "string") {
        this.publicKey(`signingKeys[${i}]`, sk, "account");
        return;
      }
      this.publicKey(`signingKeys[${i}].key`, sk.key, "account");
      if (this.known(sk.role) && !sk.role)
        this.fail(`signingKeys[${i}].role`, "a scoped signing key needs a role");
      this.userTemplate(`signingKeys[${i}].template`, sk.template ?? {});
    });
    if (this.known(c.signingKeys) && Array.isArray(c.signingKeys)) {
      const refs = c.signingKeys;
      this.distinctKeys(
        refs.map((sk) => (typeof sk === "string" ? sk : sk?.key)),
        (i) => (typeof refs[i] === "string" ? `signingKeys[${i}]` : `signingKeys[${i}].key`),
      );
    }
    (this.known(c.exports) ? c.exports! : []).forEach((e, i) => {
      this.subject(`exports[${i}].subject`, e.subject);
      this.publicUrl(`exports[${i}].infoUrl`, e.infoUrl);
      this.exportImportType(`exports[${i}].type`, e.type);
      this.duration(`exports[${i}].responseThreshold`, e.responseThreshold);
      if (this.known(e.responseType) && !["Singleton", "Stream", "Chunked"].includes(e.responseType!)) {
        this.fail(`exports[${i}].responseType`, "must be Singleton, Stream or Chunked");
      }
      if (e.type === "stream" && (e.responseType || e.latency || e.responseThreshold !== undefined)) {
        this.fail(
          `exports[${i}]`,
          "responseType, responseThreshold and latency apply to service exports only",
        );
      }
      if (e.type === "stream" && e.allowTrace === true) {
        this.fail(
          `exports[${i}].allowTrace`,
          "only service exports let traces in (the jwt library refuses it on a stream export); on streams the importer sets allowTrace",
        );
      }
      if (this.known(e.latency) && e.latency) {
        const s = e.latency.sampling;
        if (s !== "headers" && !(typeof s === "number" && Number.isInteger(s) && s >= 1 && s <= 100)) {
          this.fail(`exports[${i}].latency.sampling`, 'must be 1..100 or "headers"');
        }
        this.subject(`exports[${i}].latency.results`, e.latency.results, { wildcards: false });
      }
      if (this.known(e.accountTokenPosition) && e.accountTokenPosition !== undefined) {
        const tokens = String(e.subject).split(".");
        const p = e.accountTokenPosition;
        if (!Number.isInteger(p) || p < 1 || p > tokens.length || tokens[p - 1] !== "*") {
          this.fail(
            `exports[${i}].accountTokenPosition`,
            "must point at a '*' token of the subject (1-based)",
          );
        }
      }
    });
    (this.known(c.exports) ? c.exports! : []).forEach((e, i) => {
      // Importers revoked from this export: account keys (or "*") to unix seconds.
      this.revocations(`exports[${i}].revocations`, e.revocations, "account");
    });
    this.distinctExports(this.known(c.exports) && Array.isArray(c.exports) ? c.exports : []);
    (this.known(c.imports) ? c.imports! : []).forEach((imp, i) => {
      this.subject(`imports[${i}].subject`, imp.subject);
      this.subject(`imports[${i}].localSubject`, imp.localSubject);
      if (this.known(imp.localSubject) && imp.localSubject !== undefined && this.known(imp.subject)) {
        const reason = localSubjectProblem(String(imp.subject), String(imp.localSubject));
        if (reason && this.passed(`imports[${i}].localSubject`) && this.passed(`imports[${i}].subject`))
          this.fail(`imports[${i}].localSubject`, reason);
      }
      this.publicKey(`imports[${i}].account`, imp.account, "account");
      this.exportImportType(`imports[${i}].type`, imp.type);
      if (imp.type === "service" && imp.allowTrace === true) {
        this.fail(
          `imports[${i}].allowTrace`,
          "only stream imports let traces out (the jwt library refuses it on a service import); on services the exporter sets allowTrace",
        );
      }
      if (imp.type === "stream" && imp.share === true) {
        this.fail(
          `imports[${i}].share`,
          "sharing the requester's connection info applies to service imports only",
        );
      }
      const judged = ["subject", "account", "type"].every((f) => this.passed(`imports[${i}].${f}`));
      if (this.known(imp.token) && imp.token && judged && this.known(imp)) {
        for (const reason of importTokenProblems(imp, opts.publicKey, Date.now() / 1000)) {
          this.fail(`imports[${i}].token`, `the activation token ${reason}`);
        }
      }
    });
    this.distinctImports(this.known(c.imports) && Array.isArray(c.imports) ? c.imports : []);
    this.mappings(this.known(c.mappings) ? c.mappings : undefined);
    this.publicUrl("infoUrl", c.infoUrl);
    this.permissions("defaultPermissions", c.defaultPermissions);
    this.authorization(c.authorization);
    if (this.known(c.trace) && c.trace) {
      this.subject("trace.dest", c.trace.dest, { wildcards: false });
      const s = c.trace.sampling;
      if (this.known(s) && s !== undefined && !(Number.isInteger(s) && s >= 1 && s <= 100)) {
        this.fail("trace.sampling", `must be a percentage 1..100 (default 100), got ${JSON.stringify(s)}`);
      }
    }
    if (this.known(c.clusterTraffic) && !["system", "owner"].includes(c.clusterTraffic as string)) {
      this.fail(
        "clusterTraffic",
        `must be "system" (the default) or "owner" (the account itself), got ${JSON.stringify(c.clusterTraffic)}`,
      );
    }
    this.revocations("revocations", c.revocations, "user", { dates: true });
    this.validity(c, { future: !opts.expiryAccepted });
    this.text("", c);
  }

  /**
   * Subject mappings as nats-server applies them (core/subjectMapping.ts): it drops a mapping it
   * cannot use without refusing the JWT, so each rule is checked here. Weights are whole percentages
   * 1..100 (the Go library reads 0 as 100 and refuses fractions), at most 100 per cluster (and among
   * the destinations without one), each destination listed once.
   */
  mappings(m: Record<string, MappingDestination[]> | undefined): void {
    for (const [src, dests] of Object.entries(m ?? {})) {
      const at = `mappings["${src}"]`;
      this.subject(at, src);
      if (!this.known(dests)) continue;
      if (!Array.isArray(dests)) {
        this.fail(at, "must be a list of destinations ({ subject, weight?, cluster? })");
        continue;
      }
      const totals = new Map<string, number>();
      const seen = new Map<string, number>();
      dests.forEach((d, i) => {
        if (!this.known(d)) return;
        if (this.known(d.subject)) {
          // Text first: a control character is named as such, under the mapping's own path.
          const text = typeof d.subject === "string" ? textProblem(d.subject) : undefined;
          const reason = this.passed(at) ? (text ?? mappingDestinationProblem(src, d.subject)) : undefined;
          if (reason) this.fail(`${at}[${i}].subject`, reason);
          const j = seen.get(String(d.subject));
          if (j !== undefined) {
            this.fail(
              `${at}[${i}].subject`,
              `repeats ${at}[${j}] (${JSON.stringify(d.subject)}): the server drops a mapping that lists a destination twice; list it once with the summed weight`,
            );
          } else seen.set(String(d.subject), i);
        }
        const w = d.weight ?? 100;
        if (!this.known(w)) return;
        if (typeof w !== "number" || !Number.isInteger(w) || w < 1 || w > 100) {
          this.fail(
            `${at}[${i}].weight`,
            w === 0
              ? "must be 1..100: NATS reads a weight of 0 as 100 (all messages); drop the destination instead"
              : `must be a whole percentage 1..100, got ${JSON.stringify(w)}`,
          );
          return;
        }
        const cluster = this.known(d.cluster) && d.cluster ? String(d.cluster) : "";
        totals.set(cluster, (totals.get(cluster) ?? 0) + w);
      });
      for (const [cluster, total] of totals) {
        if (total > 100) {
          this.fail(
            at,
            `weights add up to ${total}, more than 100${cluster ? ` in cluster ${JSON.stringify(cluster)}` : ""}`,
          );
        }
      }
    }
  }

  /**
   * Exports of one kind may not overlap (nats-io/jwt `Exports.Validate`: a JWT that lists `a.>` and
   * `a.b` as streams, or one subject twice, is refused).
   */
  private distinctExports(exports: readonly Export[]): void {
    exports.forEach((e, j) => {
      if (!this.known(e) || !this.passed(`exports[${j}].subject`) || !this.known(e.subject)) return;
      const i = exports.findIndex(
        (o, k) =>
          k !== j &&
          this.known(o) &&
          this.known(o.subject) &&
          o.type === e.type &&
          this.passed(`exports[${k}].subject`) &&
          subjectContains(String(o.subject), String(e.subject)) &&
          // Two equal subjects: only the later one is reported.
          (o.subject !== e.subject || k < j),
      );
      if (i < 0) return;
      const o = exports[i];
      this.fail(
        `exports[${j}].subject`,
        o.subject === e.subject
          ? `repeats exports[${i}] (${e.type} ${JSON.stringify(e.subject)}): the jwt library refuses a subject exported twice as the same kind; keep one`
          : `${JSON.stringify(e.subject)} lies inside exports[${i}] (${e.type} ${JSON.stringify(o.subject)}): the jwt library refuses overlapping exports of one kind; drop one or make them disjoint`,
      );
    });
  }

  /**
   * Service imports from one account may not overlap in this account (nats-io/jwt `Imports.Validate`):
   * a request could go to either.
   */
  private distinctImports(imports: readonly Import[]): void {
    const local = (imp: Import) => String(imp.localSubject ?? imp.subject).replace(/\$\d+/g, "*");
    const judged = (k: number) =>
      this.known(imports[k]) &&
      imports[k].type === "service" &&
      this.known(imports[k].account) &&
      ["subject", "localSubject", "account"].every((f) => this.passed(`imports[${k}].${f}`));
    imports.forEach((imp, j) => {
      if (!judged(j)) return;
      const i = imports.findIndex(
        (o, k) =>
          k < j &&
          judged(k) &&
          o.account === imp.account &&
          (subjectContains(local(o), local(imp)) || subjectContains(local(imp), local(o))),
      );
      if (i < 0) return;
      const field = imp.localSubject === undefined ? "subject" : "localSubject";
      this.fail(
        `imports[${j}].${field}`,
        `${JSON.stringify(local(imp))} overlaps imports[${i}] (${JSON.stringify(local(imports[i]))}), a service import from the same account: the jwt library refuses that (a request would match both); make them disjoint or import once`,
      );
    });
  }

  /**
   * Imports from accounts of the same program (`peers`, core/peers.ts): each must lie inside an
   * export of that account of the same kind, with a token when the export is private, and no service
   * import may lead back to this account (`self`, when known). Peers or imports not known yet are
   * not judged.
   */
  peerImports(imports: unknown, peers: unknown, self: string | undefined): void {
    if (!Array.isArray(imports) || !Array.isArray(peers)) return;
    const list = imports as Import[];
    const known = (peers as AccountPeer[]).filter((p) => this.known(p));
    const judged = (i: number) =>
      this.known(list[i]?.subject) &&
      this.known(list[i]?.account) &&
      this.known(list[i]?.type) &&
      !this.pending(list[i]?.localSubject) &&
      ["subject", "account", "type", "localSubject"].every((f) => this.passed(`imports[${i}].${f}`));
    for (const p of peerImportProblems(list, known, self, judged)) {
      this.fail(`imports[${p.index}].${p.field}`, p.reason);
    }
  }

  /** Auth callout, as nats-io/jwt `ExternalAuthorization.Validate` judges it. */
  authorization(a: ExternalAuthorization | undefined): void {
    if (!this.known(a) || !a) return;
    const users = this.known(a.authUsers) && Array.isArray(a.authUsers) ? a.authUsers : undefined;
    const accounts =
      this.known(a.allowedAccounts) && Array.isArray(a.allowedAccounts) ? a.allowedAccounts : [];
    // No auth users means no callout (nsc writes an empty `authorization` into every account JWT);
    // accounts to place users in without them are refused, as the jwt library does.
    if (this.known(a.authUsers) && !users?.length && accounts.length) {
      this.fail(
        "authorization.authUsers",
        "allowedAccounts without authUsers: list the users (U…) that run the callout service; without them the server does not call out",
      );
    }
    users?.forEach((u, i) => {
      this.publicKey(`authorization.authUsers[${i}]`, u, "user");
    });
    accounts.forEach((k, i) => {
      if (k === "*") {
        if (accounts.length > 1)
          this.fail(
            `authorization.allowedAccounts[${i}]`,
            'is "*" (any account): list accounts, or "*" alone',
          );
        return;
      }
      this.publicKey(`authorization.allowedAccounts[${i}]`, k, "account");
    });
    this.publicKey("authorization.xkey", a.xkey, "curve");
  }

  operatorClaims(c: OperatorClaims): void {
    (this.known(c.signingKeys) ? c.signingKeys! : []).forEach((k, i) => {
      this.publicKey(`signingKeys[${i}]`, k, "operator");
    });
    if (this.known(c.signingKeys) && Array.isArray(c.signingKeys)) {
      this.distinctKeys(c.signingKeys, (i) => `signingKeys[${i}]`);
    }
    this.publicKey("systemAccount", c.systemAccount, "account");
    (this.known(c.serviceUrls) ? c.serviceUrls! : []).forEach((u, i) => {
      if (typeof u === "string" && urlCredentialProblem(u)) {
        this.publicUrl(`serviceUrls[${i}]`, u);
      } else if (!/^(nats|tls):\/\/[^\s/]+(:\d+)?$/.test(u)) {
        this.fail(
          `serviceUrls[${i}]`,
          `must be nats://host:port or tls://host:port, got ${JSON.stringify(u)}`,
        );
      }
    });
    if (this.known(c.accountServerUrl) && !/^(https?|nats):\/\/\S+$/.test(c.accountServerUrl!)) {
      this.fail("accountServerUrl", "must be an http(s):// or nats:// URL");
    } else this.publicUrl("accountServerUrl", c.accountServerUrl);
    // As jwt.ParseServerVersion reads it: three whole numbers, none negative.
    if (this.known(c.assertServerVersion) && !/^\d+\.\d+\.\d+$/.test(String(c.assertServerVersion))) {
      this.fail(
        "assertServerVersion",
        `must be a server version major.minor.update such as "2.10.0", got ${JSON.stringify(c.assertServerVersion)}`,
      );
    }
    this.validity(c);
    this.text("", c);
  }

  /** Revocation entries; with `dates`, ISO-8601 dates and "now" are accepted besides unix seconds. */
  revocations(
    property: string,
    r: Record<string, number | string> | undefined,
    kind: KeyKind,
    opts: { dates?: boolean } = {},
  ): void {
    if (!this.known(r) || !r) return;
    for (const [k, v] of Object.entries(r)) {
      if (k !== "*") this.publicKey(`${property}["${k}"]`, k, kind);
      const date = opts.dates && typeof v === "string" && (v === "now" || !dateTextProblem(v));
      if (!date && (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v >= INT64_LIMIT)) {
        this.fail(
          `${property}["${k}"]`,
          opts.dates
            ? 'must be unix seconds, an ISO-8601 date or "now" (whole seconds; a date that exists)'
            : "must be unix seconds (a whole number)",
        );
      }
    }
  }

  private exportImportType(property: string, t: unknown): void {
    if (this.known(t) && t !== "stream" && t !== "service")
      this.fail(property, 'must be "stream" or "service"');
  }
}

/**
 * Why an import's `localSubject` cannot rename `subject` (nats-io/jwt `RenamingSubject.Validate`):
 * both end in '>' or neither, and it refers to each '*' of the subject once ('*' or "$n").
 */
function localSubjectProblem(subject: string, localSubject: string): string | undefined {
  const full = (s: string) => s === ">" || s.endsWith(".>");
  if (full(subject) !== full(localSubject)) {
    return `${JSON.stringify(localSubject)} and the subject ${JSON.stringify(subject)} must both end in '>' or neither`;
  }
  const wildcards = subject.split(".").filter((t) => t === "*").length;
  let refs = 0;
  for (const t of localSubject.split(".")) {
    if (t === "*") refs++;
    const m = /^\$(\d+)$/.exec(t);
    if (m) {
      if (Number(m[1]) > wildcards || Number(m[1]) < 1) {
        return `${t} refers to a '*' that ${JSON.stringify(subject)} does not have (it has ${wildcards})`;
      }
      refs++;
    }
  }
  if (refs !== wildcards) {
    return `${JSON.stringify(localSubject)} must refer to each of the ${wildcards} '*' of ${JSON.stringify(subject)} once ('*' or $1, $2, …), it refers to ${refs}`;
  }
  return undefined;
}

function isoOf(unixSeconds: number): string {
  const d = new Date(unixSeconds * 1000);
  return Number.isNaN(d.getTime()) ? String(unixSeconds) : d.toISOString();
}

function kindLetter(kind: KeyKind): string {
  return { operator: "O", account: "A", user: "U", server: "N", cluster: "C", curve: "X" }[kind];
}

/** A property path with `["key"]` written `.key` where the key is a plain name, for comparing paths. */
function samePath(property: string): string {
  return property.replace(/\["([A-Za-z_$][\w$]*)"\]/g, ".$1").replace(/^\./, "");
}

/** Names of the control characters people type by accident, for messages. */
const CONTROL_NAMES: Record<number, string> = {
  0: "NUL",
  8: "backspace",
  9: "tab",
  10: "newline",
  11: "vertical tab",
  12: "form feed",
  13: "carriage return",
  27: "escape",
  127: "delete",
  133: "next line",
};

const hex = (code: number): string => `U+${code.toString(16).toUpperCase().padStart(4, "0")}`;

/**
 * Why `text` cannot go into a JWT text field, or undefined. Refused: C0 and C1 control characters
 * and DEL (a NUL, newline or tab in a name or subject reaches nats-server, nsc and the logs as
 * something other than what the program shows, and subjects are split on white space by the
 * protocol), and lone UTF-16 surrogates (not Unicode text: UTF-8 cannot carry them, the server would
 * read U+FFFD).
 */
export function textProblem(text: string): string | undefined {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) {
      const name = CONTROL_NAMES[c] ? ` (${CONTROL_NAMES[c]})` : "";
      return `contains the control character ${hex(c)}${name} at index ${i} of ${JSON.stringify(text)}: JWT names, tags, subjects and other text carry no control characters; remove it`;
    }
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        i++;
        continue;
      }
    }
    if (c >= 0xd800 && c <= 0xdfff) {
      return `contains a lone surrogate ${hex(c)} at index ${i}: not Unicode text (UTF-8 cannot carry it; the server would read U+FFFD); fix the string`;
    }
  }
  return undefined;
}

/** Why a subject is invalid, or undefined when it is fine. */
export function subjectProblem(subject: unknown, wildcards = true): string | undefined {
  if (typeof subject !== "string" || subject.length === 0) return "must be a non-empty subject";
  const text = textProblem(subject);
  if (text) return text;
  if (/\s/.test(subject)) return `subject ${JSON.stringify(subject)} contains white space`;
  const tokens = subject.split(".");
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.length === 0) return `subject ${JSON.stringify(subject)} has an empty token`;
    if (t.length > 1 && (t.includes("*") || t.includes(">"))) {
      return `subject ${JSON.stringify(subject)}: wildcards must be whole tokens`;
    }
    if ((t === "*" || t === ">") && !wildcards)
      return `subject ${JSON.stringify(subject)} may not contain wildcards`;
    if (t === ">" && i !== tokens.length - 1)
      return `subject ${JSON.stringify(subject)}: '>' must be the last token`;
  }
  return undefined;
}

function isIPv4(ip: string): boolean {
  const parts = ip.split(".");
  // Go's net.ParseIP refuses leading zeros (an octal reading of them would name another address).
  return parts.length === 4 && parts.every((o) => /^(0|[1-9]\d{0,2})$/.test(o) && Number(o) <= 255);
}

function isIPv6(ip: string): boolean {
  const colon = ip.lastIndexOf(":");
  if (colon < 0) return false;
  let text = ip;
  // A trailing dotted IPv4 part ("::ffff:10.0.0.1") stands for the last two groups.
  const tail = ip.slice(colon + 1);
  if (tail.includes(".")) {
    if (!isIPv4(tail)) return false;
    text = `${ip.slice(0, colon + 1)}0:0`;
  }
  const halves = text.split("::");
  if (halves.length > 2) return false;
  const parts = halves.flatMap((h) => (h === "" ? [] : h.split(":")));
  if (!parts.every((g) => /^[0-9a-fA-F]{1,4}$/.test(g))) return false;
  return halves.length === 2 ? parts.length < 8 : parts.length === 8;
}

/** Why `value` is not a network as Go's net.ParseCIDR (and so nats-server) reads one, or undefined. */
function cidrProblem(value: unknown): string | undefined {
  const shown = JSON.stringify(value);
  if (typeof value !== "string") return `not a CIDR network: ${shown}`;
  const [ip, bits, extra] = value.split("/");
  if (extra !== undefined) return `not a CIDR network: ${shown}`;
  const max = isIPv4(ip) ? 32 : isIPv6(ip) ? 128 : 0;
  if (!max) return `not a CIDR network: ${shown} (the address is neither IPv4 nor IPv6)`;
  if (bits === undefined) {
    return `not a CIDR network: ${shown} has no prefix length, and the servers refuse every connection of a user whose network they cannot parse; write ${JSON.stringify(`${ip}/${max}`)} for this one address`;
  }
  if (!/^\d{1,3}$/.test(bits) || Number(bits) > max) {
    return `not a CIDR network: ${shown} (the prefix length must be 0..${max})`;
  }
  return undefined;
}

/** Why a URL that goes into a public JWT carries a secret (user, password, token), or undefined. */
export function urlCredentialProblem(url: string): string | undefined {
  const m = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)/i.exec(url);
  const userinfo = m?.[1].includes("@");
  const query =
    /[?&](password|passwd|pass|pwd|token|secret|key|auth|access_token|api_key|apikey|creds|credentials)=/i.test(
      url,
    );
  if (!userinfo && !query) return undefined;
  return `${userinfo ? "carries a user or password" : "carries a credential in its query"}: JWTs are public (anyone holding one can read it), so the secret would be published; remove it and give the credential to clients another way`;
}

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}
