/**
 * Real nats-server processes for tests, bound to 127.0.0.1 only. Ports default to -1 (the server
 * picks) and are read back from the ports file (`ports_file_dir`) and `/varz` (the leaf port); once
 * known, they are written into the config so that `restart()` comes back on the same ports.
 */
import { type ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { toConf } from "../../core/confSyntax";
import { toolPath } from "./paths";

const HOST = "127.0.0.1";
const READY_TIMEOUT_MS = 15_000;
const STOP_GRACE_MS = 5_000;
const POLL_MS = 25;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * A port that was free on 127.0.0.1 a moment ago. Another process (a test file running alongside,
 * an outgoing connection) may take it before it is bound, so it is handed out only through
 * `withFreshPorts`, which starts again on other ports then; where nothing needs the port in advance,
 * let the server pick (-1).
 */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, HOST, resolve);
  });
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * A port nobody listens on, and nobody can start listening on while a test uses it: the first port
 * below 1024 that refuses a connection. The kernel never hands out such a port for port 0 (-1) or an
 * outgoing connection, and only a privileged process that asks for it by number could bind it, so a
 * connection-refused case cannot meet another test's server there (as a `freePort()` can).
 */
export async function deadPort(): Promise<number> {
  for (let port = 1; port < 1024; port++) if (!(await canConnect(port))) return port;
  throw new Error("every port below 1024 on 127.0.0.1 accepts connections");
}

/** Hands out the ports of one attempt of `withFreshPorts`, and what to dispose if the attempt fails. */
export interface PortAttempt {
  /** 1 for the first attempt. */
  readonly attempt: number;
  /** A port that was free a moment ago, distinct from every port handed out by earlier calls. */
  port(): Promise<number>;
  /** Registers a server (or anything disposable) started by this attempt, to dispose if it fails. */
  own<T extends AsyncDisposable>(resource: T): T;
}

/** Whether an error says that a listener could not bind its port (a server's exit, a node listen). */
export function isPortClash(err: unknown): boolean {
  const text = err instanceof Error ? `${err.message}\n${String(err.cause ?? "")}` : String(err);
  return /address already in use|EADDRINUSE/i.test(text);
}

/** The line of an error that names the port clash, for the test output. */
function clashLine(err: unknown): string {
  return (/^.*(?:address already in use|EADDRINUSE).*$/im.exec(String(err))?.[0] ?? "").trim();
}

const RESTART_RETRY_MS = 1_000;

/** How many times `withFreshPorts` runs its setup (a clash on every one fails the test). */
export const PORT_ATTEMPTS = 3;

/**
 * Runs `setup`, which renders ports it takes from `ports.port()` into configs and starts the servers
 * that bind them, again on fresh ports when a server could not bind one ("address already in use"):
 * between `freePort()` and the bind, another test file's server or an outgoing connection may take
 * the port. At most `attempts` runs; before each retry, what the failed run `own`ed is disposed and a
 * line says so in the test output. Any other error fails at once. Use it only where a port must be
 * known before its server starts (configs the product renders, routes, gateways, leaf remotes);
 * elsewhere let the server pick (-1).
 */
export async function withFreshPorts<T>(
  what: string,
  setup: (ports: PortAttempt) => Promise<T>,
  attempts = PORT_ATTEMPTS,
): Promise<T> {
  const given = new Set<number>();
  for (let attempt = 1; ; attempt++) {
    const owned: AsyncDisposable[] = [];
    const ports: PortAttempt = {
      attempt,
      port: async () => {
        for (;;) {
          const port = await freePort();
          if (given.has(port)) continue;
          given.add(port);
          return port;
        }
      },
      own: (resource) => {
        owned.push(resource);
        return resource;
      },
    };
    try {
      return await setup(ports);
    } catch (err) {
      await Promise.allSettled(owned.reverse().map((r) => r[Symbol.asyncDispose]()));
      if (attempt >= attempts || !isPortClash(err)) throw err;
      console.log(
        `${what}: attempt ${attempt} of ${attempts}: a port was taken before its server bound it ` +
          `(${clashLine(err)}); starting again on fresh ports`,
      );
    }
  }
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: HOST, port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

// Last resort for servers a failing test did not stop: kill them, and remove the temp dirs, when
// this process goes away.
const running = new Set<ChildProcess>();
const tempDirs = new Set<string>();
let exitHooked = false;

function killAll(): void {
  for (const child of running) child.kill("SIGKILL");
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
}

function track(child: ChildProcess): void {
  running.add(child);
  child.once("exit", () => running.delete(child));
  if (exitHooked) return;
  exitHooked = true;
  process.once("exit", killAll);
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      killAll();
      // The listener replaced the default action; raising the signal again now terminates as usual.
      process.kill(process.pid, signal);
    });
  }
}

