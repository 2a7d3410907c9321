import type { RefreshSessionsConfig } from '../../lib/refresh-token/refresh-sessions.js';

/** Seconds in a day. */
export const DAY = 86_400;

/** The session rules' settings with the module's defaults and a fixed test secret. */
export function refreshOptions(
  overrides: Partial<RefreshSessionsConfig> = {},
): RefreshSessionsConfig {
  return {
    ttl: 30 * DAY,
    idleTtl: 14 * DAY,
    reuseGracePeriod: 10,
    maxSessionsPerUser: 0,
    secret: new Uint8Array(32).fill(7),
    pruneRevokedAfter: 7 * DAY,
    ...overrides,
  };
}
