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
