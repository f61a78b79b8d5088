/**
 * The dynamic providers Pulumi serializes into state.
 *
 * Pulumi writes `__provider` (a serialized closure of the provider object) into the inputs and outputs
 * of every resource. To keep that tiny and free of captured modules, clients or key material, each
 * method only loads the resource's handler by package name at call time: the serialized text is a few
 * hundred bytes, and `refresh`/`destroy` run the installed version of this package rather than a copy
 * frozen into state.
 */
import type * as pulumi from "@pulumi/pulumi";

/** The resources this package implements; each names a module `provider/<kind>.ts`. */
export type ResourceKind =
  | "keyPair"
  | "signingKey"
  | "operator"
  | "account"
  | "user"
  | "leafRemote"
  | "serverConfigFile";

/** What every handler module exports: the dynamic provider methods for one resource kind. */
export interface Handler {
  check(olds: Record<string, unknown>, news: Record<string, unknown>): Promise<pulumi.dynamic.CheckResult>;
  diff(
    id: string,
    olds: Record<string, unknown>,
    news: Record<string, unknown>,
  ): Promise<pulumi.dynamic.DiffResult>;
  create(inputs: Record<string, unknown>): Promise<pulumi.dynamic.CreateResult>;
  update?(
    id: string,
    olds: Record<string, unknown>,
    news: Record<string, unknown>,
  ): Promise<pulumi.dynamic.UpdateResult>;
  read?(id: string, props: Record<string, unknown>): Promise<pulumi.dynamic.ReadResult>;
  delete?(id: string, props: Record<string, unknown>): Promise<void>;
}

/** Builds the provider object for one resource kind. */
export function providerFor(kind: ResourceKind): pulumi.dynamic.ResourceProvider {
  // `require` with the package's own name resolves from the Pulumi project's node_modules when the
  // provider runs; nothing of this module is captured but `kind`.
  const load = (): Handler => require(`pulumi-nats-auth/provider/${kind}`).handler;
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
