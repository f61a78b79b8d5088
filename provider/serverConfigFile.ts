/**
 * Dynamic provider of `ServerConfig`: renders a complete nats-server config (see serverConfig.ts)
 * as the `text` output and, when `path` is given, writes it there.
 */
import type { Handler } from "./dynamic";
import { ConfigError, describe } from "./errors";
import { readFileIfExists, removeFile, writeFileAtomic } from "./files";
import { checked, decideDiff, type Props } from "./resource";
import { renderServerConfig, type ServerConfigSpec } from "./serverConfig";
import { containsUnknown } from "./validate";

const NAME = "ServerConfig";

function specOf(props: Props): ServerConfigSpec {
  const { path: _p, text: _t, fileInSync: _f, __provider: _pr, ...spec } = props;
  return spec as ServerConfigSpec;
}

function render(props: Props): Props {
  const text = renderServerConfig(specOf(props));
  if (typeof props.path === "string" && props.path) writeFileAtomic(props.path, text, 0o644, NAME);
  return { ...props, text, fileInSync: true };
}

export const handler: Handler = {
  async check(_olds, news) {
    if (containsUnknown(news)) return checked(news, []);
    try {
      renderServerConfig(specOf(news));
      return checked(news, []);
    } catch (e) {
      const field = e instanceof ConfigError ? e.field : "";
      return checked(news, [{ property: field, reason: describe(e) }]);
    }
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
    return { outs: render(news) };
  },
  async read(id, props) {
    if (!props.path) return { id, props };
    return { id, props: { ...props, fileInSync: readFileIfExists(String(props.path)) === props.text } };
  },
  async delete(_id, props) {
    if (props.path) removeFile(String(props.path));
  },
};
