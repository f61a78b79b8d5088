/**
 * How an Account learns the Accounts of the same program it imports from, so its provider can check
 * the imports against their exports at preview (core/peers.ts). Every Account registers under the
 * key objects the program refers to it by (its `publicKey` output, the KeyPair's, or a declared key's
 * text); an import whose `account` is one of them names a peer. The list is sent once the synchronous
 * part of the program has run (as membership lists are), so an exporter declared after its importer
 * is found too, and through the peers' own service imports, so cycles are seen.
 *
 * Only inputs travel (the peers' keys, names, exports and the routing fields of their imports), never
 * a peer's outputs: the importer does not depend on its exporters' resources, and two accounts that
 * import from each other form no cycle in the engine.
 */
import * as pulumi from "@pulumi/pulumi";

/** What the program holds of one Account. */
export interface PeerEntry {
  name: pulumi.Input<string>;
  publicKey: pulumi.Input<string>;
  exports: unknown;
  imports: unknown;
}

/** A peer as the Account sends it (resolved by the engine into core's `AccountPeer`). */
interface PeerInput {
  publicKey: pulumi.Input<string>;
  name: pulumi.Input<string>;
  exports?: unknown;
  imports?: unknown;
}

const byKeyObject = new WeakMap<object, PeerEntry>();
const byKeyText = new Map<string, PeerEntry>();

/** Registers an Account under each of `keys`: the Outputs and texts the program may name it by. */
export function registerPeer(entry: PeerEntry, keys: unknown[]): void {
  for (const k of keys) {
    if (typeof k === "string") byKeyText.set(k, entry);
    else if (k !== null && typeof k === "object") byKeyObject.set(k, entry);
  }
}

function lookup(account: unknown): PeerEntry | undefined {
  if (typeof account === "string") return byKeyText.get(account);
  if (account !== null && typeof account === "object") return byKeyObject.get(account);
  return undefined;
}

/** The imports as written, when written as a list (an Output list cannot be traced before it resolves). */
function written(imports: unknown): Record<string, unknown>[] {
  if (!Array.isArray(imports)) return [];
  return imports.filter(
    (i): i is Record<string, unknown> => i !== null && typeof i === "object" && !pulumi.Output.isInstance(i),
  );
}

/** The fields of an import that route requests: its activation token (a secret) stays out. */
function routing(imports: unknown): unknown {
  const pick = (i: Record<string, unknown>) => ({
    subject: i.subject,
    localSubject: i.localSubject,
    account: i.account,
    type: i.type,
  });
  if (imports === undefined) return undefined;
  if (Array.isArray(imports)) return written(imports).map(pick);
  return pulumi
    .output(imports as pulumi.Input<Record<string, unknown>[]>)
    .apply((list) => (list ?? []).map(pick));
}

/**
 * The peers of the Account `self` whose imports are `imports`, once every Account of the synchronous
 * program has registered; undefined when none of its imports names an Account of the program.
 */
export function peersOf(self: PeerEntry, imports: unknown): Promise<PeerInput[] | undefined> {
  return new Promise((resolve) => {
    setImmediate(() =>
      setImmediate(() => {
        const found: PeerEntry[] = [];
        const queue = [...written(imports)];
        while (queue.length) {
          const peer = lookup(queue.shift()?.account);
          if (!peer || peer === self || found.includes(peer)) continue;
          found.push(peer);
          queue.push(...written(peer.imports));
        }
        resolve(
          found.length
            ? found.map((p) => ({
                publicKey: p.publicKey,
                name: p.name,
                exports: p.exports,
                imports: routing(p.imports),
              }))
            : undefined,
        );
      }),
    );
  });
}
