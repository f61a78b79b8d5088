/**
 * Generates `schema.json`, the Pulumi package schema of the native plugin, from the typed contracts
 * (provider/contracts.ts and the claim types they use) with the TypeScript compiler: one source of
 * truth for field names, types, optionality, descriptions (the doc comments) and secrets (`@secret`).
 *
 * Shapes every language can express:
 * - `DateLike` and `Duration` (string | number in TypeScript) are strings: an RFC 3339 date, a Go
 *   duration such as "1h30m".
 * - A union of string literals is a string (the description lists the values); `true | false` a boolean.
 * - A union of object types (ResolverSpec) is one object type holding every member's properties.
 * - Any other union (SigningKeyRef: a public key or a scoped key) is `Any`, documented.
 * - A field declared with `Int` (core/int.ts, `number` to TypeScript) is `integer`; plain `number` stays
 *   `number`.
 *
 * Run: `node dist/scripts/genSchema.js` (writes schema.json); test/unit/schema.test.ts fails when the
 * checked-in file differs from what this generates.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import ts from "typescript";
import { COMPONENTS, PACKAGE, RESOURCES, tokenOf } from "../plugin/resources";

interface PropertySpec {
  type?: string;
  $ref?: string;
  items?: PropertySpec;
  additionalProperties?: PropertySpec;
  description?: string;
  secret?: boolean;
}
interface ObjectSpec {
  type: "object";
  description?: string;
  properties: Record<string, PropertySpec>;
  required?: string[];
}

/** Aliases with a fixed shape in the schema, and what their description adds. */
const AS_STRING: Record<string, string> = {
  DateLike: 'A date: RFC 3339 text (e.g. "2030-01-01T00:00:00Z").',
  Duration: 'A Go-style duration: "1s", "250ms", "1m30s".',
};
const AS_ANY: Record<string, string> = {
  SigningKeyRef:
    'A signing key: its public key ("A…"), or a scoped key {key, role, template, description} (a SigningKey\'s `ref`).',
};
/** The alias (core/int.ts) of whole-number fields: `integer` in the schema, `number` in TypeScript. */
const INTEGER_ALIAS = "Int";
/** The contract of the provider's configuration (stack config keys and explicit provider inputs). */
const PROVIDER_CONFIG = "ProviderConfig";
const PROVIDER_DESCRIPTION =
  "The nats-auth provider: how Accounts reach their resolver in one environment (servers, the system user's creds, TLS, timeouts). An Account's own `resolver` overrides it field by field; the secret settings never enter a resource's state.";
/** Inputs set by the provider's check, never by a program: outputs only. */
const CHECK_SET = new Set(["adoptionDrift"]);

const ROOT = path.resolve(__dirname, "..", __dirname.includes(`${path.sep}dist${path.sep}`) ? ".." : "");

