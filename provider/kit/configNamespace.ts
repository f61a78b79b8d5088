/**
 * The provider configuration's namespace, on its own so the TypeScript SDK can read it at program
 * time without loading the configuration's parser and, through it, the resolver client (io/): a
 * program never talks to a server, and every module it loads costs each `pulumi preview` and `up`.
 */

/** The package name: config keys are `nats-auth:<key>`. */
export const CONFIG_NAMESPACE = "nats-auth";

/**
 * Whether a project's own config keys are `nats-auth:<key>` (a project named like the package), so
 * the TypeScript SDK must not read them as the provider configuration.
 */
export function ownsProviderNamespace(projectName: string | undefined): boolean {
  return projectName === CONFIG_NAMESPACE;
}
