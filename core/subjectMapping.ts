/**
 * Subject mapping destinations as nats-server judges them (server/sublist.go `ValidateMapping`,
 * server/subject_transform.go `NewSubjectTransform`). The server never refuses an account JWT for a
 * bad mapping: it drops the mapping without a word (`AddWeightedMappings`' error is ignored when the
 * claims are applied), and publishes to the source then go nowhere they were meant to. So every rule
 * the server applies is applied here, before anything is signed; a few shapes the server accepts but
 * that cannot work (a partition over 0 buckets, a wildcard index below 1) are refused too.
 */

const MAX_INT32 = 2 ** 31 - 1;

/** Go's `strconv.Atoi` after trimming spaces: an optional sign and decimal digits. */
function atoi(arg: string): number | undefined {
  const t = arg.replace(/^ +| +$/g, "");
  return /^[+-]?\d+$/.test(t) ? Number(t) : undefined;
}

/** The destination functions the server knows, case-insensitive on the first letter as its regexes are. */
const FUNCTIONS = [
  "wildcard",
  "partition",
  "splitFromLeft",
  "splitFromRight",
  "sliceFromLeft",
  "sliceFromRight",
  "split",
  "random",
  "left",
  "right",
] as const;
type FunctionName = (typeof FUNCTIONS)[number];

/** The function of a `{{name(args)}}` token and its arguments (split on ",", as the server does). */
function parseFunction(token: string): { name: FunctionName; args: string[] } | undefined {
  for (const name of FUNCTIONS) {
    // nats-server: `{{\s*[wW]ildcard\s*\((.*)\)\s*}}`, first letter of each word either case.
    const pattern = name.replace(/[A-Z]/g, (c) => `[${c}${c.toLowerCase()}]`);
    const first = `[${name[0].toLowerCase()}${name[0].toUpperCase()}]`;
    const m = new RegExp(`{{\\s*${first}${pattern.slice(1)}\\s*\\((.*)\\)\\s*}}`).exec(token);
    if (m) return { name, args: m[1].split(/,\s*/) };
  }
  return undefined;
}

/** What a destination token uses: wildcard indexes, or a function that needs none, or a literal. */
type Placeholder = { kind: "literal" } | { kind: "function"; name: string; indexes: number[] };

function placeholder(token: string): Placeholder | string {
  if (token.length > 1 && token[0] === "$") {
    const i = atoi(token.slice(1));
    // "$foo" is a literal token to the server (other features use "$" names).
    return i === undefined ? { kind: "literal" } : { kind: "function", name: "$", indexes: [i] };
  }
  if (!(token.length > 4 && token.startsWith("{{") && token.endsWith("}}"))) return { kind: "literal" };
  const f = parseFunction(token);
  if (!f) {
    return `${token} is not a mapping function the server knows (${FUNCTIONS.map((n) => `{{${n}(…)}}`).join(", ")})`;
  }
  const { name, args } = f;
  const ints = args.map(atoi);
  const bad = (what: string) => `${token}: ${what}`;
  switch (name) {
    case "wildcard":
      if (args.length !== 1 || args[0] === "") return bad("wildcard takes one wildcard index");
      if (ints[0] === undefined) return bad("the wildcard index must be a number");
      return { kind: "function", name, indexes: [ints[0]] };
    case "partition": {
      if (ints.some((n) => n === undefined)) return bad("partition takes numbers: (buckets, index, …)");
      const buckets = ints[0]!;
      if (buckets < 1 || buckets > MAX_INT32) return bad("the number of partitions must be 1 or more");
      return { kind: "function", name, indexes: ints.slice(1) as number[] };
    }
    case "split":
      if (args.length !== 2) return bad("split takes (wildcard index, delimiter)");
      if (ints[0] === undefined) return bad("the wildcard index must be a number");
      if (args[1].includes(" ") || args[1].includes("."))
        return bad("the delimiter may not hold a space or '.'");
      return { kind: "function", name, indexes: [ints[0]] };
    case "random":
      if (args.length !== 1 || ints[0] === undefined) return bad("random takes one number (the range)");
      if (ints[0] < 1 || ints[0] > MAX_INT32) return bad("the range of random must be 1 or more");
      return { kind: "function", name, indexes: [] };
    default:
      // splitFromLeft/Right, sliceFromLeft/Right, left, right: (wildcard index, position or size).
      if (args.length !== 2) return bad(`${name} takes (wildcard index, number)`);
      if (ints[0] === undefined || ints[1] === undefined) return bad(`${name} takes two numbers`);
      if (ints[1] < 1 || ints[1] > MAX_INT32) return bad(`the second argument of ${name} must be 1 or more`);
      return { kind: "function", name, indexes: [ints[0]] };
  }
}

/**
 * Why nats-server would drop the mapping of `src` to `dest` (or why it cannot work), or undefined.
 * `src` must already be a valid subject.
 */
export function mappingDestinationProblem(src: string, dest: unknown): string | undefined {
  if (typeof dest !== "string" || dest === "") return "must be a non-empty subject";
  // The jwt library refuses an account whose mapping destination holds a space anywhere, even inside
  // "{{ wildcard(1) }}" (which a server config file would accept).
  if (/\s/.test(dest)) return `subject ${JSON.stringify(dest)} contains white space`;
  const stokens = src.split(".");
  const dtokens = dest.split(".");
  const wildcards = stokens.filter((t) => t === "*").length;
  const srcFull = stokens[stokens.length - 1] === ">";
  for (let i = 0; i < dtokens.length; i++) {
    const t = dtokens[i];
    const name = JSON.stringify(dest);
    if (t === "") return `${name} has an empty token`;
    if (t === ">" && i !== dtokens.length - 1) return `${name}: '>' must be the last token`;
    if (t === "*")
      return `${name}: a destination may not contain '*'; refer to the source's wildcards with {{wildcard(n)}}`;
    const p = placeholder(t);
    if (typeof p === "string") return p;
    if (p.kind === "literal") continue;
    if (p.name === "random" || (p.name === "partition" && p.indexes.length === 0)) continue;
    if (wildcards === 0) {
      // A source without any wildcard: the server ignores partition's indexes (it hashes the subject).
      if (p.name === "partition" && !srcFull) continue;
      return `${t} refers to a wildcard of the source, but ${JSON.stringify(src)} has no '*' (only {{partition(n)}} and {{random(n)}} work without one)`;
    }
    for (const i of p.indexes) {
      if (i < 1 || i > wildcards) {
        return `${t}: wildcard index ${i} is out of range: ${JSON.stringify(src)} has ${wildcards} '*' (indexes 1..${wildcards})`;
      }
    }
  }
  const destFull = dtokens[dtokens.length - 1] === ">";
  if (srcFull !== destFull) {
    return `${JSON.stringify(dest)}: source and destination must both end in '>' or neither (the source ${srcFull ? "does" : "does not"})`;
  }
  return undefined;
}

/** Whether one literal subject could match both (nats-server `SubjectsCollide`). */
export function subjectsCollide(a: string, b: string): boolean {
  if (a === b) return true;
  const x = a.split(".");
  const y = b.split(".");
  const fx = x[x.length - 1] === ">";
  const fy = y[y.length - 1] === ">";
  if (!fx && !fy && x.length !== y.length) return false;
  if (x.length < y.length && !fx) return false;
  if (y.length < x.length && !fy) return false;
  const stop = Math.min(x.length, y.length);
  for (let i = 0; i < stop; i++) {
    const s = x[i];
    const t = y[i];
    if (s === "*" || t === "*" || s === ">" || t === ">") continue;
    if (s !== t) return false;
  }
  return true;
}
