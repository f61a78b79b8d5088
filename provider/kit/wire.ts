/**
 * Inputs the SDK sends packed under one key, and the handlers read flat.
 *
 * Every top-level input of a resource costs the Pulumi program per resource: four promises (each
 * recorded a stack trace formatted through the language host's source maps, until sdk/dynamic.ts
 * stopped that; bench/RESULTS.md, "Where the time goes"). A User's signer wiring (six values the program never reads back) is
 * therefore one input. The signer seed stays an input of its own: a secret inside an object makes
 * Pulumi treat the whole object as secret, and the wiring should read plainly in a diff. Handlers
 * keep their flat contract: this wrapper unpacks at the boundary, so state written flat by earlier
 * releases reads the same, and packs what `check` returns.
 */
import type { Handler } from "./handler";

type Obj = Record<string, unknown>;

/** The flat view of `props`: the packed fields moved to the top level. */
export function unpack<T>(props: T, key: string): T {
  const packed = (props as Obj | undefined)?.[key];
  if (packed === undefined || packed === null || typeof packed !== "object") return props;
  const { [key]: _, ...rest } = props as Obj;
  return { ...rest, ...(packed as Obj) } as T;
}

/** `props` with `fields` moved under `key` (fields that are absent stay absent). */
export function pack<T>(props: T, key: string, fields: readonly string[]): T {
  const rest: Obj = { ...(props as Obj) };
  const packed: Obj = {};
  for (const f of fields) {
    if (f in rest) {
      if (rest[f] !== undefined) packed[f] = rest[f];
      delete rest[f];
    }
  }
  return { ...rest, [key]: packed } as T;
}

/** `state` without `fields`: what the handler needs only from the inputs it is given, never from old state. */
function without<T>(state: T, fields: readonly string[]): T {
  const out: Obj = { ...(state as Obj) };
  for (const f of fields) delete out[f];
  return out as T;
}

/**
 * The handler as Pulumi calls it: inputs arrive with `fields` packed under `key` (state written by
 * earlier releases holds them flat, which reads the same); `check` returns them packed as they came.
 * Outputs leave out `notStored`: inputs that every method using them receives from the program (a
 * handler that needs them in read or delete, which get only the state, keeps them).
 */
export function packedInputs<P extends object, S extends P>(
  h: Handler<P, S>,
  key: string,
  fields: readonly string[],
  notStored: readonly string[],
): Handler<P, S> {
  const stored = <T>(outs: T): T => without(outs, notStored);
  const flat = <T>(x: T): T => unpack(x, key);
  const out: Handler<P, S> = {
    async check(olds, news) {
      const r = await h.check(flat(olds), flat(news));
      const wasPacked = (news as Obj)[key] !== undefined;
      return { ...r, inputs: wasPacked ? pack(r.inputs, key, fields) : r.inputs };
    },
    diff: (id, olds, news) => h.diff(id, flat(olds), flat(news)),
    async create(inputs) {
      const r = await h.create(flat(inputs));
      return { ...r, outs: stored(r.outs) };
    },
  };
  const { update, read, delete: del } = h;
  if (update) {
    out.update = async (id, olds, news) => {
      const r = await update(id, flat(olds), flat(news));
      return { ...r, outs: stored(r.outs) };
    };
  }
  if (read) out.read = (id, props) => read(id, flat(props));
  if (del) out.delete = (id, props) => del(id, flat(props));
  const { preview } = h;
  if (preview) out.preview = (news, olds) => stored(preview(flat(news), olds && flat(olds)));
  return out;
}