export function generateSchema(root = ROOT): object {
  const contracts = path.join(root, "provider", "contracts.ts");
  const program = ts.createProgram([contracts], {
    strict: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.Node16,
    moduleResolution: ts.ModuleResolutionKind.Node16,
    skipLibCheck: true,
    noEmit: true,
  });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(contracts);
  if (!source) throw new Error(`cannot read ${contracts}`);
  const moduleSymbol = checker.getSymbolAtLocation(source);
  if (!moduleSymbol) throw new Error(`${contracts} is not a module`);
  const exported = new Map(checker.getExportsOfModule(moduleSymbol).map((s) => [s.name, s]));

  const types: Record<string, ObjectSpec> = {};
  /** Type id -> schema token, so a shape used twice is one type. */
  const named = new Map<ts.Type, string>();

  const docOf = (s: ts.Symbol): string => ts.displayPartsToString(s.getDocumentationComment(checker)).trim();
  const isSecretProp = (s: ts.Symbol): boolean => s.getJsDocTags(checker).some((t) => t.name === "secret");
  const withDoc = (p: PropertySpec, doc: string): PropertySpec => {
    const description = [doc, p.description].filter(Boolean).join(" ");
    return description ? { ...p, description } : p;
  };
  const defined = (t: ts.Type): ts.Type[] =>
    t.isUnion()
      ? t.types.filter((u) => !(u.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Null | ts.TypeFlags.Void)))
      : [t];

  const nameOf = (t: ts.Type, hint: string): string => {
    const alias = t.aliasSymbol?.name;
    const sym = t.getSymbol()?.name;
    const base =
      alias && !["Omit", "Pick", "Partial", "Record"].includes(alias)
        ? alias
        : sym && !sym.startsWith("__")
          ? sym
          : hint;
    let name = base;
    for (let i = 2; types[tokenOf(name)] !== undefined; i++) name = `${base}${i}`;
    return name;
  };

  function objectType(members: ts.Type[], hint: string, key: ts.Type): PropertySpec {
    const existing = named.get(key);
    if (existing) return { $ref: `#/types/${existing}` };
    const token = tokenOf(nameOf(key, hint));
    named.set(key, token);
    const spec: ObjectSpec = { type: "object", properties: {} };
    types[token] = spec;
    const requiredIn = new Map<string, number>();
    const literals = new Map<string, string[]>();
    for (const m of members) {
      for (const p of checker.getPropertiesOfType(m)) {
        const optional = (p.flags & ts.SymbolFlags.Optional) !== 0;
        if (!optional) requiredIn.set(p.name, (requiredIn.get(p.name) ?? 0) + 1);
        const literal = checker.getTypeOfSymbol(p);
        if (literal.isStringLiteral()) literals.set(p.name, [...(literals.get(p.name) ?? []), literal.value]);
        if (spec.properties[p.name]) continue;
        spec.properties[p.name] = property(p, `${hint}${cap(p.name)}`);
      }
    }
    // A discriminant (`type: "full" | "cache" | "memory"` across the members) lists its values.
    for (const [name, values] of literals) {
      if (values.length > 1) {
        spec.properties[name] = {
          type: "string",
          description: `One of ${values.map((v) => JSON.stringify(v)).join(", ")}.`,
        };
      }
    }
    const required = [...requiredIn].filter(([, n]) => n === members.length).map(([k]) => k);
    if (required.length) spec.required = required.sort();
    return { $ref: `#/types/${token}` };
  }

  function typeSpec(t: ts.Type, hint: string): PropertySpec {
    const alias = t.aliasSymbol?.name;
    if (alias && AS_STRING[alias]) return { type: "string", description: AS_STRING[alias] };
    if (alias && AS_ANY[alias]) return { $ref: "pulumi.json#/Any", description: AS_ANY[alias] };
    const parts = defined(t);
    if (parts.length === 0) return { $ref: "pulumi.json#/Any" };
    if (parts.every((p) => p.flags & ts.TypeFlags.BooleanLike)) return { type: "boolean" };
    if (parts.every((p) => p.flags & ts.TypeFlags.StringLike)) {
      const literals = parts
        .filter((p) => p.isStringLiteral())
        .map((p) => JSON.stringify((p as ts.StringLiteralType).value));
      return literals.length === parts.length && literals.length > 1
        ? { type: "string", description: `One of ${literals.join(", ")}.` }
        : { type: "string" };
    }
    if (parts.every((p) => p.flags & ts.TypeFlags.NumberLike)) return { type: "number" };
    if (parts.length > 1) {
      const objects = parts.every((p) => p.flags & ts.TypeFlags.Object && !checker.isArrayType(p));
      return objects ? objectType(parts, hint, t) : { $ref: "pulumi.json#/Any" };
    }
    const one = parts[0];
    if (one.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return { $ref: "pulumi.json#/Any" };
    if (checker.isArrayType(one)) {
      const [item] = checker.getTypeArguments(one as ts.TypeReference);
      return { type: "array", items: typeSpec(item, hint) };
    }
    if (one.flags & ts.TypeFlags.Object) {
      const index = checker.getIndexInfosOfType(one);
      if (index.length && checker.getPropertiesOfType(one).length === 0) {
        return { type: "object", additionalProperties: typeSpec(index[0].type, hint) };
      }
      return objectType([one], hint, one);
    }
    throw new Error(`${hint}: no schema shape for ${checker.typeToString(one)}`);
  }

  /** The alias a property is declared with (`expires?: DateLike` loses it to `| undefined`). */
  function declaredAlias(p: ts.Symbol): string | undefined {
    const node = p.valueDeclaration ?? p.declarations?.[0];
    const typeNode =
      node && (ts.isPropertySignature(node) || ts.isPropertyDeclaration(node)) ? node.type : undefined;
    return typeNode && ts.isTypeReferenceNode(typeNode) ? typeNode.typeName.getText() : undefined;
  }

  function property(p: ts.Symbol, hint: string): PropertySpec {
    const alias = declaredAlias(p);
    const fixed =
      alias && AS_STRING[alias]
        ? { type: "string", description: AS_STRING[alias] }
        : alias && AS_ANY[alias]
          ? { $ref: "pulumi.json#/Any", description: AS_ANY[alias] }
          : undefined;
    const spec = withDoc(
      fixed ?? wholeNumbers(typeSpec(checker.getTypeOfSymbol(p), hint), declaredType(p)),
      docOf(p),
    );
    return isSecretProp(p) ? { ...spec, secret: true } : spec;
  }

  function declaredType(p: ts.Symbol): ts.TypeNode | undefined {
    const node = p.valueDeclaration ?? p.declarations?.[0];
    return node && (ts.isPropertySignature(node) || ts.isPropertyDeclaration(node)) ? node.type : undefined;
  }

  /**
   * `Int` (core/int.ts) is `number` to the type checker, which keeps no alias of a primitive: read the
   * declaration as written instead. `Int`, `Int | undefined`, `Int[]`, `Record<string, Int>` and
   * `{ [k: string]: Int }` turn the matching `number` of the spec into `integer`.
   */
  function wholeNumbers(spec: PropertySpec, node: ts.TypeNode | undefined): PropertySpec {
    if (!node) return spec;
    if (ts.isParenthesizedTypeNode(node)) return wholeNumbers(spec, node.type);
    if (ts.isUnionTypeNode(node)) {
      const defined = node.types.filter(
        (t) =>
          t.kind !== ts.SyntaxKind.UndefinedKeyword &&
          !(ts.isLiteralTypeNode(t) && t.literal.kind === ts.SyntaxKind.NullKeyword),
      );
      return defined.length === 1 ? wholeNumbers(spec, defined[0]) : spec;
    }
    if (ts.isArrayTypeNode(node) && spec.items)
      return { ...spec, items: wholeNumbers(spec.items, node.elementType) };
    if (ts.isTypeLiteralNode(node) && spec.additionalProperties) {
      const index = node.members.find(ts.isIndexSignatureDeclaration);
      return index
        ? { ...spec, additionalProperties: wholeNumbers(spec.additionalProperties, index.type) }
        : spec;
    }
    if (ts.isTypeReferenceNode(node)) {
      const name = ts.isIdentifier(node.typeName) ? node.typeName.text : node.typeName.right.text;
      if (name === INTEGER_ALIAS && spec.type === "number") return { ...spec, type: "integer" };
      const value = node.typeArguments?.[1];
      if (name === "Record" && value && spec.additionalProperties) {
        return { ...spec, additionalProperties: wholeNumbers(spec.additionalProperties, value) };
      }
    }
    return spec;
  }

  function propertiesOf(
    typeName: string,
    forInputs: boolean,
  ): { properties: Record<string, PropertySpec>; required: string[] } {
    const sym = exported.get(typeName);
    if (!sym) throw new Error(`provider/contracts.ts exports no ${typeName}`);
    const t = checker.getDeclaredTypeOfSymbol(
      sym.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(sym) : sym,
    );
    const properties: Record<string, PropertySpec> = {};
    const required: string[] = [];
    for (const p of checker.getPropertiesOfType(t)) {
      if (p.name === "__provider" || (forInputs && CHECK_SET.has(p.name))) continue;
      properties[p.name] = property(
        p,
        typeName.replace(/(Props|State|NativeOutputs|Outputs)$/, "") + cap(p.name),
      );
      if (!(p.flags & ts.SymbolFlags.Optional)) required.push(p.name);
    }
    return { properties, required: required.sort() };
  }

  const resources: Record<string, object> = {};
  for (const r of RESOURCES) {
    const inputs = propertiesOf(r.inputs, true);
    const outputs = propertiesOf(r.outputs, false);
    resources[tokenOf(r.type)] = {
      description: r.description,
      inputProperties: inputs.properties,
      ...(inputs.required.length ? { requiredInputs: inputs.required } : {}),
      properties: outputs.properties,
      ...(outputs.required.length ? { required: outputs.required } : {}),
    };
  }
  for (const c of COMPONENTS) {
    const inputs = propertiesOf(c.inputs, true);
    const outputs = propertiesOf(c.outputs, false);
    resources[tokenOf(c.type)] = {
      description: c.description,
      isComponent: true,
      inputProperties: inputs.properties,
      ...(inputs.required.length ? { requiredInputs: inputs.required } : {}),
      properties: outputs.properties,
      ...(outputs.required.length ? { required: outputs.required } : {}),
    };
  }
  // The provider's own configuration: `nats-auth:<key>` stack config, and an explicit provider's inputs.
  const providerConfig = propertiesOf(PROVIDER_CONFIG, true);
  return {
    name: PACKAGE,
    displayName: "NATS auth",
    description:
      "Declarative NATS decentralized security (operators, accounts, users, signing keys, activation tokens) and topology (account JWTs pushed to the resolver, leaf remotes, nats-server configs).",
    keywords: ["pulumi", "nats", "category/infrastructure", "kind/native"],
    license: "Apache-2.0",
    repository: "https://github.com/pulumi-nats-auth/pulumi-nats-auth",
    meta: { moduleFormat: "(.*)" },
    language: {
      go: { importBasePath: "github.com/pulumi-nats-auth/pulumi-nats-auth/sdk/go/natsauth" },
      python: { packageName: "pulumi_nats_auth" },
    },
    config: { variables: providerConfig.properties },
    provider: {
      description: PROVIDER_DESCRIPTION,
      inputProperties: providerConfig.properties,
    },
    resources,
    types: Object.fromEntries(Object.entries(types).sort(([a], [b]) => a.localeCompare(b))),
  };
}

function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** The schema as checked in: stable key order, two-space indent, trailing newline. */
export function schemaText(root = ROOT): string {
  return `${JSON.stringify(generateSchema(root), null, 2)}\n`;
}

if (require.main === module) {
  const out = path.join(ROOT, "schema.json");
  fs.writeFileSync(out, schemaText());
  console.log(`wrote ${out}`);
}
