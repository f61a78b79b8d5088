/**
 * Dynamic provider of `CredsFile`: a user's `.creds` text written to a local file readable by its
 * owner only (mode 0600), for clients and the `nats` CLI. State keeps a digest of what was written,
 * so a file edited, removed or loosened behind the stack's back is drift at refresh.
 */
import * as path from "node:path";
import { removeFile, writeFileAtomic } from "../io/files";
import type { CredsFileProps, CredsFileState } from "./contracts";
import { digest, fileHolds } from "./kit/fileContent";
import type { Handler } from "./kit/handler";
import { checkResult, decideDiff } from "./kit/resource";
import { containsUnknown, previewChecker } from "./kit/unknown";

const NAME = "CredsFile";

function write(props: CredsFileProps): CredsFileState {
  writeFileAtomic(props.path, props.creds, 0o600, NAME);
  return { ...props, contentHash: digest(props.creds) };
}

export const handler: Handler<CredsFileProps, CredsFileState> = {
  async check(_olds, news) {
    const c = previewChecker();
    if (!containsUnknown(news.path) && (typeof news.path !== "string" || !path.isAbsolute(news.path))) {
      c.fail("path", "an absolute path is needed to write the creds to");
    }
    // The failure names no secret property: the engine prints the value of the property it names.
    if (
      !containsUnknown(news.creds) &&
      (typeof news.creds !== "string" || !news.creds.includes("NATS USER JWT"))
    ) {
      c.fail("creds text", "must be the .creds text of a user (a User's creds output)");
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
    if (olds.path && olds.path !== news.path) removeFile(olds.path);
    return { outs: write(news) };
  },
  async read(id, props) {
    const inSync = fileHolds(props.path, props.contentHash);
    return { id, props: inSync ? props : { ...props, contentHash: "drifted" } };
  },
  async delete(_id, props) {
    removeFile(props.path);
  },
};