/** One run of the nats-server process. */
interface Run {
  child: ChildProcess;
  /** Resolves with the exit code (or the signal name) once the process has exited. */
  exited: Promise<string>;
  done: boolean;
}

/** Options of `NatsServer.start`; every port defaults to -1, chosen by the server. */
export interface StartOptions {
  name?: string;
  /** Write no `server_name` (the server then names itself by its id, which changes at every start). */
  unnamed?: boolean;
  /** Extra config text appended after the generated lines. */
  body?: string;
  port?: number;
  httpPort?: number;
  /** Open a leaf node listener: a port, or `true` for one the server picks. */
  leafPort?: number | true;
  cluster?: { name: string; port?: number; routes: string[] };
  /** Use this directory instead of a fresh temp dir (it is then left in place on dispose). */
  dir?: string;
  /** The binary from .tools/bin to run (default "nats-server"; "nats-server-old" is 2.9.10). */
  binary?: string;
}

interface Ports {
  port: number;
  httpPort?: number;
  leafPort?: number;
  clusterPort?: number;
}

let serial = 0;

/** A nats-server child process with its own config file and directory. */
export class NatsServer implements AsyncDisposable {
  readonly name: string;
  readonly dir: string;
  readonly configPath: string;
  #configText: string;
  #ownsDir: boolean;
  /** Whether the config (generated by start()) writes a ports file into `dir`. */
  #portsFile: boolean;
  #ports: Ports;
  #binary = "nats-server";
  #log = "";
  #run?: Run;

  private constructor(
    name: string,
    dir: string,
    ownsDir: boolean,
    configText: string,
    ports: Ports,
    portsFile: boolean,
  ) {
    this.name = name;
    this.dir = dir;
    this.#ownsDir = ownsDir;
    this.#portsFile = portsFile;
    this.configPath = path.join(dir, "server.conf");
    this.#configText = configText;
    this.#ports = ports;
    fs.writeFileSync(this.configPath, configText);
  }

  /** Client port. */
  get port(): number {
    return this.#ports.port;
  }
  /** `nats://127.0.0.1:<port>`. */
  get url(): string {
    return `nats://${HOST}:${this.port}`;
  }
  /** Monitoring port, when known. */
  get httpPort(): number | undefined {
    return this.#ports.httpPort;
  }
  /** Port of the leaf node listener, when there is one. */
  get leafPort(): number | undefined {
    return this.#ports.leafPort;
  }
  /** `nats-leaf://127.0.0.1:<leafPort>`, when there is a leaf node listener. */
  get leafUrl(): string | undefined {
    return this.leafPort === undefined ? undefined : `nats-leaf://${HOST}:${this.leafPort}`;
  }
  /** Port of the route listener, when clustered. */
  get clusterPort(): number | undefined {
    return this.#ports.clusterPort;
  }
  /** The config file's text: after `start()`, with the ports the server actually took. */
  get configText(): string {
    return this.#configText;
  }
  /** Pid of the running process, if any. */
  get pid(): number | undefined {
    return this.#run && !this.#run.done ? this.#run.child.pid : undefined;
  }

