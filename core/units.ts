/** Unit conversions of claim inputs: Go-style durations to nanoseconds, dates to unix seconds. */
import { ConfigError } from "./errors";

const UNITS: Record<string, number> = { ns: 1, us: 1e3, µs: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };

/** Parses "1s", "1m30s", "250ms" or a number of nanoseconds into nanoseconds. */
export function parseDuration(value: string | number): number {
  if (typeof value === "number") {
    if (!Number.isFinite(value) || value < 0)
      throw new ConfigError("", `duration must be >= 0, got ${value}`);
    return Math.round(value);
  }
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/gy;
  let total = 0;
  let matched = 0;
  for (let m = re.exec(value); m; m = re.exec(value)) {
    total += Number(m[1]) * UNITS[m[2]];
    matched = re.lastIndex;
  }
  if (value.length === 0 || matched !== value.length) {
    throw new ConfigError("", `not a duration (like "1s", "250ms", "1m30s"): ${JSON.stringify(value)}`);
  }
  return Math.round(total);
}

/** Unix seconds of a date input. */
export function toUnixSeconds(value: string | number): number {
  return typeof value === "number" ? Math.floor(value) : Math.floor(Date.parse(value) / 1000);
}

/** The largest magnitude a Go int64 claim (limits, dates, durations) holds: values must stay below it. */
export const INT64_LIMIT = 2 ** 63;

const ISO_DATE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;

/**
 * Why `value` is not an ISO-8601 date that exists, or undefined. `Date.parse` rolls impossible dates
 * over silently ("2027-02-30" is March 2) and accepts other formats that do the same; a date that
 * means another day than the one written must be refused, not signed.
 */
export function dateTextProblem(value: string): string | undefined {
  const m = ISO_DATE.exec(value);
  if (!m) return `not a date (ISO-8601 text or unix seconds): ${JSON.stringify(value)}`;
  const [year, month, day, hour, minute, second] = m
    .slice(1, 7)
    .map((v) => (v === undefined ? 0 : Number(v)));
  const days = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (month < 1 || month > 12 || day < 1 || day > days || hour > 23 || minute > 59 || second > 59) {
    return `${JSON.stringify(value)} is not a date that exists (${month >= 1 && month <= 12 ? `month ${month} of ${year} has ${days} days; ` : ""}hours 0-23, minutes and seconds 0-59)`;
  }
  if (Number.isNaN(Date.parse(value)))
    return `not a date (ISO-8601 text or unix seconds): ${JSON.stringify(value)}`;
  return undefined;
}
