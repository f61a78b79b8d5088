/**
 * Dynamic provider of `CredsFile`: a user's `.creds` text written to a local file readable by its
 * owner only (mode 0600), for clients and the `nats` CLI. State keeps a digest of what was written,
 * so a file edited, removed or loosened behind the stack's back is drift at refresh. A file the stack
 * did not write is never replaced (unless `overwrite`) nor removed (see kit/fileContent.ts).
 */
import * as path from "node:path";
import type { CredsFileProps, CredsFileState } from "./contracts";
import { type Claim, claimProblem, digest, fileHolds, removeWritten, writeClaimed } from "./kit/fileContent";
import type { Handler } from "./kit/handler";
import { checkResult, decideDiff } from "./kit/resource";
import { containsUnknown, previewChecker } from "./kit/unknown";

const NAME = "CredsFile";

/** Any `.creds` text holds this line: an existing file without it cannot be one this resource wrote. */
const CREDS_MARK = "NATS USER JWT";

function claim(props: CredsFileProps, olds: Partial<CredsFileProps> | undefined): Claim {
  return {
    owned: olds?.path === props.path,
    overwrite: props.overwrite,
    couldBeOwn: (existing) => existing.includes(CREDS_MARK),
  };
}

function write(props: CredsFileProps, olds?: Partial<CredsFileProps>): CredsFileState {
  writeClaimed(NAME, "path", props.path, props.creds, 0o600, claim(props, olds));
  return { ...props, contentHash: digest(props.creds) };
}

export const handler: Handler<CredsFileProps, CredsFileState> = {
  async check(olds, news) {
    const c = previewChecker();
    if (!containsUnknown(news.path) && (typeof news.path !== "string" || !path.isAbsolute(news.path))) {
      c.fail("path", "an absolute path is needed to write the creds to");
    }
    // The failure names no secret property: the engine prints the value of the property it names.
    if (
      !containsUnknown(news.creds) &&
      (typeof news.creds !== "string" || !news.creds.includes(CREDS_MARK))
    ) {
      c.fail("creds text", "must be the .creds text of a user (a User's creds output)");
    }
    if (c.known(news.overwrite) && typeof news.overwrite !== "boolean")
      c.fail("overwrite", "must be true or false");
    if (c.passed("path") && c.known(news.path)) {
      const text = containsUnknown(news.creds) ? undefined : news.creds;
      const problem = claimProblem(news.path, text, claim(news, olds));
      if (problem) c.fail("path", problem);
    }
    return checkResult(news, c.failures);
  },
  async diff(_id, olds, news) {
    return decideDiff(olds, news, {
      changed: (o, n) => o.path !== n.path || o.contentHash !== digest(n.creds),
    });
  },
  async create(inputs) {
    return { id: inputs.path, outs: write(inputs) };
  },
  async update(_id, olds, news) {
    const outs = write(news, olds);
    if (olds.path && olds.path !== news.path) removeWritten(olds.path, olds.creds);
    return { outs };
  },
  async read(id, props) {
    const inSync = fileHolds(props.path, props.contentHash);
    return { id, props: inSync ? props : { ...props, contentHash: "drifted" } };
  },
  async delete(_id, props) {
    removeWritten(props.path, props.creds);
  },
};
