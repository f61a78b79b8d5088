/**
 * The dynamic providers Pulumi serializes into state, and the typed interface of the handlers behind
 * them.
 *
 * Pulumi writes `__provider` (a serialized closure of the provider object) into the inputs and outputs
 * of every resource. To keep that tiny and free of captured modules, clients or key material, each
 * method only loads the resource's handler by package name at call time: the serialized text is a few
 * hundred bytes, and `refresh`/`destroy` run the installed version of this package rather than a copy
 * frozen into state. The module paths `pulumi-nats-auth/provider/<kind>` are therefore frozen: every
 * stack ever written names them.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { Failure } from "../../core/errors";
import type { Stored } from "../contracts";

/** The resources this package implements; each names a module `provider/<kind>.ts`. */
export type ResourceKind =
  | "keyPair"
  | "signingKey"
  | "operator"
  | "account"
  | "user"
  | "leafRemote"
  | "serverConfigFile"
  | "credsFile"
  | "natsContext"
  | "activationToken";

/** A check result: the inputs as given, with every failure Pulumi shows under the resource. */
export interface CheckResult<P> {
  inputs: P;
  failures: Failure[];
  /**
   * What is allowed but likely to break later (e.g. `$JS.ACK` subjects in the v1 form), as
   * "<property>: <why and what to do>". The native plugin logs them as warnings on the resource; the
   * TypeScript SDK classes log the same core messages themselves (a dynamic provider has no log).
   */
  warnings?: string[];
}

/**
 * A diff, with warnings about the change it finds that need the stored state (which `check` never
 * sees). The native plugin logs them on the resource; a dynamic provider has no log, and they are
 * dropped before Pulumi sees the result.
 */
export type DiffResult = pulumi.dynamic.DiffResult & { warnings?: string[] };

/**
 * What every handler module exports as `handler`: the dynamic provider methods of one resource kind,
 * typed by its contract (`P` the props the SDK sends, `S` the state the handler stores). During
 * preview, props may hold Pulumi's unknown placeholder anywhere (see unknown.ts).
 */
export interface Handler<P extends object, S extends P> {
  /**
   * `olds` are the inputs stored by the last `check` (what it returned), never the outputs: the
   * engine sends the old inputs (seen on the CLI with a dynamic provider; the native plugin gets the
   * same). What only the outputs hold (generated keys, recorded revocations) is for diff and update.
   */
  check(olds: Partial<P & Stored>, news: P & Stored): Promise<CheckResult<P>>;
  diff(id: string, olds: S & Stored, news: P & Stored): Promise<DiffResult>;
  create(inputs: P & Stored): Promise<{ id: string; outs: S }>;
  update?(id: string, olds: S & Stored, news: P & Stored): Promise<{ outs: S }>;
  read?(id: string, props: S & Stored): Promise<{ id: string; props: S }>;
  delete?(id: string, props: S & Stored): Promise<void>;
  /**
   * The outputs known during a preview, computed without any side effect (nothing signed, written or
   * pushed): `olds` is the stored state when the resource is being updated, absent when it is being
   * created. It returns the inputs the resource outputs as given plus the computed outputs that are
   * known (a key that never changes on update, a public key derived from a given seed); every output
   * it leaves out, or sets to the unknown placeholder, is unknown in the preview. Without it, the
   * inputs alone are known. The native plugin serves it to previews in every language; the
   * TypeScript SDK computes the same values in the program (sdk/known.ts), which dynamic providers
   * need because their previews never reach the handler.
   */
  preview?(news: P & Stored, olds?: S & Stored): Partial<S>;
}

/** Builds the provider object for one resource kind. */
export function providerFor(kind: ResourceKind): pulumi.dynamic.ResourceProvider {
  // `require` with the package's own name resolves from the Pulumi project's node_modules when the
  // provider runs; nothing of this module is captured but `kind`. Pulumi hands the methods untyped
  // values; the handler module's contract types them.
  const load = (): Handler<object, object> => require(`pulumi-nats-auth/provider/${kind}`).handler;
  return {
    check: (olds, news) => load().check(olds, news),
    diff: (id, olds, news) => load().diff(id, olds, news),
    create: (inputs) => load().create(inputs),
    update: async (id, olds, news) => {
      const h = load();
      return h.update ? h.update(id, olds, news) : {};
    },
    read: async (id, props) => {
      const h = load();
      return h.read ? h.read(id, props) : { id, props };
    },
    delete: async (id, props) => {
      const h = load();
      if (h.delete) await h.delete(id, props);
    },
  };
}

/**
 * The `__provider` text Pulumi stores in the inputs and outputs of every resource of `kind` (what
 * `pulumi.dynamic.Resource` would store is the serialized closure of `providerFor(kind)`, 2.3 KB,
 * twice per resource). It loads the installed handler module by its frozen path; the dynamic-provider
 * process calls the handler's methods directly (it treats a missing update/read/delete as
 * `providerFor` does). State written by earlier releases keeps its own text, which loads the same
 * modules.
 */
export function providerSource(kind: ResourceKind): string {
  return `exports.handler = () => require("pulumi-nats-auth/provider/${kind}").handler;\n`;
}
