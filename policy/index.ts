/**
 * The NATS guardrails policy pack (CrossGuard): `pulumi preview --policy-pack <this folder>`. It
 * wires the pure rules of policy/rules.ts to `@pulumi/policy`: per resource for rules that need only
 * the resource's inputs, per stack for those that need to know which account is the system account.
 */
import {
  type PolicyConfigSchema,
  PolicyPack,
  type PolicyResource,
  type ReportViolation,
  type ResourceValidationPolicy,
  type StackValidationPolicy,
  UnknownValueError,
} from "@pulumi/policy";
import * as rules from "./rules";

type Props = Record<string, unknown>;
type PolicyConfigJSONSchema = PolicyConfigSchema["properties"][string];

/** The inputs with every unknown value replaced by rules.UNKNOWN (the engine's proxy throws on them). */
export function known(v: unknown): unknown {
  if (v === null || typeof v !== "object") return v;
  const out: Props | unknown[] = Array.isArray(v) ? [] : {};
  for (const k of Object.keys(v)) {
    let x: unknown;
    try {
      x = known((v as Props)[k]);
    } catch (e) {
      if (!(e instanceof UnknownValueError)) throw e;
      x = rules.UNKNOWN;
    }
    (out as Props)[k] = x;
  }
  return out;
}

function report(
  report: ReportViolation,
  name: string,
  kind: rules.Kind,
  urn: string | undefined,
  vs: rules.Violation[],
) {
  for (const v of vs) report(`${kind} "${name}": ${v.field} ${v.message}`, urn);
}

/** A resource rule: `check` gets the resource's kind, its inputs (unknowns marked) and the policy's config. */
function resourceRule<C extends object>(
  name: string,
  description: string,
  enforcementLevel: "mandatory" | "advisory",
  defaults: C,
  schema: Record<string, PolicyConfigJSONSchema>,
  check: (kind: rules.Kind, props: Props, config: C) => rules.Violation[],
): ResourceValidationPolicy {
  return {
    name,
    description,
    enforcementLevel,
    configSchema: { properties: schema },
    validateResource: (args, reportViolation) => {
      const kind = rules.kindOf(args.type);
      if (!kind) return;
      const config = { ...defaults, ...(args.getConfig<C>() ?? {}) };
      const props = known(args.props) as Props;
      const resourceName = typeof props.name === "string" ? props.name : args.name;
      report(reportViolation, resourceName, kind, undefined, check(kind, props, config));
    },
  };
}

interface SystemConfig {
  /** Names of system accounts (their `name` input): their users may publish on `>` (default ["SYS"]). */
  systemAccounts: string[];
}
const SYSTEM_DEFAULTS: SystemConfig = { systemAccounts: ["SYS"] };
const systemSchema: Record<string, PolicyConfigJSONSchema> = {
  systemAccounts: { type: "array", items: { type: "string" }, default: ["SYS"] },
};

/**
 * Which resources are the system account or belong to it: the accounts named in `systemAccounts` (or
 * the operator's `systemAccount`), the users and signing keys that depend on one, and the users
 * that share an identity key (a KeyPair) with one, as on the native plugin.
 */
function systemResources(resources: PolicyResource[], config: SystemConfig): Set<string> {
  const view = resources.map((r) => ({
    r,
    kind: rules.kindOf(r.type),
    props: rules.flatInputs(known(r.props) as Props),
  }));
  const operatorSystem = new Set<unknown>(
    view
      .filter((v) => v.kind === "Operator")
      .map((v) => v.props.systemAccount)
      .filter((k) => typeof k === "string"),
  );
  const systemAccounts = view.filter(
    (v) =>
      v.kind === "Account" &&
      ((typeof v.props.name === "string" && config.systemAccounts.includes(v.props.name)) ||
        operatorSystem.has(v.props.publicKey) ||
        operatorSystem.has(v.props.operatorSystemAccount)),
  );
  const system = new Set(systemAccounts.map((v) => v.r.urn));
  const accountDeps = new Set(systemAccounts.flatMap((v) => v.r.dependencies.map((d) => d.urn)));
  const accountKeys = new Set<unknown>(
    systemAccounts.map((v) => v.props.publicKey).filter((k) => typeof k === "string"),
  );
  for (const v of view) {
    if (v.kind === "SigningKey" && accountDeps.has(v.r.urn)) system.add(v.r.urn);
    if (v.kind === "User") {
      const deps = v.r.dependencies.map((d) => d.urn);
      const keyShared = deps.some(
        (d) => accountDeps.has(d) && rules.kindOf(resources.find((r) => r.urn === d)?.type ?? "") === "Other",
      );
      if (deps.some((d) => system.has(d)) || keyShared || accountKeys.has(v.props.accountPublicKey))
        system.add(v.r.urn);
    }
  }
  return system;
}

