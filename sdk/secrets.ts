import * as pulumi from "@pulumi/pulumi";

/**
 * Marks an input secret on the program side, whatever the caller passed. The engine stores a plain
 * string in the state's inputs and prints it in `--diff` even when the output of the same name is
 * secret, so seeds, creds and passwords are wrapped here before they reach the engine. Unknown
 * values stay unknown; an already secret value is unchanged.
 */
export function secretInput<T>(
  value: pulumi.Input<T> | undefined,
): pulumi.Output<pulumi.Unwrap<T>> | undefined {
  return value === undefined ? undefined : pulumi.secret(value);
}
