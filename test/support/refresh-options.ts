import { MemoryRefreshTokenStore } from '../../lib/refresh-token/memory-refresh-token.store.js';
import type { ResolvedRefreshTokenOptions } from '../../lib/options/auth-module-options.js';

/** Seconds in a day. */
export const DAY = 86_400;

/** Resolved refresh options with the module's defaults and a fixed test secret. */
export function refreshOptions(
  overrides: Partial<ResolvedRefreshTokenOptions> = {},
): ResolvedRefreshTokenOptions {
  return {
    ttl: 30 * DAY,
    idleTtl: 14 * DAY,
    reuseGracePeriod: 10,
    maxSessionsPerUser: 0,
    secret: new Uint8Array(32).fill(7),
    store: new MemoryRefreshTokenStore(),
    resolveUser: () => null,
    onReuseDetected: null,
    pruneInterval: null,
    pruneRevokedAfter: 7 * DAY,
    ...overrides,
  };
}
