import * as os from "node:os";
import * as nodePath from "node:path";
import * as pulumi from "@pulumi/pulumi";
import type { NatsContextProps, NatsContextState } from "../provider/contracts";
import { providerFor } from "../provider/kit/handler";
import { MODULE, type ResourceProps } from "./types";

/** Inputs of a {@link NatsContext}. */
export interface NatsContextArgs {
  /** The context name, as in `nats --context <name>` (default: the resource name). */
  name?: pulumi.Input<string>;
  /** Server URLs (nats://, tls://, ws://, wss://). */
  servers: pulumi.Input<pulumi.Input<string>[]>;
  /** Path of the `.creds` file the CLI connects with, e.g. a {@link CredsFile}'s `path`. */
  credsPath?: pulumi.Input<string>;
  description?: pulumi.Input<string>;
  /**
   * natscli's config home: the context is written to `<configHome>/nats/context/<name>.json`.
   * Default: `$XDG_CONFIG_HOME`, else `~/.config`, as natscli itself reads them.
   */
  configHome?: pulumi.Input<string>;
  /** TLS file paths (a CA to trust, a client certificate and key), and TLS before the INFO line. */
  tls?: pulumi.Input<{
    ca?: pulumi.Input<string>;
    cert?: pulumi.Input<string>;
    key?: pulumi.Input<string>;
    handshakeFirst?: pulumi.Input<boolean>;
  }>;
  jetstreamDomain?: pulumi.Input<string>;
  inboxPrefix?: pulumi.Input<string>;
  /**
   * Take over a file already at the context's path (another context of that name) that this stack did not write: its content is replaced and
   * destroy removes it. Without it such a file is refused (at preview when the content is known).
   */
  overwrite?: pulumi.Input<boolean>;
}

/** The directory natscli takes its contexts from: `$XDG_CONFIG_HOME`, else `~/.config`. */
export function natsConfigHome(): string {
  return process.env.XDG_CONFIG_HOME || nodePath.join(os.homedir(), ".config");
}

/**
 * A `nats` CLI context: the JSON file natscli reads (server URLs, creds path, description), so
 * `nats --context <name> pub …` works right after `pulumi up`. Written with mode 0600 in a 0700
 * directory, as natscli writes its own; it holds the creds file's path, not the creds. It does not
 * select the context (`nats context select <name>` does).
 *
 * Outputs: `path` (the context file), and the inputs.
 */
export class NatsContext extends pulumi.dynamic.Resource {
  /** The context file, `<configHome>/nats/context/<name>.json`. */
  declare public readonly path: pulumi.Output<string>;
  /** The context name. */
  declare public readonly name: pulumi.Output<string>;

  constructor(name: string, args: NatsContextArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      providerFor("natsContext"),
      name,
      {
        name: args.name ?? name,
        servers: args.servers,
        credsPath:
          args.credsPath === undefined
            ? undefined
            : pulumi.output(args.credsPath).apply((p) => nodePath.resolve(p)),
        description: args.description,
        configHome: pulumi.output(args.configHome ?? natsConfigHome()).apply((p) => nodePath.resolve(p)),
        tls: args.tls,
        jetstreamDomain: args.jetstreamDomain,
        inboxPrefix: args.inboxPrefix,
        overwrite: args.overwrite,
        path: undefined,
        text: undefined,
        fileInSync: undefined,
      } satisfies ResourceProps<NatsContextProps, NatsContextState>,
      opts,
      MODULE,
      "NatsContext",
    );
  }
}
