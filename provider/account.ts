/**
 * Dynamic provider of `Account`: signs the account JWT with the operator (or an operator signing
 * key) and, when a resolver is given, keeps the servers' copy in step: push on create/update,
 * lookup on refresh, delete on destroy.
 */

import {
  type ActivationMember,
  departedActivations,
  exportsWithRevocations,
  nextRevokedActivations,
  type RevokedActivation,
  revokedSurvivors,
} from "../core/activation";
import { ACCOUNT_CLAIM_FIELDS, type AccountClaims, fieldsOf, pickClaims } from "../core/claimInputs";
import { accountClaims } from "../core/claims";
import { ConfigError, describe, type Failure, NatsAuthError } from "../core/errors";
import { jsAckWarningLines } from "../core/jsAck";
import { decodeJwt } from "../core/jwt";
import { accountJwtNearLimit, jwtTooLarge } from "../core/limits";
import { publicKeyOf } from "../core/nkeys";
import { normalize } from "../core/normalize";
import {
  ALL_USERS,
  allUsersRevokedAt,
  comparableMembers,
  coveredByAll,
  departedMembers,
  jwtRevocations,
  jwtRevocationsOf,
  type Leaving,
  leavingWarnings,
  type Member,
  memberKey,
  nextRemovedUsers,
  type RemovedUser,
  readmittedEntry,
  readmittedMembers,
  removedUsersLeaving,
  resolveRevocations,
  returningMembers,
  revocationEntries,
  revokedGeneratedMembers,
  revokedGeneratedMessage,
  revokedMemberMessage,
  unrecordedNow,
} from "../core/revocation";
import {
  ACCOUNT_SIGNING_FIELDS,
  type AccountProps,
  type AccountResolver,
  type AccountState,
  type Signed,
} from "./contracts";
import {
  checkResolver,
  deleteAccount,
  lookupAccount,
  type PushProgress,
  type PushResult,
  pushAccount,
  resolverOf,
} from "./kit/accountResolver";
import type { DiffResult, Handler } from "./kit/handler";
import { quietExpectedFailures } from "./kit/hostErrors";
import {
  checkOwnKey,
  checkSigner,
  desiredHash,
  expiryAccepted,
  type IdentitySpec,
  identityDiff,
  identityPreview,
  measureJwtSize,
  refusePassedExpiry,
  signerless,
  signIdentity,
  withAdoption,
} from "./kit/identity";
import { PartialFailure } from "./kit/partialFailure";
import { withStackProviderConfig } from "./kit/providerConfig";
import { checkResult, label, loadSeed, seedReplaced } from "./kit/resource";
import { storedRevocations } from "./kit/storedRevocations";
import { containsUnknown, previewChecker } from "./kit/unknown";
import { packedInputs } from "./kit/wire";

/** The props the SDK sends, minus `jwt` (see read). */
const ACCOUNT_INPUT_FIELDS = [
  ...ACCOUNT_CLAIM_FIELDS,
  ...fieldsOf<Omit<AccountProps, keyof AccountClaims | "jwt">>({
    name: true,
    seed: true,
    adoptionDrift: true,
    signerSeed: true,
    signedByIdentity: true,
    operatorPublicKey: true,
    operatorSigningKeys: true,
    operatorStrict: true,
    resolver: true,
    publicKey: true,
    members: true,
    activations: true,
    peers: true,
  }),
];

export const accountSpec: IdentitySpec<AccountProps> = {
  kind: "Account",
  keyKind: "account",
  claims: (inputs, publicKey, signer) =>
    accountClaims(
      String(inputs.name),
      publicKey,
      signer,
      pickClaims<AccountClaims>(inputs, ACCOUNT_CLAIM_FIELDS),
    ),
  signer: (inputs, resource) => loadSeed(resource, "signer seed", inputs.signerSeed, ["operator"]),
  sizeProblem: (_inputs, length) =>
    jwtTooLarge(
      "account",
      length,
      "give it fewer revocations, imports or exports (one revocation takes about 93 bytes)",
    ),
};