  /**
   * Starts a server from generated lines (name, client and monitoring listeners, optional leaf node
   * listener and cluster) plus `body`, all on 127.0.0.1.
   */
  static async start(opts: StartOptions = {}): Promise<NatsServer> {
    const name = opts.name ?? `nats-${++serial}`;
    const { dir, owned } = makeDir(opts.dir, name);
    const render = (p: Ports) =>
      toConf({
        server_name: opts.unnamed ? undefined : name,
        listen: `${HOST}:${p.port}`,
        http: `${HOST}:${p.httpPort}`,
        ports_file_dir: dir,
        leafnodes: p.leafPort === undefined ? undefined : { listen: `${HOST}:${p.leafPort}` },
        cluster: opts.cluster && {
          name: opts.cluster.name,
          listen: `${HOST}:${p.clusterPort}`,
          routes: opts.cluster.routes,
        },
      }) + (opts.body ? `${opts.body}\n` : "");
    const wanted: Ports = {
      port: opts.port ?? -1,
      httpPort: opts.httpPort ?? -1,
      leafPort: opts.leafPort === true ? -1 : opts.leafPort,
      clusterPort: opts.cluster ? (opts.cluster.port ?? -1) : undefined,
    };
    const server = new NatsServer(name, dir, owned, render(wanted), wanted, true);
    server.#binary = opts.binary ?? "nats-server";
    try {
      await server.#launch();
      const ports = server.#readPortsFile();
      if (!ports) throw new Error(`${name}: ports file missing after start`);
      server.#ports = { ...wanted, ...ports };
      if (wanted.leafPort === -1) {
        const varz = (await server.varz()) as { leaf?: { port?: number } };
        server.#ports.leafPort = varz.leaf?.port;
      }
      server.#configText = render(server.#ports);
      fs.writeFileSync(server.configPath, server.#configText);
    } catch (err) {
      await server[Symbol.asyncDispose]();
      throw err;
    }
    return server;
  }

  /**
   * Runs a complete config text as given, from its own directory (relative paths in it resolve
   * there). `port` is the client port it listens on; `httpPort`, if it has one, enables `varz()`.
   */
  static async fromConfig(
    configText: string,
    opts: { port: number; httpPort?: number; name?: string; dir?: string },
  ): Promise<NatsServer> {
    const name = opts.name ?? `nats-${++serial}`;
    const { dir, owned } = makeDir(opts.dir, name);
    const server = new NatsServer(
      name,
      dir,
      owned,
      configText,
      { port: opts.port, httpPort: opts.httpPort },
      false,
    );
    try {
      await server.#launch();
    } catch (err) {
      await server[Symbol.asyncDispose]();
      throw err;
    }
    return server;
  }

  /** Everything the server printed, over all its runs. */
  logs(): string {
    return this.#log;
  }

  async #launch(): Promise<void> {
    const child = spawn(toolPath(this.#binary), ["-c", this.configPath], {
      cwd: this.dir,
      stdio: ["ignore", "pipe", "pipe"],
    });
    track(child);
    const runStart = this.#log.length;
    const append = (chunk: Buffer) => {
      this.#log += chunk.toString();
    };
    child.stdout?.on("data", append);
    child.stderr?.on("data", append);
    const run: Run = {
      child,
      done: false,
      exited: new Promise((resolve) => {
        // 'close' rather than 'exit': it waits for the pipes, so the log is complete.
        child.once("close", (code, signal) => {
          run.done = true;
          resolve(String(code ?? signal));
        });
        child.once("error", (err) => {
          this.#log += `${err.message}\n`;
          run.done = true;
          resolve("spawn error");
        });
      }),
    };
    this.#run = run;
    const deadline = Date.now() + READY_TIMEOUT_MS;
    for (;;) {
      if (run.done) {
        const code = await run.exited;
        throw new Error(
          `nats-server ${this.name} exited (${code}) before it was ready:\n${this.#tail(runStart)}`,
        );
      }
      if (await this.#ready(runStart)) return;
      if (Date.now() > deadline) {
        await this.stop();
        throw new Error(
          `nats-server ${this.name} not ready after ${READY_TIMEOUT_MS} ms:\n${this.#tail(runStart)}`,
        );
      }
      await sleep(POLL_MS);
    }
  }

  async #ready(runStart: number): Promise<boolean> {
    // The ports file (named for this pid) is written once every listener is up. Without one, the log
    // line tells this run apart from another process that might hold the port.
    const port = this.#portsFile
      ? this.#readPortsFile()?.port
      : this.#log.includes("Server is ready", runStart)
        ? this.port
        : undefined;
    return port !== undefined && port > 0 && (await canConnect(port));
  }

