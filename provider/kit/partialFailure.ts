/**
 * A create/update that did part of its work (a key was generated, a JWT signed) before failing.
 * Pulumi records `properties` as the resource's state when an error carries `id`, `properties` and
 * `reasons`, so the seed is not lost and the next `pulumi up` retries the rest.
 */
import { NatsAuthError, type NatsAuthErrorOptions } from "../../core/errors";

export class PartialFailure extends NatsAuthError {
  readonly id: string;
  readonly properties: object;
  readonly reasons: string[];
  constructor(message: string, id: string, properties: object, options?: NatsAuthErrorOptions) {
    super(message, options);
    this.name = "PartialFailure";
    this.id = id;
    this.properties = properties;
    this.reasons = [this.message];
  }
}