const nowSeconds = (): number => Math.floor(Date.now() / 1000);

/** What the account's revocations become at `now`: explicit entries and users that left the program. */
interface Revoked {
  props: AccountProps;
  /** How many revocations (explicit or of departed users) the `"*"` entry covers, left out of the JWT. */
  covered: number;
  /** The time of the `"*"` entry, when there is one. */
  allAt?: number;
  /** Removed users' entries of the stored JWT that this run leaves out, and why (the preview says so). */
  leaving: Leaving;
  removedUsers: NonNullable<AccountState["removedUsers"]>;
  revocationTimes: Record<string, number>;
  readmitted: Member[];
  revokedActivations: Record<string, RevokedActivation>;
  /** Tokens still in the program that a token's removal revoked (same importer and export, older). */
  revokedTokens: { member: ActivationMember; by: RevokedActivation }[];
}

function revoke(news: AccountProps, olds: Partial<AccountState> | undefined, now: number): Revoked {
  const explicit = resolveRevocations(news.revocations, olds?.revocationTimes, now);
  const departed = departedMembers(olds?.members, news.members);
  let removedUsers = nextRemovedUsers(olds?.removedUsers, departed, now);
  // A user whose key was revoked by its removal is back: keep it revoked, also for the JWT it was
  // just issued (revocation covers JWTs issued at or before the time), and fail the run below.
  const readmitted = readmittedMembers(news.members, removedUsers);
  for (const m of readmitted)
    removedUsers = { ...removedUsers, [m.publicKey]: readmittedEntry(removedUsers[m.publicKey], m, now) };
  // Who may still sign the account's users: a removal whose JWTs were all signed by other keys
  // leaves the JWT (not known while the signing keys are not: nothing leaves then).
  const signers = containsUnknown(news.signingKeys)
    ? undefined
    : { account: olds?.publicKey, signingKeys: news.signingKeys };
  const revocationTimes: Record<string, number> = {};
  for (const [key, when] of Object.entries(news.revocations ?? {})) {
    if (when === "now") revocationTimes[key] = explicit[key];
  }
  const departedTokens = departedActivations(olds?.activations, news.activations);
  const revokedActivations = nextRevokedActivations(
    olds?.revokedActivations,
    departedTokens,
    news.exports,
    now,
  );
  return {
    covered: coveredByAll(revocationEntries(explicit, removedUsers, signers)).length,
    allAt: explicit[ALL_USERS],
    leaving: removedUsersLeaving(olds?.removedUsers, removedUsers, explicit, signers, () =>
      jwtRevocationsOf(olds?.jwt),
    ),
    props: {
      ...news,
      revocations: jwtRevocations(explicit, removedUsers, signers),
      exports: exportsWithRevocations(news.exports, revokedActivations),
    },
    removedUsers,
    revocationTimes,
    readmitted,
    revokedActivations,
    revokedTokens: revokedSurvivors(news.activations, revokedActivations, news.exports),
  };
}

/**
 * Whether a member list differs in what the state must record. Entries are matched by URN (see
 * memberKey); a field of a known entry that is unknown in a preview (the key or issue time of a User
 * or token being updated; an absent output, such as `expires`, of one that is not changing) counts as
 * unchanged.
 */
function listMoved<M extends { urn: string; revokeOnDelete?: boolean }>(
  before: M[] | undefined,
  after: M[] | undefined,
): boolean {
  const was = new Map(comparableMembers(before).map((m) => [m.urn, m as Record<string, unknown>]));
  const settled = comparableMembers(after).map((m) => {
    const old = was.get(m.urn);
    if (!old) return m;
    const entry: Record<string, unknown> = { ...m };
    for (const [k, v] of Object.entries(entry)) if (containsUnknown(v)) entry[k] = old[k];
    return entry;
  });
  return JSON.stringify(normalize(settled)) !== JSON.stringify(normalize(comparableMembers(before)));
}

/**
 * The explicit `revocations` input as the stored JWT says it (outputs keep no copy): its entries but
 * those of departed users, "now" where a time was recorded for one. Entries a `"*"` covers are not in
 * the JWT; a refresh that finds drift lists the rest (`up` takes the program's again).
 */