  #readPortsFile(): Omit<Ports, "leafPort"> | undefined {
    const pid = this.#run?.child.pid;
    // The server names the file after its executable and pid.
    const file = path.join(this.dir, `${this.#binary}_${pid}.ports`);
    const portOf = (urls: unknown) =>
      Array.isArray(urls) ? Number(new URL(String(urls[0])).port) : undefined;
    try {
      const info = JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, unknown>;
      const port = portOf(info.nats);
      if (port === undefined) return undefined;
      return { port, httpPort: portOf(info.monitoring), clusterPort: portOf(info.cluster) };
    } catch {
      // Not written yet, or caught half-written.
      return undefined;
    }
  }

  #tail(from: number): string {
    return this.#log.slice(from).slice(-2048);
  }

  /** SIGTERM, then SIGKILL after 5 s; resolves once the process has exited. Safe to call twice. */
  async stop(): Promise<void> {
    const run = this.#run;
    if (!run || run.done) return;
    run.child.kill("SIGTERM");
    const timer = setTimeout(() => run.child.kill("SIGKILL"), STOP_GRACE_MS);
    await run.exited;
    clearTimeout(timer);
  }

  /**
   * Stops and starts again with the same config file, ports and directory. The ports are free for a
   * moment in between, and an outgoing connection or another file's server may take one: the start
   * is tried again (PORT_ATTEMPTS in all, a second apart, a line in the output) while its port is
   * taken, since the ports cannot change under a running test.
   */
  async restart(): Promise<void> {
    await this.stop();
    for (let attempt = 1; ; attempt++) {
      try {
        await this.#launch();
        return;
      } catch (err) {
        if (attempt >= PORT_ATTEMPTS || !isPortClash(err)) throw err;
        console.log(
          `nats-server ${this.name}: restart attempt ${attempt} of ${PORT_ATTEMPTS}: a port was taken ` +
            `while it was stopped (${clashLine(err)}); trying again in ${RESTART_RETRY_MS} ms`,
        );
        await sleep(RESTART_RETRY_MS);
      }
    }
  }

  async #monitor(endpoint: string): Promise<Record<string, unknown>> {
    if (this.httpPort === undefined) throw new Error(`nats-server ${this.name} has no monitoring port`);
    const res = await fetch(`http://${HOST}:${this.httpPort}/${endpoint}`);
    if (!res.ok) throw new Error(`GET /${endpoint} on ${this.name}: HTTP ${res.status}`);
    return (await res.json()) as Record<string, unknown>;
  }

  /** `/varz`: general server information. */
  varz(): Promise<Record<string, unknown>> {
    return this.#monitor("varz");
  }
  /** `/leafz`: leaf node connections. */
  leafz(): Promise<Record<string, unknown>> {
    return this.#monitor("leafz");
  }
  /** `/routez`: route connections. */
  routez(): Promise<Record<string, unknown>> {
    return this.#monitor("routez");
  }
  /** `/gatewayz`: gateway connections. */
  gatewayz(): Promise<Record<string, unknown>> {
    return this.#monitor("gatewayz");
  }

  /** Stops the server and removes the directory if it created it. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
    if (this.#ownsDir) {
      fs.rmSync(this.dir, { recursive: true, force: true });
      tempDirs.delete(this.dir);
    }
  }
}

function makeDir(dir: string | undefined, name: string): { dir: string; owned: boolean } {
  if (dir !== undefined) {
    fs.mkdirSync(dir, { recursive: true });
    return { dir, owned: false };
  }
  const temp = fs.mkdtempSync(path.join(os.tmpdir(), `nats-${name}-`));
  tempDirs.add(temp);
  return { dir: temp, owned: true };
}

/** Polls `check` until it holds, or fails with `what` after `ms`. */
async function waitFor(what: string, check: () => Promise<boolean>, ms = READY_TIMEOUT_MS): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(POLL_MS);
  }
}

