import { describe, expect, it } from 'vitest';
import { checkDuration, parseDuration } from '../../../lib/options/parse-duration.js';

describe('parseDuration', () => {
  it.each([
    ['90s', 90],
    ['15m', 900],
    ['12h', 43_200],
    ['30d', 2_592_000],
    ['1.5h', 5400],
    ['500ms', 0.5],
  ])('reads %s as %d seconds', (value, seconds) => {
    expect(parseDuration(value, 'accessTokenTtl')).toBe(seconds);
  });

  it('reads a number as seconds, never milliseconds', () => {
    expect(parseDuration(900, 'accessTokenTtl')).toBe(900);
    expect(parseDuration(0, 'refresh.reuseGracePeriod')).toBe(0);
  });

  it.each(['900', ' 900 ', '1e3', '-5', '0'])(
    'refuses the bare numeric string %j instead of reading milliseconds',
    (value) => {
      expect(checkDuration(value)).toEqual({
        ok: false,
        problem: expect.stringMatching(/no unit/),
      });
    },
  );

  it.each([
    [-1],
    [Number.NaN],
    [Number.POSITIVE_INFINITY],
    ['-5m'],
    ['soon'],
    [''],
    ['5 fortnights'],
  ])('refuses %j', (value) => {
    expect(checkDuration(value).ok).toBe(false);
  });

  it('throws an AuthConfigurationError naming the option path', () => {
    expect(() => parseDuration('900', 'refresh.ttl')).toThrow(
      expect.objectContaining({
        code: 'ERR_AUTH_CONFIGURATION',
        problems: [expect.stringMatching(/^refresh\.ttl: '900' has no unit/)],
      }),
    );
  });
});
