import * as pulumi from "@pulumi/pulumi";
import { plainConfigSecrets, plainConfigSecretsMessage } from "../core/configSecrets";

/** The config last judged (as its JSON text), so a program of many resources judges it once. */
let judged: string | undefined;

/**
 * Fails the program (before any resource of this package registers, so nothing reaches state) when
 * the stack config holds seeds, creds or private keys in plain text: the engine stores the whole
 * config of a program with dynamic resources in the `pulumi-nodejs` provider's state, encrypting
 * only secret values. Outside a Pulumi run there is no config, and nothing to judge.
 */
export function refusePlainConfigSecrets(): void {
  const config = pulumi.runtime.allConfig();
  const text = JSON.stringify(config);
  if (text === judged) return;
  // `isConfigSecret` is internal to @pulumi/pulumi (no typings); without it nothing can be judged.
  const isSecret = (pulumi.runtime as unknown as { isConfigSecret?: (key: string) => boolean })
    .isConfigSecret;
  if (typeof isSecret !== "function") return;
  const found = plainConfigSecrets(config, (k) => isSecret(k));
  if (found.length) throw new pulumi.RunError(plainConfigSecretsMessage(found));
  judged = text;
}