async function disposeAll(servers: (NatsServer | undefined)[]): Promise<void> {
  await Promise.all(servers.map((s) => s?.[Symbol.asyncDispose]()));
}

/** Servers that are routed to each other. */
export interface Cluster extends AsyncDisposable {
  servers: NatsServer[];
  urls: string[];
  /** Stops every server (their directories stay until dispose). */
  stop(): Promise<void>;
}

/**
 * Starts `n` servers routed to each other, and waits until each one sees the other n-1. Route ports
 * are chosen up front since every server lists all the others in `routes` (`withFreshPorts`: again
 * on other ports if one was taken before its server bound it).
 */
export async function startCluster(
  n: number,
  opts: { body?: string | ((i: number) => string); name?: string } = {},
): Promise<Cluster> {
  const name = opts.name ?? `c${++serial}`;
  const servers = await withFreshPorts(`cluster ${name}`, async (attempt) => {
    const ports: number[] = [];
    for (let i = 0; i < n; i++) ports.push(await attempt.port());
    const routes = ports.map((p) => `nats-route://${HOST}:${p}`);
    const started = await Promise.allSettled(
      ports.map((port, i) =>
        NatsServer.start({
          name: `${name}-${i + 1}`,
          body: typeof opts.body === "function" ? opts.body(i) : opts.body,
          cluster: { name, port, routes: routes.filter((_, j) => j !== i) },
        }),
      ),
    );
    for (const r of started) if (r.status === "fulfilled") attempt.own(r.value);
    const failed = started.find((r): r is PromiseRejectedResult => r.status === "rejected");
    if (failed) throw failed.reason;
    return started.map((r) => (r as PromiseFulfilledResult<NatsServer>).value);
  });
  const ok = servers as NatsServer[];
  try {
    // Routes are pooled (several connections per peer), so count distinct peers, not connections.
    await waitFor(`${n - 1} routes on every server of ${name}`, async () => {
      const peers = await Promise.all(
        ok.map(async (s) => {
          const routez = (await s.routez()) as { routes?: { remote_id?: string }[] };
          return new Set((routez.routes ?? []).map((r) => r.remote_id)).size;
        }),
      );
      return peers.every((p) => p >= n - 1);
    });
  } catch (err) {
    await disposeAll(ok);
    throw err;
  }
  return {
    servers: ok,
    urls: ok.map((s) => s.url),
    stop: async () => {
      await Promise.all(ok.map((s) => s.stop()));
    },
    [Symbol.asyncDispose]: () => disposeAll(ok),
  };
}

/**
 * Starts a hub with a leaf node listener and a leaf connected to it; waits until the hub's `/leafz`
 * lists the leaf. `hubBody` must not have its own `leafnodes` block (the hub's listener is generated).
 */
export async function startHubAndLeaf(
  opts: { hubBody?: string; leafBody?: (hubLeafUrl: string) => string } = {},
): Promise<{ hub: NatsServer; leaf: NatsServer; [Symbol.asyncDispose](): Promise<void> }> {
  const leafBody = opts.leafBody ?? ((url: string) => toConf({ leafnodes: { remotes: [{ url }] } }));
  const hub = await NatsServer.start({ name: `hub-${++serial}`, leafPort: true, body: opts.hubBody });
  let leaf: NatsServer | undefined;
  try {
    leaf = await NatsServer.start({ name: `leaf-${serial}`, body: leafBody(hub.leafUrl!) });
    await waitFor("the leaf node to connect to the hub", async () => {
      const leafz = (await hub.leafz()) as { leafnodes?: number };
      return (leafz.leafnodes ?? 0) > 0;
    });
  } catch (err) {
    await disposeAll([leaf, hub]);
    throw err;
  }
  const both = [leaf, hub];
  return { hub, leaf, [Symbol.asyncDispose]: () => disposeAll(both) };
}