/** A stack rule: like a resource rule, with what the stack says about the system account. */
function stackRule<C extends object>(
  name: string,
  description: string,
  enforcementLevel: "mandatory" | "advisory",
  defaults: C,
  schema: Record<string, PolicyConfigJSONSchema>,
  check: (kind: rules.Kind, props: Props, config: C & SystemConfig, ctx: rules.Context) => rules.Violation[],
): StackValidationPolicy {
  return {
    name,
    description,
    enforcementLevel,
    configSchema: { properties: { ...systemSchema, ...schema } },
    validateStack: (args, reportViolation) => {
      const config = { ...SYSTEM_DEFAULTS, ...defaults, ...(args.getConfig<C & SystemConfig>() ?? {}) };
      const system = systemResources(args.resources, config);
      for (const r of args.resources) {
        const kind = rules.kindOf(r.type);
        if (!kind) continue;
        const props = known(r.props) as Props;
        const resourceName = typeof props.name === "string" ? props.name : r.name;
        report(
          reportViolation,
          resourceName,
          kind,
          r.urn,
          check(kind, props, config, { system: system.has(r.urn) }),
        );
      }
    },
  };
}

const days: Record<string, PolicyConfigJSONSchema> = {
  maxDays: { type: "number", minimum: 1, default: rules.USER_EXPIRY_DEFAULTS.maxDays },
};
const required = (defaults: string[]): Record<string, PolicyConfigJSONSchema> => ({
  required: { type: "array", items: { type: "string" }, default: defaults },
});

new PolicyPack("nats-guardrails", {
  policies: [
    stackRule(
      "nats-no-full-wildcard-publish",
      "No user, scoped signing key or account default permission outside the system account may publish on '>'.",
      "mandatory",
      {},
      {},
      (kind, props, _c, ctx) => rules.noFullWildcardPublish(kind, props, ctx),
    ),
    resourceRule(
      "nats-operator-strict-signing-keys",
      "Operators have signing keys and strictSigningKeyUsage.",
      "mandatory",
      {},
      {},
      (kind, props) => rules.operatorStrictSigningKeys(kind, props),
    ),
    resourceRule(
      "nats-account-signed-by-signing-key",
      "Accounts are signed by an operator signing key, not the operator's identity key.",
      "mandatory",
      {},
      {},
      (kind, props) => rules.accountSignedBySigningKey(kind, props),
    ),
    resourceRule(
      "nats-no-credentials-in-urls",
      "No user, password or token in any URL.",
      "mandatory",
      {},
      {},
      (kind, props) => rules.noCredentialsInUrls(kind, props),
    ),
    stackRule(
      "nats-user-expiry",
      "User JWTs expire within a maximum lifetime (maxDays).",
      "advisory",
      rules.USER_EXPIRY_DEFAULTS,
      days,
      (kind, props, c, ctx) => rules.userExpiry(kind, props, c, Math.floor(Date.now() / 1000), ctx),
    ),
    stackRule(
      "nats-no-bearer-tokens",
      "No bearer-token users; accounts other than the system account set limits.disallowBearer.",
      "advisory",
      {},
      {},
      (kind, props, _c, ctx) => rules.noBearerTokens(kind, props, ctx),
    ),
    stackRule(
      "nats-account-limits",
      "Accounts other than the system account set connection and data limits.",
      "advisory",
      rules.ACCOUNT_LIMITS_DEFAULTS,
      required(rules.ACCOUNT_LIMITS_DEFAULTS.required),
      (kind, props, c, ctx) => rules.accountLimits(kind, props, c, ctx),
    ),
    resourceRule(
      "nats-jetstream-limits",
      "Accounts with JetStream bound its storage, streams and consumers.",
      "advisory",
      rules.JETSTREAM_LIMITS_DEFAULTS,
      required(rules.JETSTREAM_LIMITS_DEFAULTS.required),
      (kind, props, c) => rules.jetStreamLimits(kind, props, c),
    ),
    resourceRule(
      "nats-resolver-tls",
      "Accounts reach their resolver over TLS.",
      "advisory",
      {},
      {},
      (kind, props) => rules.resolverTls(kind, props),
    ),
    resourceRule(
      "nats-revocations-size",
      "Account revocations stay well below the JWT size a server takes.",
      "advisory",
      rules.REVOCATIONS_DEFAULTS,
      { fraction: { type: "number", minimum: 0, maximum: 1, default: rules.REVOCATIONS_DEFAULTS.fraction } },
      (kind, props, c) => rules.revocationsSize(kind, props, c),
    ),
  ],
});
