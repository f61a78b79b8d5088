import * as nodePath from "node:path";
import * as pulumi from "@pulumi/pulumi";
import type { CredsFileProps, CredsFileState } from "../provider/contracts";
import { providerFor } from "../provider/kit/handler";
import { secretInput } from "./secrets";
import { MODULE, type ResourceProps } from "./types";

/** Inputs of a {@link CredsFile}. */
export interface CredsFileArgs {
  /** The `.creds` text, e.g. a User's `creds` output (made a secret here whatever is passed). */
  creds: pulumi.Input<string>;
  /** Where to write it; a relative path is taken from the program's directory. */
  path: pulumi.Input<string>;
  /**
   * Take over a file already at the path that this stack did not write: its content is replaced and
   * destroy removes it. Without it such a file is refused (at preview when the content is known).
   */
  overwrite?: pulumi.Input<boolean>;
}

/**
 * A user's `.creds` written to a local file with mode 0600 (readable by its owner only), for
 * clients, services and the `nats` CLI (see {@link NatsContext}). A rotated user rewrites the file in
 * the same `pulumi up`; a file edited, removed or loosened behind the stack's back is drift at
 * `pulumi refresh` and rewritten by the next `up`; destroying the resource removes the file while it
 * still holds what the stack wrote. A file already at `path` that the stack did not write is refused
 * unless `overwrite` is true.
 *
 * Outputs: `path` (absolute), and the inputs (`creds` a secret).
 */
export class CredsFile extends pulumi.dynamic.Resource {
  /** The file's absolute path. */
  declare public readonly path: pulumi.Output<string>;

  constructor(name: string, args: CredsFileArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      providerFor("credsFile"),
      name,
      {
        path: pulumi.output(args.path).apply((p) => nodePath.resolve(p)),
        creds: secretInput(args.creds),
        overwrite: args.overwrite,
        contentHash: undefined,
      } satisfies ResourceProps<CredsFileProps, CredsFileState>,
      { ...opts, additionalSecretOutputs: ["creds"] },
      MODULE,
      "CredsFile",
    );
  }
}
