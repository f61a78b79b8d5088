/**
 * Serves the native provider with previews of creates and updates.
 *
 * The engine calls Create and Update during a preview only for a provider whose Configure answers
 * `supportsPreview`; otherwise it takes the new inputs as the outputs and drops every computed one, so
 * everything reading an updated Operator's or Account's `publicKey` or `seed` previews as changing.
 * `@pulumi/pulumi/provider`'s `main()` never sets `supportsPreview`, and its Create and Update drop the
 * request's `preview` flag (its Create would create for real in a preview). Its gRPC server class is
 * private to the module (no subclass possible), so the hook is the one place main() hands it over:
 * `addService`, wrapped for the duration of the call. The registered object is extended, not copied
 * (`Object.create`: a subclass of the one instance): Configure answers as the SDK does
 * (acceptSecrets, acceptResources, acceptOutputs) plus `supportsPreview`, after handing the provider
 * its own configuration (the SDK has no hook for it); CheckConfig and DiffConfig (unimplemented in the
 * SDK) judge and compare that configuration (kit/providerConfig.ts); Create and Update with
 * `preview` set run the SDK's own method (its request decoding, response encoding and error mapping)
 * against the provider's preview methods, which have no side effect; every other call, and every
 * Create and Update outside a preview, is the SDK's unchanged. A gRPC proxy in front of main() would
 * re-implement the handshake and every method to change three.
 */
import { credentials, Server as GrpcServer } from "@grpc/grpc-js";
import { EngineClient } from "@pulumi/pulumi/proto/engine_grpc_pb";
import { LogRequest, LogSeverity } from "@pulumi/pulumi/proto/engine_pb";
import { ResourceProviderService } from "@pulumi/pulumi/proto/provider_grpc_pb";
import * as provproto from "@pulumi/pulumi/proto/provider_pb";
import { main } from "@pulumi/pulumi/provider";
import * as structproto from "google-protobuf/google/protobuf/struct_pb";
import type { NativeProvider, WarnOn } from "./provider";

type Callback = (err: unknown, value?: unknown, ...rest: unknown[]) => void;
interface Call {
  request: { getPreview?(): boolean };
}
type Obj = Record<string, unknown>;
/** The part of a ReadRequest the import path reads. */
interface ReadRequest {
  getProperties?(): structproto.Struct | undefined;
  setProperties?(v: structproto.Struct): void;
}
/** The parts of CheckRequest, DiffRequest and ConfigureRequest the config methods read. */
interface ConfigRequest {
  getOlds?(): structproto.Struct | undefined;
  getNews?(): structproto.Struct | undefined;
  getArgs?(): structproto.Struct | undefined;
  getVariablesMap?(): { forEach(f: (value: string, key: string) => void): void };
}
const js = (s: structproto.Struct | undefined): Obj => (s ? (s.toJavaScript() as Obj) : {});

/**
 * A Configure request's configuration: `args` (structured, secrets marked) when the engine sends it,
 * else `variables` (text, keyed `nats-auth:config:<key>` or `nats-auth:<key>`).
 */
function configureArgs(req: ConfigRequest): Obj {
  const args = req.getArgs?.();
  if (args) return js(args);
  const out: Obj = {};
  req.getVariablesMap?.().forEach((value, key) => {
    out[key.slice(key.lastIndexOf(":") + 1)] = value;
  });
  return out;
}
type Method = (this: object, call: Call, callback: Callback) => unknown;
type Impl = Record<string, unknown> & { provider?: unknown };

/** The provider the SDK's methods see during a preview: create and update without side effects. */
function previewing(p: NativeProvider): Pick<NativeProvider, "create" | "update"> {
  return {
    create: async (urn, inputs) => ({ id: "", outs: await p.previewCreate(urn, inputs) }),
    update: async (id, urn, olds, news) => ({ outs: await p.previewUpdate(id, urn, olds, news) }),
  };
}

/**
 * `impl` (the SDK's gRPC implementation of the ResourceProvider service) answering Configure with
 * `supportsPreview`, and Create and Update in a preview from the provider's preview methods.
 */
