const DURATION = /^(\d{1,9})(s|m|h|d)?$/;
const UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: 86_400 } as const;

/**
 * Reads a sample-app duration: `'90s'`, `'15m'`, `'12h'`, `'30d'`, or plain seconds (`'900'`).
 *
 * The library refuses a bare numeric string (it could mean milliseconds), so the sample
 * converts environment values to a number of seconds before passing them on.
 *
 * @returns the duration in seconds, or `null` when the text is not a duration
 * @example parseDuration('15m') // 900
 */
export function parseDuration(text: string): number | null {
  const match = DURATION.exec(text.trim());
  if (match === null) {
    return null;
  }
  const unit = (match[2] ?? 's') as keyof typeof UNIT_SECONDS;
  return Number(match[1]) * UNIT_SECONDS[unit];
}
