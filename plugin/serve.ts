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
 * (acceptSecrets, acceptResources, acceptOutputs) plus `supportsPreview`; Create and Update with
 * `preview` set run the SDK's own method (its request decoding, response encoding and error mapping)
 * against the provider's preview methods, which have no side effect; every other call, and every
 * Create and Update outside a preview, is the SDK's unchanged. A gRPC proxy in front of main() would
 * re-implement the handshake and every method to change three.
 */
import { credentials, Server as GrpcServer } from "@grpc/grpc-js";
import { EngineClient } from "@pulumi/pulumi/proto/engine_grpc_pb";
import { LogRequest, LogSeverity } from "@pulumi/pulumi/proto/engine_pb";
import { ResourceProviderService } from "@pulumi/pulumi/proto/provider_grpc_pb";
import { main } from "@pulumi/pulumi/provider";
import type { NativeProvider, WarnOn } from "./provider";

type Callback = (err: unknown, value?: unknown, ...rest: unknown[]) => void;
interface Call {
  request: { getPreview?(): boolean };
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
    return base.configure.call(this, call, (err, resp, ...rest) => {
      (resp as { setSupportspreview?(v: boolean): void } | undefined)?.setSupportspreview?.(true);
      callback(err, resp, ...rest);
    });
  };
  for (const name of ["create", "update"] as const) {
    wrapped[name] = function (this: object, call: Call, callback: Callback) {
      if (!inPreview(call)) return base[name].call(this, call, callback);
      return base[name].call(Object.create(this, { provider: { value: previewProvider } }), call, callback);
    };
  }
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
