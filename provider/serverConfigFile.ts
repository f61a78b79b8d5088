/**
 * Dynamic provider of `ServerConfig`: renders a complete nats-server config (see
 * core/serverConfig.ts) as the `text` output and, when `path` is given, writes it there. (The module
 * keeps its 0.1.0 name: stacks in the wild load it by this path.)
 */
import { toConf } from "../core/confSyntax";
import { trustedKeys } from "../core/pushCheck";
import { buildServerConfigInto, renderServerConfig, type ServerConfigSpec } from "../core/serverConfig";
import { readFileIfExists, removeFile, writeFileAtomic } from "../io/files";
import type { ServerConfigProps, ServerConfigState } from "./contracts";
import type { Handler } from "./kit/handler";
import { checkResult, decideDiff } from "./kit/resource";
import { previewChecker } from "./kit/unknown";

const NAME = "ServerConfig";

function specOf(props: ServerConfigProps & Partial<ServerConfigState>): ServerConfigSpec {
  const {
    path: _p,
    text: _t,
    fileInSync: _f,
    restartRequired: _r,
    __provider: _pr,
    ...spec
  } = props as ServerConfigState & {
    __provider?: string;
  };
  return spec;
}

function render(props: ServerConfigProps, restartRequired = false): ServerConfigState {
  const text = renderServerConfig(specOf(props));
  if (typeof props.path === "string" && props.path) writeFileAtomic(props.path, text, 0o644, NAME);
  return { ...props, text, fileInSync: true, restartRequired };
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

export const handler: Handler<ServerConfigProps, ServerConfigState> = {
  async check(_olds, news) {
    // Every input known at preview is judged, even while others (an operator JWT of the same stack)
    // are not known yet.
    const c = previewChecker();
    const conf = buildServerConfigInto(c, specOf(news));
    if (c.failures.length === 0 && !c.pending(conf)) {
      try {
        toConf(conf);
      } catch (e) {
        c.fail((e as { field?: string }).field ?? "", (e as Error).message);
      }
    }
    return checkResult(news, c.failures);
  },
  async diff(_id, olds, news) {
    return decideDiff(olds, news, {
      changed: (o, n) =>
        o.path !== n.path || o.fileInSync !== true || renderServerConfig(specOf(n)) !== o.text,
    });
  },
  async create(inputs) {
    const outs = render(inputs);
    return { id: String(inputs.path || inputs.serverName || "server-config"), outs };
  },
  async update(_id, olds, news) {
    if (olds.path && olds.path !== news.path) removeFile(String(olds.path));
    return { outs: render(news, trustChanged(olds, news)) };
  },
  async read(id, props) {
    if (!props.path) return { id, props };
    return { id, props: { ...props, fileInSync: readFileIfExists(String(props.path)) === props.text } };
  },
  async delete(_id, props) {
    if (props.path) removeFile(String(props.path));
  },
};
