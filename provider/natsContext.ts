/**
 * Dynamic provider of `NatsContext`: the context file the `nats` CLI reads
 * (`<config home>/nats/context/<name>.json`, see core/natsContext.ts), written as natscli writes
 * its own (mode 0600 in a 0700 directory). It holds paths and URLs, never the creds themselves. A
 * file the stack did not write is never replaced (unless `overwrite`) nor removed (see
 * kit/fileContent.ts).
 */
import * as path from "node:path";
import { contextNameProblem, natsContextFile, renderNatsContext } from "../core/natsContext";
import { repeatedUrls } from "../core/serverConfig";
import type { NatsContextProps, NatsContextState } from "./contracts";
import { clientUrlProblem } from "./kit/accountResolver";
import { type Claim, claimProblem, digest, fileHolds, removeWritten, writeClaimed } from "./kit/fileContent";
import type { Handler } from "./kit/handler";
import { checkResult, decideDiff } from "./kit/resource";
import { containsUnknown, previewChecker } from "./kit/unknown";

const NAME = "NatsContext";

/** Where natscli looks for the context `name` under `configHome`. */
export function natsContextPath(configHome: string, name: string): string {
  return path.join(configHome, ...natsContextFile(name));
}

function specOf(p: NatsContextProps) {
  return {
    servers: p.servers,
    credsPath: p.credsPath,
    description: p.description,
    tls: p.tls,
    jetstreamDomain: p.jetstreamDomain,
    inboxPrefix: p.inboxPrefix,
  };
}

/** The context file the (old) props wrote, when they name one. */
function pathOf(p: Partial<NatsContextProps> | undefined): string | undefined {
  return typeof p?.configHome === "string" && typeof p.name === "string"
    ? natsContextPath(p.configHome, p.name)
    : undefined;
}

function claim(props: NatsContextProps, olds: Partial<NatsContextProps> | undefined): Claim {
  return {
    owned: pathOf(olds) === natsContextPath(props.configHome, props.name),
    overwrite: props.overwrite,
  };
}

function write(props: NatsContextProps, olds?: Partial<NatsContextProps>): NatsContextState {
  const file = natsContextPath(props.configHome, props.name);
  const text = renderNatsContext(specOf(props));
  writeClaimed(`${NAME} "${props.name}"`, "name", file, text, 0o600, claim(props, olds), 0o700);
  return { ...props, path: file, text, fileInSync: true };
}

export const handler: Handler<NatsContextProps, NatsContextState> = {
  async check(olds, news) {
    const c = previewChecker();
    if (!containsUnknown(news.name)) {
      const problem = contextNameProblem(news.name);
      if (problem) c.fail("name", problem);
    }
    // Each known URL is judged even while others are unknown.
    if (Array.isArray(news.servers) || !containsUnknown(news.servers)) {
      if (!Array.isArray(news.servers) || news.servers.length === 0) {
        c.fail("servers", "a context needs at least one server URL, e.g. nats://127.0.0.1:4222");
      } else {
        news.servers.forEach((url, i) => {
          const reason = containsUnknown(url) ? undefined : clientUrlProblem(url);
          if (reason) c.fail(`servers[${i}]`, reason);
        });
        for (const [dup, first] of repeatedUrls(news.servers, c)) {
          c.fail(`servers[${dup}]`, `is the same server as servers[${first}]: list each server once`);
        }
      }
    }
    if (!containsUnknown(news.configHome) && (typeof news.configHome !== "string" || !news.configHome)) {
      c.fail("configHome", "must be a directory (natscli reads <configHome>/nats/context)");
    }
    if (c.known(news.overwrite) && typeof news.overwrite !== "boolean")
      c.fail("overwrite", "must be true or false");
    if (c.failures.length === 0 && !containsUnknown([news.configHome, news.name])) {
      const file = natsContextPath(news.configHome, news.name);
      const text = containsUnknown(news) ? undefined : renderNatsContext(specOf(news));
      const problem = claimProblem(file, text, claim(news, olds));
      if (problem) c.fail("name", problem);
    }
    return checkResult(news, c.failures);
  },
  async diff(_id, olds, news) {
    return decideDiff(olds, news, {
      changed: (o, n) =>
        o.fileInSync !== true ||
        o.path !== natsContextPath(n.configHome, n.name) ||
        o.text !== renderNatsContext(specOf(n)),
    });
  },
  async create(inputs) {
    const outs = write(inputs);
    return { id: outs.path, outs };
  },
  async update(_id, olds, news) {
    const outs = write(news, olds);
    if (olds.path && olds.path !== outs.path) removeWritten(olds.path, olds.text);
    return { outs };
  },
  async read(id, props) {
    return { id, props: { ...props, fileInSync: fileHolds(props.path, digest(props.text)) } };
  },
  async delete(_id, props) {
    removeWritten(props.path, props.text);
  },
};
