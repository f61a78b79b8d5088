/**
 * Dynamic provider of `LeafRemote`: one outgoing leaf-node connection. Writes the remote's
 * credentials to a file (mode 0600) and outputs the `leafnodes.remotes` entry that references it.
 * A file the stack did not write is never replaced (unless `overwrite`) nor removed (see
 * kit/fileContent.ts).
 */
import * as path from "node:path";
import { normalize } from "../core/normalize";
import { checkLeafRemoteSettings, leafRemoteEntry, leafUrlProblems } from "../core/serverConfig";
import { fileMode, readFileIfExists } from "../io/files";
import type { LeafRemoteProps, LeafRemoteState } from "./contracts";
import { type Claim, claimProblem, digest, removeWritten, writeClaimed } from "./kit/fileContent";
import type { Handler } from "./kit/handler";
import { quietExpectedFailures } from "./kit/hostErrors";
import { checkResult, decideDiff } from "./kit/resource";
import { containsUnknown, previewChecker } from "./kit/unknown";

const NAME = "LeafRemote";

function claim(props: LeafRemoteProps, olds: Partial<LeafRemoteProps> | undefined): Claim {
  return {
    // A remote that had no credentials wrote no file, whatever path it named.
    owned: olds?.credentials !== undefined && olds.credentialsPath === props.credentialsPath,
    overwrite: props.overwrite,
    couldBeOwn: (existing) => existing.includes("NATS USER JWT"),
  };
}

function write(props: LeafRemoteProps, olds?: Partial<LeafRemoteProps>): LeafRemoteState {
  const out: LeafRemoteState = {
    ...props,
    remote: leafRemoteEntry(props),
    credentialsHash: digest(props.credentials),
  };
  if (props.credentials !== undefined) {
    const file = String(props.credentialsPath);
    writeClaimed(NAME, "credentialsPath", file, String(props.credentials), 0o600, claim(props, olds));
  }
  return out;
}

export const handler: Handler<LeafRemoteProps, LeafRemoteState> = quietExpectedFailures({
  async check(olds, news) {
    const c = previewChecker();
    if (!containsUnknown(news.urls)) for (const f of leafUrlProblems(news.urls)) c.fail("urls", f);
    checkLeafRemoteSettings(c, news, "");
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
      if (
        !containsUnknown(news.overwrite) &&
        news.overwrite !== undefined &&
        typeof news.overwrite !== "boolean"
      ) {
        c.fail("overwrite", "must be true or false");
      }
      if (c.passed("credentialsPath") && typeof where === "string" && !containsUnknown(where)) {
        const text = typeof creds === "string" && !containsUnknown(creds) ? creds : undefined;
        const problem = claimProblem(where, text, claim(news, olds));
        if (problem) c.fail("credentialsPath", problem);
      }
    }
    return checkResult(news, c.failures);
  },
  async diff(_id, olds, news) {
    return decideDiff(olds, news, {
      changed: (o, n) => {
        // __provider is the serialized code, not a setting: a new package version must not look like drift.
        // `overwrite` says how to claim a file, not what goes in it.
        const { credentials: _n, __provider: _np, overwrite: _nw, ...nRest } = n;
        const {
          credentials: _o,
          credentialsHash: _h,
          remote: _r,
          __provider: _op,
          overwrite: _ow,
          ...oRest
        } = o;
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
    const outs = write(news, olds);
    if (olds.credentialsPath && olds.credentialsPath !== news.credentialsPath)
      removeWritten(String(olds.credentialsPath), olds.credentials);
    return { outs };
  },
  async read(id, props) {
    // A creds file edited, deleted or loosened behind the stack's back shows as drift.
    if (props.credentialsPath === undefined) return { id, props };
    const file = String(props.credentialsPath);
    const ok = fileMode(file) === 0o600 && digest(readFileIfExists(file)) === props.credentialsHash;
    return { id, props: ok ? props : { ...props, credentialsHash: "drifted" } };
  },
  async delete(_id, props) {
    if (props.credentialsPath) removeWritten(String(props.credentialsPath), props.credentials);
  },
});
