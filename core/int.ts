/**
 * A whole number: limits, counts, ports, sizes, unix seconds, milliseconds, weights.
 *
 * For TypeScript users it is exactly `number` (the API does not change, and core/validation.ts refuses
 * fractions at preview); it exists so that the schema generator (scripts/genSchema.ts), which reads the
 * declared type of each contract field, emits `integer` for it: Go programs then write `pulumi.Int`,
 * Python programs `int`. A field declared as plain `number` is a real number (e.g. a timeout in
 * fractional seconds) and stays `number` in the schema.
 */
export type Int = number;
