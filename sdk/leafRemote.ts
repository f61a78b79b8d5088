import * as pulumi from "@pulumi/pulumi";
import {
  type CompressionMode,
  type LeafRemoteInputs,
  type LeafRemoteSpec,
  type LeafTlsSpec,
  leafRemoteEntry,
} from "../core/serverConfig";
import type { LeafRemoteProps, LeafRemoteState } from "../provider/contracts";
import { DynamicResource } from "./dynamic";
import { expose } from "./known";
import { secretInput } from "./secrets";
import { type DeepInput, MODULE, type ResourceProps } from "./types";

/** Inputs of a {@link LeafRemote}. */
export interface LeafRemoteArgs {
  /** The hub's leaf-node URLs: nats-leaf://, tls://, or ws(s):// (not mixed with the others). */
  urls: pulumi.Input<pulumi.Input<string>[]>;
  /** The local account (public key, or name in non-operator configs) the remote binds. */
  account?: pulumi.Input<string>;
  /** `.creds` text the leaf authenticates with at the hub, e.g. a User's `creds` output (a secret). */
  credentials?: pulumi.Input<string>;
  /** Absolute path the credentials are written to (mode 0600); required with `credentials`. */
  credentialsPath?: pulumi.Input<string>;
  /** TLS towards the hub. */
  tls?: DeepInput<LeafTlsSpec>;
  /** This side is the hub of the connection: the remote server becomes the leaf (`hub`). */
  hub?: pulumi.Input<boolean>;
  /** Subjects this server does not receive over the connection (`deny_imports`). */
  denyImports?: pulumi.Input<pulumi.Input<string>[]>;
  /** Subjects this server does not send over the connection (`deny_exports`). */
  denyExports?: pulumi.Input<pulumi.Input<string>[]>;
  /** Compression of this connection (nats-server 2.10+): "off", "accept", "s2_auto", "s2_fast", "s2_better", "s2_best". */
  compression?: pulumi.Input<CompressionMode>;
  /** Websocket remotes: compress frames. */
  wsCompression?: pulumi.Input<boolean>;
  /** Websocket remotes: do not mask frames. */
  wsNoMasking?: pulumi.Input<boolean>;
  /**
   * Take over a file already at `credentialsPath` that this stack did not write: its content is replaced and
   * destroy removes it. Without it such a file is refused (at preview when the content is known).
   */
  overwrite?: pulumi.Input<boolean>;
}

/**
 * One outgoing leaf-node connection of a leaf server. Writes the credentials file (mode 0600) and
 * outputs `remote`, the `leafnodes.remotes` entry a {@link ServerConfig} renders. Changing the user
 * (rotated creds) rewrites the file and, through `remote`, the config.
 */
export class LeafRemote extends DynamicResource {
  /** The remote as a server config lists it (credentials as a file path). */
  declare public readonly remote: pulumi.Output<LeafRemoteSpec>;
  declare public readonly credentialsPath: pulumi.Output<string | undefined>;

  constructor(name: string, args: LeafRemoteArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      "leafRemote",
      name,
      {
        ...args,
        credentials: secretInput(args.credentials),
        remote: undefined,
        credentialsHash: undefined,
      } satisfies ResourceProps<LeafRemoteProps, LeafRemoteState>,
      { ...opts, additionalSecretOutputs: ["credentials"] },
      MODULE,
      "LeafRemote",
    );
    // The entry follows from non-secret inputs alone; computed here it stays known in previews of an
    // update (see known.ts) and never carries the credentials themselves.
    const entry = pulumi
      .all({
        urls: args.urls,
        account: args.account,
        credentialsPath: args.credentialsPath,
        tls: args.tls,
        wsCompression: args.wsCompression,
        wsNoMasking: args.wsNoMasking,
        hub: args.hub,
        denyImports: args.denyImports,
        denyExports: args.denyExports,
        compression: args.compression,
      })
      .apply((r) =>
        leafRemoteEntry({
          ...(r as Omit<LeafRemoteInputs, "credentials">),
          credentials: args.credentials === undefined ? undefined : true,
        }),
      );
    expose(this, "remote", entry);
  }
}
