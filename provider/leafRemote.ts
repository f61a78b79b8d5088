/**
 * Dynamic provider of `LeafRemote`: one outgoing leaf-node connection. Writes the remote's
 * credentials to a file (mode 0600) and outputs the `leafnodes.remotes` entry that references it.
 */
import { createHash } from "node:crypto";
import * as path from "node:path";
import { normalize } from "../core/normalize";
import { leafRemoteEntry, leafUrlProblems } from "../core/serverConfig";
import { fileMode, readFileIfExists, removeFile, writeFileAtomic } from "../io/files";
import type { LeafRemoteProps, LeafRemoteState } from "./contracts";
import type { Handler } from "./kit/handler";
import { quietExpectedFailures } from "./kit/hostErrors";
import { checkResult, decideDiff } from "./kit/resource";
import { containsUnknown, previewChecker } from "./kit/unknown";

const NAME = "LeafRemote";

function digest(text: string | undefined): string {
  return text === undefined ? "" : createHash("sha256").update(text).digest("hex").slice(0, 32);
}

function write(props: LeafRemoteProps): LeafRemoteState {
  const out: LeafRemoteState = {
    ...props,
    remote: leafRemoteEntry(props),
    credentialsHash: digest(props.credentials),
  };
  if (props.credentials !== undefined) {
    writeFileAtomic(String(props.credentialsPath), String(props.credentials), 0o600, NAME);
  }
  return out;
}

export const handler: Handler<LeafRemoteProps, LeafRemoteState> = quietExpectedFailures({
  async check(_olds, news) {
    const c = previewChecker();
    if (!containsUnknown(news.urls)) for (const f of leafUrlProblems(news.urls)) c.fail("urls", f);
    if (news.credentials !== undefined) {
      const where = news.credentialsPath;
      if (!containsUnknown(where) && (typeof where !== "string" || !path.isAbsolute(where))) {
        c.fail("credentialsPath", "an absolute path is needed to write the credentials to");
      }
      const creds = news.credentials;
      if (typeof creds === "string" && !containsUnknown(creds) && !creds.includes("NATS USER JWT")) {
        c.fail(
          "credentials file",
          "credentials: must be the .creds text of a user (e.g. a User's creds output)",
        );
      }
    }
    return checkResult(news, c.failures);
  },
  async diff(_id, olds, news) {
    return decideDiff(olds, news, {
      changed: (o, n) => {
        // __provider is the serialized code, not a setting: a new package version must not look like drift.
        const { credentials: _n, __provider: _np, ...nRest } = n;
        const { credentials: _o, credentialsHash: _h, remote: _r, __provider: _op, ...oRest } = o;
        return (
          JSON.stringify(normalize(nRest)) !== JSON.stringify(normalize(oRest)) ||
          digest(n.credentials) !== o.credentialsHash
        );
      },
    });
  },
  async create(inputs) {
    const outs = write(inputs);
    return { id: String(inputs.credentialsPath ?? inputs.urls.join(",")), outs };
  },
  async update(_id, olds, news) {
    if (olds.credentialsPath && olds.credentialsPath !== news.credentialsPath)
      removeFile(String(olds.credentialsPath));
    return { outs: write(news) };
  },
  async read(id, props) {
    // A creds file edited, deleted or loosened behind the stack's back shows as drift.
    if (props.credentialsPath === undefined) return { id, props };
    const file = String(props.credentialsPath);
    const ok = fileMode(file) === 0o600 && digest(readFileIfExists(file)) === props.credentialsHash;
    return { id, props: ok ? props : { ...props, credentialsHash: "drifted" } };
  },
  async delete(_id, props) {
    if (props.credentialsPath) removeFile(String(props.credentialsPath));
  },
});
