import * as pulumi from "@pulumi/pulumi";
import { type LeafRemoteInputs, type LeafRemoteSpec, leafRemoteEntry } from "../core/serverConfig";
import type { LeafRemoteProps, LeafRemoteState } from "../provider/contracts";
import { DynamicResource } from "./dynamic";
import { expose } from "./known";
import { secretInput } from "./secrets";
import { MODULE, type ResourceProps } from "./types";

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
  tls?: pulumi.Input<{
    handshakeFirst?: pulumi.Input<boolean>;
    certFile?: pulumi.Input<string>;
    keyFile?: pulumi.Input<string>;
    caFile?: pulumi.Input<string>;
  }>;
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