function explicitRevocations(props: Partial<AccountState>): AccountProps["revocations"] {
  if (typeof props.jwt !== "string") return undefined;
  const inJwt = (decodeJwt(props.jwt).nats as { revocations?: Record<string, number> } | undefined)
    ?.revocations;
  const out: NonNullable<AccountProps["revocations"]> = {};
  for (const [key, at] of Object.entries(inJwt ?? {})) {
    if (props.removedUsers?.[key]?.at === at) continue;
    out[key] = props.revocationTimes?.[key] === at ? "now" : at;
  }
  return Object.keys(out).length ? out : undefined;
}

/** What a preview says of a `"*"` revocation: how many entries it replaces in the JWT. */
function coveredNote(name: string, covered: number, at: number | undefined): string {
  const when = at === undefined ? "its time" : iso(at);
  return (
    `${name}: revocations["*"] (every user JWT issued at or before ${when}) replaces ${covered} ` +
    `revocation ${covered === 1 ? "entry" : "entries"} in the account JWT (they revoke nothing more); ` +
    "Users of the program signed before it are signed again"
  );
}

/** Whether the tokens differ in what the state must record. */
function activationsMoved(
  before: ActivationMember[] | undefined,
  after: ActivationMember[] | undefined,
): boolean {
  return listMoved(before, after);
}

const iso = (unixSeconds: number): string => new Date(unixSeconds * 1000).toISOString();

function revokedTokensError(name: string, revoked: Revoked["revokedTokens"]): NatsAuthError {
  const who = revoked
    .map(
      ({ member: m, by }) =>
        `ActivationToken "${m.name ?? m.urn}" (importer ${m.importer}, issued ${iso(m.issuedAt)}, revoked up to ${iso(by.at)} in export ${JSON.stringify(by.exportSubject)})`,
    )
    .join(", ");
  return new NatsAuthError(
    `activations: ${who}: revoked with a removed token of the same importer and export (NATS revokes every ` +
      "token of an importer for an export issued at or before the removed one). Re-issue it " +
      "(pulumi up --replace <its URN>) and run pulumi up again",
    { resource: name },
  );
}

/** Whether the members differ in what the state must record. */
function membersMoved(before: Member[] | undefined, after: Member[] | undefined): boolean {
  // 0.1.0 state knows no members: they are recorded with the account's next update.
  if (before === undefined) return false;
  return listMoved(before, after);
}

function readmittedError(
  name: string,
  account: string,
  readmitted: Member[],
  removed: Record<string, RemovedUser>,
  before: Member[] | undefined,
): NatsAuthError {
  // A User the stack holds with the revoked key (signed by an earlier release) must be replaced.
  const signed = (m: Member) =>
    (before ?? []).some((b) => memberKey(b.urn) === memberKey(m.urn) && b.publicKey === m.publicKey);
  const text = readmitted
    .map((m) => revokedMemberMessage(m, account, removed[m.publicKey], signed(m)))
    .join("; ");
  return new NatsAuthError(`members: ${text}`, { resource: name });
}

/**
 * How many servers hold `s`'s claims, usable (0 unless all of them do, or when the lookup fails),
 * and whether any server holds a JWT of the account at all.
 */
async function heldAlready(
  r: AccountResolver,
  props: AccountProps,
  s: Signed,
): Promise<{ count: number; onServers: boolean }> {
  const stored = { ...props, publicKey: s.publicKey, jwt: s.jwt };
  try {
    const held = await lookupAccount(r, stored);
    const count = held.pushedHash === s.claimsHash && !held.drift ? held.pushedTo : 0;
    return { count, onServers: held.onServers === true };
  } catch {
    // Pushing settles it either way.
    return { count: 0, onServers: false };
  }
}

/** What a push did, into state: the servers that stored it, and the JWT if it had to be re-signed. */
function record(outs: AccountState, pushed: PushResult): void {
  outs.pushedTo = pushed.pushedTo;
  outs.pushedServers = pushed.servers;
  outs.jwt = pushed.jwt;
}

