/**
 * NATS config syntax: one serializer from a config object to the text nats-server reads. The
 * builder of what goes into such an object is serverConfig.ts.
 */
import { ConfigError } from "./errors";

/** A value in a NATS config object; `undefined` entries are left out of the text. */
export type ConfValue = string | number | boolean | undefined | ConfValue[] | ConfObject;

/** A NATS config map (top level or a nested block). */
export interface ConfObject {
  [key: string]: ConfValue;
}

// Anything else is quoted: bare keys end at whitespace, ':' or '=', and a bare `include` followed by
// a space is the include directive.
const BARE_KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;

function formatKey(key: string): string {
  if (BARE_KEY.test(key) && key.toLowerCase() !== "include") return key;
  // Quoted keys have no escapes in the NATS lexer, so the quote character itself cannot appear.
  if (/[\r\n]/.test(key) || (key.includes('"') && key.includes("'"))) {
    throw new ConfigError(key, "a config key cannot contain a new line or both kinds of quote");
  }
  return key.includes('"') ? `'${key}'` : `"${key}"`;
}

const ESCAPES: Record<string, string> = { "\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t" };

// Strings are always double-quoted: bare values would turn `$x` into a variable reference, `yes` into
// a boolean and `1k` into a number.
function quote(text: string): string {
  let out = "";
  for (const c of text) {
    const code = c.charCodeAt(0);
    out += ESCAPES[c] ?? (code < 0x20 || code === 0x7f ? `\\x${code.toString(16).padStart(2, "0")}` : c);
  }
  return `"${out}"`;
}

function isBlock(v: ConfValue): v is ConfObject {
  return typeof v === "object" && !Array.isArray(v);
}

function isScalar(v: ConfValue): boolean {
  return typeof v !== "object";
}

function entries(obj: ConfObject, pad: string): string[] {
  return Object.entries(obj)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${pad}${formatKey(k)}${isBlock(v) ? " " : ": "}${render(v, pad)}`);
}

function render(v: ConfValue, pad: string): string {
  if (typeof v === "string") return quote(v);
  if (typeof v === "number") {
    if (!Number.isFinite(v)) throw new ConfigError(String(v), "config numbers must be finite");
    return String(v);
  }
  if (typeof v === "boolean") return String(v);
  const inner = `${pad}  `;
  if (Array.isArray(v)) {
    const items = v.filter((x) => x !== undefined);
    if (items.length === 0) return "[]";
    if (items.every(isScalar)) return `[ ${items.map((x) => render(x, inner)).join(", ")} ]`;
    return `[\n${items.map((x) => inner + render(x, inner)).join("\n")}\n${pad}]`;
  }
  const lines = entries(v ?? {}, inner);
  return lines.length === 0 ? "{}" : `{\n${lines.join("\n")}\n${pad}}`;
}

/**
 * Serializes a config object to nats-server config syntax: `key: value` lines, `name { … }` blocks,
 * `[ … ]` arrays, strings always double-quoted, two-space indent, keys in insertion order.
 */
export function toConf(value: ConfObject): string {
  const lines = entries(value, "");
  return lines.length === 0 ? "" : `${lines.join("\n")}\n`;
}