export function withPreview(impl: Impl, provider: NativeProvider): Impl {
  const base = impl as Record<string, Method>;
  const previewProvider = previewing(provider);
  const inPreview = (call: Call) => call.request.getPreview?.() === true;
  const wrapped = Object.create(impl) as Impl;
  wrapped.configure = function (this: object, call: Call, callback: Callback) {
    provider.configureProvider(configureArgs(call.request as ConfigRequest)).then(
      () =>
        base.configure.call(this, call, (err, resp, ...rest) => {
          (resp as { setSupportspreview?(v: boolean): void } | undefined)?.setSupportspreview?.(true);
          callback(err, resp, ...rest);
        }),
      (e: unknown) => callback(e),
    );
  };
  // The SDK answers both as unimplemented: the engine would then take any config unchecked.
  wrapped.checkConfig = (call: Call, callback: Callback) => {
    const req = call.request as ConfigRequest;
    provider.checkConfig(js(req.getOlds?.()), js(req.getNews?.())).then((r) => {
      const resp = new provproto.CheckResponse();
      resp.setInputs(structproto.Struct.fromJavaScript(r.inputs as never));
      resp.setFailuresList(
        r.failures.map((f) => {
          const failure = new provproto.CheckFailure();
          failure.setProperty(f.property);
          failure.setReason(f.reason);
          return failure;
        }),
      );
      callback(undefined, resp);
    }, callback);
  };
  wrapped.diffConfig = (call: Call, callback: Callback) => {
    const req = call.request as ConfigRequest;
    provider.diffConfig(js(req.getOlds?.()), js(req.getNews?.())).then((r) => {
      const resp = new provproto.DiffResponse();
      resp.setChanges(
        r.changes
          ? provproto.DiffResponse.DiffChanges.DIFF_SOME
          : provproto.DiffResponse.DiffChanges.DIFF_NONE,
      );
      callback(undefined, resp);
    }, callback);
  };
  for (const name of ["create", "update"] as const) {
    wrapped[name] = function (this: object, call: Call, callback: Callback) {
      if (!inPreview(call)) return base[name].call(this, call, callback);
      return base[name].call(Object.create(this, { provider: { value: previewProvider } }), call, callback);
    };
  }
  // `pulumi import` reads with no properties at all, which the SDK's Read dereferences: it gets an
  // empty set, which the provider's read takes for an import.
  wrapped.read = function (this: object, call: Call, callback: Callback) {
    const req = call.request as ReadRequest;
    if (!req.getProperties?.()) req.setProperties?.(new structproto.Struct());
    return base.read.call(this, call, callback);
  };
  return wrapped;
}

/** `main()` of `@pulumi/pulumi/provider`, serving `provider` with previews (see the module header). */
export async function serve(provider: NativeProvider, args: string[]): Promise<void> {
  const addService = GrpcServer.prototype.addService;
  GrpcServer.prototype.addService = function (service, implementation) {
    const impl =
      service === ResourceProviderService ? withPreview(implementation as Impl, provider) : implementation;
    return addService.call(this, service, impl as typeof implementation);
  };
  try {
    await main(provider, args);
  } finally {
    GrpcServer.prototype.addService = addService;
  }
}

/**
 * Warnings on a resource through the engine's Log service, whose address is the plugin's first
 * argument (as `main()` reads it: flags skipped). The SDK's own `log.warn` is wired to the engine only
 * inside construct and call, not check, hence a client of its own. Undefined without an address.
 */
export function engineWarnings(args: string[]): WarnOn | undefined {
  const positional = args.filter((a, i) => !a.startsWith("-") && args[i - 1] !== "--tracing");
  const address = positional[0];
  if (!address) return undefined;
  let client: EngineClient | undefined;
  return (urn, message) => {
    client ??= new EngineClient(address, credentials.createInsecure());
    const req = new LogRequest();
    req.setSeverity(LogSeverity.WARNING);
    req.setMessage(message);
    req.setUrn(urn);
    client.log(req, () => undefined);
  };
}