function check(news: AccountProps, olds: Partial<AccountProps> = {}) {
  const c = previewChecker();
  if (typeof news.name !== "string" || !news.name) c.fail("name", "an account needs a name");
  c.text("name", news.name);
  checkOwnKey(c, "account", news.seed, news.publicKey);
  checkSigner(c, {
    subject: "account",
    issuer: "operator",
    signerSeed: news.signerSeed,
    issuerKey: news.operatorPublicKey,
    issuerSigningKeys: news.operatorSigningKeys ?? [],
    strict: news.operatorStrict,
    byIdentity: news.signedByIdentity,
  });
  c.publicKey("operator", news.operatorPublicKey, "operator");
  // Without a signer seed the account can only keep the JWT it was imported with (diff refuses a
  // change of its claims); a new account has no JWT yet.
  if (signerless(accountSpec, news) && !olds.publicKey) {
    c.fail(
      "signerSeed",
      "an account needs its operator's seed or an operator signing key's seed to be signed; only an " +
        "account imported by its public key (pulumi import nats-auth:index:Account <name> <public key>) may omit it",
    );
  }
  const self =
    c.known(news.seed) && c.passed("identity")
      ? publicKeyOf(String(news.seed))
      : c.known(news.publicKey) && c.passed("publicKey")
        ? news.publicKey
        : olds.publicKey;
  c.accountClaims(pickClaims<AccountClaims>(news, ACCOUNT_CLAIM_FIELDS), {
    expiryAccepted: expiryAccepted(olds, news),
    publicKey: self,
  });
  c.peerImports(news.imports, news.peers, self);
  checkResolver(c, news.resolver);
  const allNow = c.known(news.revocations) && news.revocations?.[ALL_USERS] === "now";
  if (allNow) {
    // check sees the stored inputs only: a time recorded for an earlier "now" is in the outputs.
    c.fail(
      `revocations["${ALL_USERS}"]`,
      'give a date, not "now": the Users of the program signed before it are signed again, and they ' +
        'cannot know when "now" was (one recorded earlier is the Account\'s revocationTimes in its ' +
        "state, `pulumi stack export`, in unix seconds)",
    );
  }
  // A User that generated its key cannot refuse to be signed again with it (sdk/user.ts): refused
  // here, at preview for a User not changing (its key is in `members`; one updated or replaced in this
  // run is read from the stored list) and at `up` before this account signs or pushes anything.
  if (c.known(news.revocations) && Array.isArray(news.members)) {
    const known = (k: unknown) => typeof k === "string" && !containsUnknown(k);
    const account = typeof self === "string" && !containsUnknown(self) ? self : "(this account)";
    for (const r of revokedGeneratedMembers(news.revocations, news.members, olds.members, known))
      c.fail(`revocations["${r.publicKey}"]`, revokedGeneratedMessage(r, account));
  }
  const allAt = c.known(news.revocations) ? allUsersRevokedAt(news.revocations) : undefined;
  if (allAt !== undefined && allAt > nowSeconds() && c.passed(`revocations["${ALL_USERS}"]`)) {
    c.fail(
      `revocations["${ALL_USERS}"]`,
      `${iso(allAt)} is in the future: it would revoke every user JWT signed until then, the ones this ` +
        'run signs included. Give a time that has passed, or "now"',
    );
  }
  return c;
}

/**
 * What the JWT `up` will sign says before it is signed: the entries a `"*"` covers, the removed
 * users' entries leaving it, its size (warned near the limit, a failure past it). Measured against
 * `olds` as given: the engine hands `check` the stored inputs, not the outputs, so only `diff` (which
 * gets the state) sees the revocations recorded in earlier runs (`removedUsers`, `revokedActivations`).
 */
