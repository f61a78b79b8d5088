/**
 * Dynamic provider of `ServerConfig`: renders a complete nats-server config (see
 * core/serverConfig.ts) as the `text` output and, when `path` is given, writes it there with mode
 * 0600 (a config may hold passwords; nats-server reads it as the user that wrote it). A file the
 * stack did not write is never replaced (unless `overwrite`) nor removed (see kit/fileContent.ts).
 * (The module keeps its 0.1.0 name: stacks in the wild load it by this path.)
 */
import { toConf } from "../core/confSyntax";
import { runsOtherOperator, trustedKeys } from "../core/pushCheck";
import {
  buildServerConfigInto,
  renderServerConfig,
  type ServerConfigSpec,
  serverConfigWarnings,
} from "../core/serverConfig";
import { fileMode, readFileIfExists } from "../io/files";
import { runningOperators } from "../io/monitor";
import type { ServerConfigProps, ServerConfigState } from "./contracts";
import { type Claim, claimProblem, removeWritten, writeClaimed } from "./kit/fileContent";
import type { Handler } from "./kit/handler";
import { quietExpectedFailures } from "./kit/hostErrors";
import { checkResult, decideDiff } from "./kit/resource";
import { containsUnknown, previewChecker, UNKNOWN } from "./kit/unknown";

const NAME = "ServerConfig";

function specOf(props: ServerConfigProps & Partial<ServerConfigState>): ServerConfigSpec {
  const {
    path: _p,
    overwrite: _o,
    text: _t,
    fileInSync: _f,
    restartRequired: _r,
    monitorUrl: _m,
    __provider: _pr,
    preloadAccounts,
    ...spec
  } = props as ServerConfigState & {
    __provider?: string;
  };
  if (preloadAccounts === undefined) return spec;
  // While the list (or an account in it) is unknown at preview, so is the whole preload.
  if (containsUnknown(preloadAccounts))
    return { ...spec, preload: UNKNOWN as unknown as Record<string, string> };
  const listed = Object.fromEntries(preloadAccounts.map((a) => [a.publicKey, a.jwt]));
  return { ...spec, preload: { ...spec.preload, ...listed } };
}

function claim(props: ServerConfigProps, olds: Partial<ServerConfigProps> | undefined): Claim {
  return { owned: olds?.path === props.path, overwrite: props.overwrite };
}

function render(
  props: ServerConfigProps,
  restartRequired = false,
  olds?: Partial<ServerConfigProps>,
): ServerConfigState {
  const text = renderServerConfig(specOf(props));
  if (typeof props.path === "string" && props.path) {
    writeClaimed(NAME, "path", props.path, text, 0o600, claim(props, olds));
  }
  return { ...props, text, fileInSync: true, restartRequired };
}

/**
 * Whether the server must restart to run `props`' operator: what its varz says when `monitorUrl`
 * answers; otherwise `unverified` (what the stack knows of changes it made since a server last said).
 */
async function restartNeeded(props: ServerConfigProps, unverified: boolean): Promise<boolean> {
  const url = props.monitorUrl;
  const operator = props.operator;
  if (typeof url !== "string" || !url || typeof operator !== "string" || !operator) return unverified;
  const running = await runningOperators(url);
  if (!running) return unverified;
  try {
    return runsOtherOperator(operator, running);
  } catch {
    // An operator given as a file path: nothing to compare here.
    return unverified;
  }
}

/**
 * Whether servers running the old config must restart to use the new one: nats-server cannot reload
 * trusted operators, so a new operator key or a changed list of operator signing keys only takes
 * effect after a restart (a SIGHUP logs "config reload not supported for TrustedOperators").
 */
function trustChanged(olds: Partial<ServerConfigProps>, news: ServerConfigProps): boolean {
  const keys = (jwt: unknown) => {
    if (typeof jwt !== "string" || !jwt) return [];
    try {
      return trustedKeys(jwt);
    } catch {
      return [jwt];
    }
  };
  return JSON.stringify(keys(olds.operator)) !== JSON.stringify(keys(news.operator));
}

export const handler: Handler<ServerConfigProps, ServerConfigState> = quietExpectedFailures({
  async check(olds, news) {
    // Every input known at preview is judged, even while others (an operator JWT of the same stack)
    // are not known yet.
    const c = previewChecker();
    const conf = buildServerConfigInto(c, specOf(news));
    const m = news.monitorUrl;
    if (m !== undefined && m !== null && !containsUnknown(m)) {
      let scheme = "";
      try {
        scheme = new URL(String(m)).protocol;
      } catch {}
      if (scheme !== "http:" && scheme !== "https:") {
        c.fail(
          "monitorUrl",
          `must be the server's monitoring URL, http://host:<httpPort>, got ${JSON.stringify(m)}`,
        );
      }
    }
    let text: string | undefined;
    if (c.failures.length === 0 && !c.pending(conf)) {
      try {
        text = toConf(conf);
      } catch (e) {
        c.fail((e as { field?: string }).field ?? "", (e as Error).message);
      }
    }
    if (c.known(news.overwrite) && typeof news.overwrite !== "boolean")
      c.fail("overwrite", "must be true or false");
    if (c.known(news.path) && typeof news.path !== "string") c.fail("path", "must be a file path");
    else if (c.known(news.path) && news.path) {
      const problem = claimProblem(news.path, text, claim(news, olds));
      if (problem) c.fail("path", problem);
    }
    return {
      ...checkResult(news, c.failures),
      warnings: serverConfigWarnings(specOf(news), containsUnknown),
    };
  },
  async diff(_id, olds, news) {
    const d = decideDiff(olds, news, {
      changed: (o, n) =>
        o.path !== n.path ||
        o.monitorUrl !== n.monitorUrl ||
        o.fileInSync !== true ||
        renderServerConfig(specOf(n)) !== o.text,
    });
    if (d.changes || containsUnknown(news)) return d;
    // The server restarted (or fell back) since the state was written: an `up` records what it
    // says, so restartRequired does not stay stale across converged runs.
    const was = olds.restartRequired === true;
    return { changes: (await restartNeeded(news, was)) !== was };
  },
  async create(inputs) {
    const outs = render(inputs, await restartNeeded(inputs, false));
    return { id: String(inputs.path || inputs.serverName || "server-config"), outs };
  },
  async update(_id, olds, news) {
    // Until a server says it runs the new operator, a restart stays needed: an unrelated change
    // does not clear it.
    const unverified = olds.restartRequired === true || trustChanged(olds, news);
    const outs = render(news, await restartNeeded(news, unverified), olds);
    if (olds.path && olds.path !== news.path) removeWritten(String(olds.path), olds.text);
    return { outs };
  },
  async read(id, props) {
    const restartRequired = await restartNeeded(props, props.restartRequired === true);
    if (restartRequired !== (props.restartRequired ?? false)) props = { ...props, restartRequired };
    if (!props.path) return { id, props };
    // A file edited or deleted behind the stack's back shows as drift, and so does one holding a
    // secret (leaf-node authorization, extra settings) that is readable by others (0.1.0 wrote 0644).
    const file = String(props.path);
    const holdsSecret =
      props.leafnodes?.authorization !== undefined ||
      props.cluster?.authorization !== undefined ||
      props.gateway?.authorization !== undefined ||
      props.extra !== undefined;
    const modeOk = !holdsSecret || fileMode(file) === 0o600;
    const inSync = modeOk && readFileIfExists(file) === props.text;
    return { id, props: { ...props, fileInSync: inSync } };
  },
  async delete(_id, props) {
    if (props.path) removeWritten(String(props.path), props.text);
  },
});
