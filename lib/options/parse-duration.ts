import ms from 'ms';
import { AuthConfigurationError } from '../auth.errors.js';
import type { Duration } from './auth-module-options.js';

/** The outcome of reading a {@link Duration}: seconds, or what is wrong with it. */
export type DurationResult =
  | { readonly ok: true; readonly seconds: number }
  | { readonly ok: false; readonly problem: string };

// A unit-less numeric string is ambiguous: `ms` reads '900' as 900 milliseconds, most people
// mean 900 seconds. Refusing it is safer than guessing either way.
const BARE_NUMBER = /^\s*[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?\s*$/i;

const EXAMPLES = "a number of seconds or a string with a unit such as '90s', '15m', '12h', '30d'";

/**
 * Reads a {@link Duration} without throwing, so option validation can collect every problem.
 *
 * @param value - seconds as a number, or a string with a unit understood by `ms`
 * @returns the duration in seconds, or a problem phrased as "what is wrong, how to fix it"
 * @example
 * checkDuration('15m'); // { ok: true, seconds: 900 }
 * checkDuration('900'); // { ok: false, problem: "'900' has no unit: ..." }
 */
export function checkDuration(value: unknown): DurationResult {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0) {
      return { ok: false, problem: `is ${String(value)}; use a finite number of seconds >= 0` };
    }
    return { ok: true, seconds: value };
  }
  if (typeof value !== 'string') {
    return { ok: false, problem: `must be ${EXAMPLES}` };
  }
  if (BARE_NUMBER.test(value)) {
    return {
      ok: false,
      problem:
        `'${value}' has no unit; write '${value.trim()}s' for seconds (or pass the number ${value.trim()}), ` +
        'a bare numeric string is refused because it could be read as milliseconds',
    };
  }
  const milliseconds =
    value.length > 0 && value.length <= 100 ? ms(value as ms.StringValue) : undefined;
  if (typeof milliseconds !== 'number' || !Number.isFinite(milliseconds)) {
    return { ok: false, problem: `'${value}' is not a duration; use ${EXAMPLES}` };
  }
  if (milliseconds < 0) {
    return { ok: false, problem: `'${value}' is negative; use a duration >= 0` };
  }
  return { ok: true, seconds: milliseconds / 1000 };
}

/**
 * Converts a {@link Duration} to seconds.
 *
 * @param value - seconds as a number (finite, >= 0), or a string with a unit (`'90s'`, `'15m'`,
 *   `'12h'`, `'30d'`); a bare numeric string such as `'900'` is refused, never read as milliseconds
 * @param path - the option path named in the error, e.g. `'refresh.ttl'`
 * @returns the duration in seconds
 * @throws {AuthConfigurationError} when the value is not a valid duration
 * @example
 * parseDuration('15m', 'accessTokenTtl'); // 900
 */
export function parseDuration(value: Duration, path: string): number {
  const result = checkDuration(value);
  if (!result.ok) {
    throw new AuthConfigurationError([`${path}: ${result.problem}`]);
  }
  return result.seconds;
}