async function revocationReport(
  news: AccountProps,
  olds: Partial<AccountState> | undefined,
): Promise<{ warnings: string[]; failures: Failure[] }> {
  const warnings: string[] = [];
  // Measured with the revocations `up` will add (users and tokens that left the program).
  const settled = [news.members, news.revocations, news.activations, news.exports];
  let claims = news;
  try {
    if (!containsUnknown(settled)) {
      const r = revoke(news, olds, nowSeconds());
      claims = r.props;
      if (r.covered) warnings.push(coveredNote(label("Account", news), r.covered, r.allAt));
      warnings.push(...leavingWarnings(label("Account", news), r.leaving));
    }
  } catch {
    // What revoke cannot settle, create/update report; the explicit claims are measured.
  }
  const measured = await measureJwtSize(accountSpec, claims, olds);
  const near =
    measured.length !== undefined && measured.failures.length === 0
      ? accountJwtNearLimit(String(news.name), measured.length)
      : undefined;
  if (near) warnings.push(near);
  return { warnings, failures: measured.failures };
}

/**
 * `diff` of an Account that will be signed again: what `check` could not measure (see
 * revocationReport) is refused here, at preview, as `update` would refuse it, and said as warnings
 * (the native plugin shows them; a dynamic provider has no log).
 */
async function resignReport(news: AccountProps, olds: AccountState): Promise<string[]> {
  const r = await revocationReport(news, olds);
  const failure = r.failures[0];
  if (failure) throw new ConfigError(failure.property, failure.reason, { resource: label("Account", news) });
  return r.warnings;
}

/** The diff with its warnings, when there are any. */
function withWarnings(d: DiffResult, warnings: string[]): DiffResult {
  return warnings.length ? { ...d, warnings } : d;
}

