import { LRUCache } from 'lru-cache';
import type { Clock } from '../clock.js';
import type { ResolvedAuthOptions } from '../options/auth-module-options.js';
import type { AccessTokenClaims } from './access-token-claims.js';

interface Entry {
  readonly claims: AccessTokenClaims;
  /** `exp` in milliseconds. */
  readonly expiresAtMs: number;
}

/**
 * A bounded LRU of verified access-token claims, keyed by the exact token string. An entry is
 * served only while the injected clock is before the token's `exp` (lru-cache's own timer is not
 * used, so tests control expiry); afterwards the token goes through full verification again.
 * Only verified tokens may be stored. Revocation is not cached here: callers check it on every
 * request.
 */
export class VerifiedTokenCache {
  private readonly entries: LRUCache<string, Entry>;

  /**
   * @param maxEntries - the most tokens kept; the least recently used goes first
   * @param clock - the time source deciding expiry
   */
  constructor(
    maxEntries: number,
    private readonly clock: Clock,
  ) {
    this.entries = new LRUCache<string, Entry>({ max: maxEntries });
  }

  /** The cached claims of `token`, or `undefined` when absent or past `exp`. */
  get(token: string): AccessTokenClaims | undefined {
    const entry = this.entries.get(token);
    if (entry === undefined) return undefined;
    if (this.clock.now() >= entry.expiresAtMs) {
      this.entries.delete(token);
      return undefined;
    }
    return entry.claims;
  }

  /** Remembers the claims of a token that has just been verified. */
  set(token: string, claims: AccessTokenClaims): void {
    const expiresAtMs = claims.exp * 1000;
    if (this.clock.now() < expiresAtMs) this.entries.set(token, { claims, expiresAtMs });
  }

  /** How many tokens are cached. */
  get size(): number {
    return this.entries.size;
  }

  /** Forgets every token. */
  clear(): void {
    this.entries.clear();
  }
}

/**
 * Builds the cache described by `options.cache`.
 *
 * @param options - resolved module options
 * @param clock - the time source deciding expiry
 * @returns the cache, or `null` when `cache.enabled` is false
 * @example
 * const cache = createVerifiedTokenCache(options, systemClock);
 */
export function createVerifiedTokenCache(
  options: Pick<ResolvedAuthOptions, 'cache'>,
  clock: Clock,
): VerifiedTokenCache | null {
  return options.cache.enabled ? new VerifiedTokenCache(options.cache.maxEntries, clock) : null;
}
