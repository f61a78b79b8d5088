import * as pulumi from "@pulumi/pulumi";
import type { ConfObject } from "../core/confSyntax";
import {
  type ClusterSpec,
  type GatewaySpec,
  type JetStreamSpec,
  type LeafNodesSpec,
  type LeafRemoteSpec,
  type ResolverSpec,
  type ServerConfigSpec,
  serverConfigWarnings,
} from "../core/serverConfig";
import type { ServerConfigProps, ServerConfigState } from "../provider/contracts";
import { DynamicResource } from "./dynamic";
import { LeafRemote } from "./leafRemote";
import { secretInput } from "./secrets";
import { type DeepInput, MODULE, type ResourceProps } from "./types";

/** An account to preload: an {@link Account} resource, or its public key and JWT. */
export interface PreloadedAccount {
  publicKey: pulumi.Input<string>;
  jwt: pulumi.Input<string>;
}

/** Each field of `T` an input of its own (so the SDK can mark one, such as `authorization`, secret). */
type Fields<T> = { [K in keyof T]: DeepInput<T[K]> };

/** Inputs of a {@link ServerConfig}. */
export interface ServerConfigArgs {
  /** Write the config here too (optional; the `text` output always has it). */
  path?: pulumi.Input<string>;
  /**
   * Take over a file already at `path` that this stack did not write: its content is replaced and
   * destroy removes it. Without it such a file is refused (at preview when the content is known).
   */
  overwrite?: pulumi.Input<boolean>;
  serverName?: pulumi.Input<string>;
  host?: pulumi.Input<string>;
  port?: pulumi.Input<number>;
  httpPort?: pulumi.Input<number>;
  /**
   * Where this server's monitoring endpoint answers (`http://host:<httpPort>`), so `restartRequired`
   * says whether the running server uses this config's operator yet (its `/varz` tells). Not written
   * into the config.
   */
  monitorUrl?: pulumi.Input<string>;
  /** The operator JWT (an Operator's `jwt`). */
  operator?: pulumi.Input<string>;
  /** The system account's public key. */
  systemAccount?: pulumi.Input<string>;
  /** The account resolver: full (push with Account's `resolver`), cache, or memory (preload only). */
  resolver?: DeepInput<ResolverSpec>;
  /** Accounts written into `resolver_preload` (with a memory resolver: every account). */
  preload?: PreloadedAccount[];
  /**
   * Leaf-node settings: the hub's listener (port, authorization made a secret, TLS, advertise,
   * compression), or a leaf's remotes.
   */
  leafnodes?: Omit<Fields<LeafNodesSpec>, "remotes"> & {
    remotes?: (LeafRemote | DeepInput<LeafRemoteSpec>)[];
  };
  /** The cluster: name, listener, routes, and their authorization (made a secret), TLS, compression. */
  cluster?: Fields<ClusterSpec>;
  /** The gateway joining this cluster to the others of a supercluster (authorization made a secret). */
  gateway?: Fields<GatewaySpec>;
  /** JetStream: store directory, limits and domain. */
  jetstream?: DeepInput<JetStreamSpec>;
  /** Lame-duck mode: how long closing the clients takes (at least "30s"). */
  lameDuckDuration?: pulumi.Input<string>;
  /** Lame-duck mode: how long to wait before closing clients. */
  lameDuckGracePeriod?: pulumi.Input<string>;
  /**
   * Further settings, written as given (made a secret: they may hold passwords). A key naming a block
   * the builder writes (`cluster`, `gateway`, `leafnodes`, `jetstream`) adds its keys inside it.
   */
  extra?: pulumi.Input<ConfObject>;
}

/**
 * A complete nats-server configuration (like `nsc generate config --nats-resolver|--mem-resolver`,
 * plus leaf nodes, cluster and JetStream). `text` runs as is with `nats-server -c`.
 *
 * `text` is always a secret output and the file is written with mode 0600: a config can carry
 * passwords (leaf-node authorization, `extra`), so it is treated as one whatever it holds.
 */
export class ServerConfig extends DynamicResource {
  /** The config text, a Pulumi secret. */
  declare public readonly text: pulumi.Output<string>;
  declare public readonly path: pulumi.Output<string | undefined>;
  /**
   * Whether the server must be restarted with `text` to use this config's operator: running servers
   * keep the operator they started with (nats-server cannot reload operators). With `monitorUrl`,
   * true exactly while the running server trusts another operator configuration than the declared
   * one (checked by create, update, `pulumi refresh`, and the diff of every preview and `up`); without it (or while the server does not
   * answer), true from an update that changed the operator's keys until such a check says otherwise.
   */
  declare public readonly restartRequired: pulumi.Output<boolean>;

  constructor(name: string, args: ServerConfigArgs, opts?: pulumi.CustomResourceOptions) {
    const { preload, leafnodes, cluster, gateway, ...rest } = args;
    super(
      "serverConfigFile",
      name,
      {
        ...rest,
        preload: preload
          ? pulumi
              .all(preload.map((a) => pulumi.all([a.publicKey, a.jwt])))
              .apply((pairs) => Object.fromEntries(pairs))
          : undefined,
        leafnodes: leafnodes
          ? {
              ...leafnodes,
              authorization: secretInput(leafnodes.authorization),
              remotes: leafnodes.remotes?.map((r) => (r instanceof LeafRemote ? r.remote : r)),
            }
          : undefined,
        cluster: cluster ? { ...cluster, authorization: secretInput(cluster.authorization) } : undefined,
        gateway: gateway ? { ...gateway, authorization: secretInput(gateway.authorization) } : undefined,
        extra: secretInput(rest.extra),
        text: undefined,
        fileInSync: undefined,
        restartRequired: undefined,
      } satisfies ResourceProps<ServerConfigProps, ServerConfigState>,
      { ...opts, additionalSecretOutputs: ["text"] },
      MODULE,
      "ServerConfig",
    );
    // The warnings the handler's check returns (the native plugin logs those; a dynamic provider cannot).
    if (cluster) {
      pulumi.output({ cluster }).apply((s) => {
        for (const w of serverConfigWarnings(s as ServerConfigSpec))
          void pulumi.log.warn(`ServerConfig "${name}": ${w}`, this);
      });
    }
  }
}