const flat: Handler<AccountProps, AccountState> = {
  async check(olds, news) {
    const failures = check(news, olds).failures;
    const warnings = [...jsAckWarningLines(news)];
    if (failures.length === 0) {
      // On an update, the stored inputs lack what earlier runs recorded: diff reports with the state
      // (a size failure from the inputs alone stands: the recorded entries only add to it).
      const r = await revocationReport(news, olds);
      failures.push(...r.failures);
      if (Object.keys(olds).length === 0) warnings.push(...r.warnings);
    }
    return { ...checkResult(withAdoption(accountSpec, news), failures), warnings };
  },
  async diff(_id, olds, news) {
    // Members whose key is unknown in a preview are taken as unchanged; a departed member, a new
    // "now" revocation or any other membership change is an update (the account records it).
    const known = (k: string) => typeof k === "string" && !containsUnknown(k);
    // A User back with a key revoked when it left: refused here, at preview and before `up` signs
    // anything (a User given its key is signed after its account: sdk/user.ts).
    if (Array.isArray(news.members)) {
      const back = returningMembers(olds.members, news.members, olds.removedUsers, nowSeconds(), known);
      if (back.length) {
        const removed = nextRemovedUsers(
          olds.removedUsers,
          departedMembers(olds.members, news.members, known),
          nowSeconds(),
        );
        throw readmittedError(label("Account", news), String(olds.publicKey), back, removed, olds.members);
      }
    }
    const revoking =
      departedMembers(olds.members, news.members, known).length > 0 ||
      departedActivations(olds.activations, news.activations, (v) => !containsUnknown(v)).length > 0 ||
      unrecordedNow(news.revocations, olds.revocationTimes);
    const moved =
      membersMoved(olds.members, news.members) || activationsMoved(olds.activations, news.activations);
    if (revoking || moved) {
      if (revoking) refusePassedExpiry(label("Account", news), news);
      if (seedReplaced(olds, news).length) return { changes: true, replaces: ["seed"] };
      return withWarnings({ changes: true }, await resignReport(news, olds));
    }
    // Members matter to the claims only through departures (handled above): a member whose key is
    // unknown in this preview (its User is updating) must not make the claims look unknown.
    // The operator's signing keys are not in the account's claims either (only checked against its
    // issuer): a key being added to the operator must not preview an update of every account.
    // The peers' exports are not in the claims either (only checked against the imports).
    const stable = {
      ...news,
      members: olds.members,
      activations: olds.activations,
      operatorSigningKeys: undefined,
      peers: undefined,
    };
    const effective = containsUnknown(stable) ? stable : revoke(stable, olds, nowSeconds()).props;
    const d = identityDiff(accountSpec, olds, effective);
    if (d.changed) refusePassedExpiry(label("Account", news), news);
    // A replacement is a new account, created without this state: its check measured it.
    if (d.replaces.length) return { changes: true, replaces: d.replaces };
    const warnings = d.changed ? await resignReport(news, olds) : [];
    // Beyond the claims: the resolver settings, and whether the resolver holds the current claims
    // (a refresh that found the JWT missing or replaced leaves pushedHash behind).
    const resolverMoved =
      JSON.stringify(normalize(news.resolver)) !== JSON.stringify(normalize(olds.resolver));
    const unpushed =
      resolverOf(news) !== undefined &&
      desiredHash(accountSpec, effective, String(olds.publicKey), olds) !== olds.pushedHash;
    return withWarnings({ changes: d.changed || resolverMoved || unpushed }, warnings);
  },
  async create(inputs) {
    const name = label("Account", inputs);
    const r = revoke(inputs, undefined, nowSeconds());
    const s = await signIdentity(accountSpec, r.props);
    const outs: AccountState = {
      ...inputs,
      ...s,
      pushedHash: "",
      pushedTo: 0,
      removedUsers: r.removedUsers,
      revokedActivations: r.revokedActivations,
      revocationTimes: r.revocationTimes,
    };
    const resolver = resolverOf(inputs);
    if (!resolver) return { id: s.publicKey, outs };
    // Recorded even when the push fails: an account no server ever got is destroyed without them.
    const progress: PushProgress = { sent: false };
    outs.onServers = false;
    try {
      // An adopted JWT kept as it was (an nsc-pushed account) whose claims every server already holds
      // and can use is not pushed again.
      const held = inputs.jwt === s.jwt ? await heldAlready(resolver, r.props, s) : undefined;
      if (held?.onServers) outs.onServers = true;
      if (held?.count) outs.pushedTo = held.count;
      else {
        const pushed = await pushAccount(name, r.props, s.jwt, progress, {
          resign: async (minIat) => (await signIdentity(accountSpec, r.props, s, { minIat })).jwt,
        });
        record(outs, pushed);
      }
      outs.pushedHash = s.claimsHash;
      outs.onServers = true;
    } catch (e) {
      if (progress.sent) outs.onServers = true;
      throw new PartialFailure(
        describe(e),
        s.publicKey,
        { ...outs, __provider: inputs.__provider },
        { cause: e },
      );
    }
    return { id: s.publicKey, outs };
  },
  async update(id, olds, news) {
    const name = label("Account", news);
    const r = revoke(news, olds, nowSeconds());
    const s = await signIdentity(accountSpec, r.props, olds);
    const outs: AccountState = {
      ...news,
      ...s,
      pushedHash: "",
      pushedTo: 0,
      // Kept through a failed push: the next one still expects every server the last one reached.
      ...(olds.pushedServers ? { pushedServers: olds.pushedServers } : {}),
      removedUsers: r.removedUsers,
      revokedActivations: r.revokedActivations,
      revocationTimes: r.revocationTimes,
    };
    // Whether the servers may hold a JWT of it: once they may, always (until destroy deletes it).
    const mayHold = olds.onServers === true || (olds.pushedHash ?? "") !== "";
    if (mayHold) outs.onServers = true;
    else if (olds.onServers === false) outs.onServers = false;
    // On failure the new JWT stays in state with nothing recorded as pushed, so the next `up` pushes again.
    const failed = (e: unknown) =>
      new PartialFailure(describe(e), id, { ...outs, __provider: news.__provider }, { cause: e });
    if (resolverOf(news)) {
      // A server added to the list has not got the JWT yet, however current it is elsewhere.
      const sameServers =
        JSON.stringify([...(olds.resolver?.servers ?? [])].sort()) ===
        JSON.stringify([...(news.resolver?.servers ?? [])].sort());
      const alreadyThere = olds.pushedHash === s.claimsHash && olds.jwt === s.jwt && sameServers;
      if (alreadyThere && olds.pushedTo) {
        outs.pushedHash = olds.pushedHash;
        outs.pushedTo = olds.pushedTo;
      } else {
        const progress: PushProgress = { sent: false };
        try {
          const pushed = await pushAccount(name, r.props, s.jwt, progress, {
            remembered: olds.pushedServers,
            resign: async (minIat) => (await signIdentity(accountSpec, r.props, olds, { minIat })).jwt,
          });
          record(outs, pushed);
          outs.pushedHash = s.claimsHash;
          outs.onServers = true;
        } catch (e) {
          if (progress.sent) outs.onServers = true;
          throw failed(e);
        }
      }
    }
    if (r.readmitted.length)
      throw failed(readmittedError(name, s.publicKey, r.readmitted, r.removedUsers, [...r.readmitted]));
    if (r.revokedTokens.length) throw failed(revokedTokensError(name, r.revokedTokens));
    return { outs };
  },
  // What was pushed, revoked or drifted is known only once the update runs.
  preview: (news, olds) => identityPreview(accountSpec, news, olds),
  async read(id, props) {
    // State written before issue 26 holds a copy of `revocations` in its outputs: dropped here too.
    const { revocations: stateCopy, ...current } = props;
    const r = resolverOf(props);
    if (!r) return { id, props: current };
    const { drift: was, ...rest } = current;
    const held = await lookupAccount(r, props);
    // `drift` is present only while the servers disagree: `refresh --diff` shows it appear, by claim.
    // It also goes into the stored inputs, so `preview --diff` marks it (the program sets no drift);
    // `up` replaces those inputs with the program's. The inputs are the stored props minus what
    // handlers compute (the signed `jwt` too: an adopted one differs only when re-signed anyway).
    if (!held.drift && !was) return { id, props: { ...rest, ...held } };
    const inputs: Partial<AccountProps> & { drift?: Record<string, string> } = {};
    for (const k of ACCOUNT_INPUT_FIELDS)
      if (props[k] !== undefined) Object.assign(inputs, { [k]: props[k] });
    const given = stateCopy ?? explicitRevocations(props);
    if (given !== undefined) inputs.revocations = given;
    else delete inputs.revocations;
    // `publicKey` is an input only for an account declared by it (no seed here); otherwise it is
    // the computed output of the same name.
    if (props.seed !== undefined) delete inputs.publicKey;
    if (held.drift) inputs.drift = held.drift;
    return { id, props: { ...rest, ...held }, inputs };
  },
  async delete(_id, props) {
    const r = resolverOf(props);
    if (!r || r.onDelete === "retain") return;
    // No push ever reached a server and no lookup found it there: nothing to delete, no server needed.
    if (props.onServers === false && !props.pushedHash) return;
    const name = label("Account", props);
    if (signerless(accountSpec, props)) {
      throw new ConfigError(
        "signerSeed",
        `deleting account ${props.publicKey} from the resolver needs a request signed by the operator or an ` +
          "operator signing key, and this imported account is given neither seed: set signerSeed and destroy " +
          'again, or set resolver.onDelete = "retain" to leave the JWT on the servers',
        { resource: name },
      );
    }
    const signer = loadSeed(name, "signer seed", props.signerSeed, ["operator"]);
    try {
      await deleteAccount(name, r, String(props.publicKey), signer);
    } finally {
      signer.clear();
    }
  },
};

/**
 * The handler without the provider configuration: the signer wiring arrives packed under `signing`
 * (kit/wire.ts), and a large `revocations` map is stored packed (kit/storedRevocations.ts). The native
 * plugin applies its provider's configuration to it (plugin/provider.ts).
 */
export const accountHandler: Handler<AccountProps, AccountState> = quietExpectedFailures(
  packedInputs(storedRevocations(flat), "signing", ACCOUNT_SIGNING_FIELDS, ["revocations"]),
);

/**
 * What the dynamic provider host calls (`__provider` loads `handler`): `accountHandler` with the
 * `nats-auth:*` stack config applied to `resolver` (kit/providerConfig.ts).
 */
export const handler = withStackProviderConfig(accountHandler);
