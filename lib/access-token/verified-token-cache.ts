import { LRUCache } from 'lru-cache';
import type { Clock } from '../clock.js';
import type { AccessTokenClaims } from './access-token-claims.js';
import type { KeySet } from '../keys/key-ring.js';

interface Entry {
  /** The whole token: entries are found by signature, and served only to the exact token. */
  readonly token: string;
  readonly claims: AccessTokenClaims;
  /** `exp` in milliseconds. */
  readonly expiresAtMs: number;
  /** Identity of the key that verified the token (`KeyRing.keyIdOf`). */
  readonly keyId: string;
  /** The key set the key was last seen in; replaced after a check against a newer set. */
  keySet: KeySet;
}

/**
 * Bytes an entry is charged: the token string (one byte per base64url character), the parsed
 * claims (the payload is 3/4 of its segment; parsed, about as much again) and the entry's own
 * bookkeeping. An estimate: V8 does not report the size of an object graph.
 */
export function estimateEntryBytes(token: string): number {
  return 2 * token.length + ENTRY_OVERHEAD_BYTES;
}

/** What one entry costs beyond its strings: LRU slots, the Map entry, the entry and claims objects. */
const ENTRY_OVERHEAD_BYTES = 512;

/** The cache's sizing, as `options.cache` resolves it. */
export interface VerifiedTokenCacheLimits {
  /** The most tokens kept. */
  readonly maxEntries: number;
  /** The most bytes kept, by {@link estimateEntryBytes}. */
  readonly maxBytes: number;
  /** Cache a token the first time it verifies, instead of the second. */
  readonly admitOnFirstSight: boolean;
}

// 32-bit FNV-1a over the last characters of the token (its signature, which no one can choose
// without the key): a fingerprint that holds no reference to the token, so that the doorkeeper
// keeps no 8 KiB strings alive. A collision only admits a token one sight early.
const FINGERPRINT_CHARS = 24;
function fingerprint(token: string): number {
  let hash = 0x811c9dc5;
  for (let index = Math.max(0, token.length - FINGERPRINT_CHARS); index < token.length; index++) {
    hash = Math.imul(hash ^ token.charCodeAt(index), 0x01000193);
  }
  // 30 bits: a small integer, stored in the Set without a heap number.
  return hash & 0x3fffffff;
}

// Entries are keyed by the token's last segment (its signature), not the whole token: a Map
// hashes every character of a key it is handed, and a header string is new on every request,
// so a 7.5 kB token would be hashed in full on each hit. The signature is unique to the token
// (it is a MAC or signature over the rest), and `entry.token === token`, a memory compare,
// keeps the cache exact.
const GET_OPTIONS: LRUCache.GetOptions<string, Entry, unknown> = {};

function signatureOf(token: string): string {
  return token.slice(token.lastIndexOf('.') + 1);
}

/**
 * A bounded LRU of verified access-token claims, served to the exact token string only. An entry is
 * served only while the injected clock is before the token's `exp` (lru-cache's own timer is not
 * used, so tests control expiry), and only while the key that verified it is still in the key
 * set; afterwards the token goes through full verification again.
 *
 * Admission is on the second sight (a doorkeeper of token fingerprints, as in TinyLFU,
 * arXiv:1512.00727): traffic of tokens seen once, which a cache cannot help, costs a Set
 * insertion instead of an entry, and cannot evict the tokens that repeat. The cache is bounded
 * by entries and by (estimated) bytes. Only verified tokens may be stored. Revocation is not
 * cached here: callers check it on every request.
 */
export class VerifiedTokenCache {
  private readonly entries: LRUCache<string, Entry>;
  private readonly seenOnce = new Set<number>();
  private readonly doorkeeperSize: number;
  private readonly admitOnFirstSight: boolean;

  /**
   * @param limits - entries, bytes and admission, or just the most entries (admitted on first sight)
   * @param clock - the time source deciding expiry
   */
  constructor(
    limits: VerifiedTokenCacheLimits | number,
    private readonly clock: Clock,
  ) {
    const { maxEntries, maxBytes, admitOnFirstSight } =
      typeof limits === 'number'
        ? { maxEntries: limits, maxBytes: Number.MAX_SAFE_INTEGER, admitOnFirstSight: true }
        : limits;
    this.entries = new LRUCache<string, Entry>({ max: maxEntries, maxSize: maxBytes });
    this.doorkeeperSize = maxEntries;
    this.admitOnFirstSight = admitOnFirstSight;
  }

  /**
   * The cached claims of `token`, or `undefined` when absent, past `exp`, or verified with a
   * key that `keySet` no longer holds (such an entry is dropped).
   */
  get(
    token: string,
    keySet: KeySet,
    nowMs: number = this.clock.now(),
  ): AccessTokenClaims | undefined {
    const slot = signatureOf(token);
    // lru-cache allocates an options object per get() unless handed one; `status` is reset so
    // that its diagnostics channel, when subscribed, still gets a fresh record per call.
    GET_OPTIONS.status = undefined;
    const entry = this.entries.get(slot, GET_OPTIONS);
    // Another token with the same last segment (a forgery reusing a signature) is a miss.
    if (entry === undefined || entry.token !== token) return undefined;
    if (nowMs >= entry.expiresAtMs) {
      this.entries.delete(slot);
      return undefined;
    }
    if (entry.keySet !== keySet) {
      if (!keySet.ids.has(entry.keyId)) {
        this.entries.delete(slot);
        return undefined;
      }
      entry.keySet = keySet;
    }
    return entry.claims;
  }

  /**
   * Remembers the claims of a token that has just been verified with the key `keyId` of
   * `keySet`: on its second sight (or first, with `admitOnFirstSight`).
   */
  set(token: string, claims: AccessTokenClaims, keyId: string, keySet: KeySet): void {
    const expiresAtMs = claims.exp * 1000;
    if (this.clock.now() >= expiresAtMs || !this.admit(token)) return;
    const size = estimateEntryBytes(token);
    // lru-cache refuses (and drops) an entry larger than maxSize; so does this cache.
    this.entries.set(signatureOf(token), { token, claims, expiresAtMs, keyId, keySet }, { size });
  }

  private admit(token: string): boolean {
    if (this.admitOnFirstSight) return true;
    const print = fingerprint(token);
    if (this.seenOnce.delete(print)) return true;
    // Reset rather than evict one by one: an old sighting is no evidence of a repeat.
    if (this.seenOnce.size >= this.doorkeeperSize) this.seenOnce.clear();
    this.seenOnce.add(print);
    return false;
  }

  /** How many tokens are cached. */
  get size(): number {
    return this.entries.size;
  }

  /** The estimated bytes of the cached tokens. */
  get bytes(): number {
    return this.entries.calculatedSize;
  }

  /** Forgets every token. */
  clear(): void {
    this.entries.clear();
    this.seenOnce.clear();
  }
}

/** The `cache` settings: its sizing, and whether there is a cache at all. */
export interface VerifiedTokenCacheConfig extends VerifiedTokenCacheLimits {
  readonly enabled: boolean;
}

/**
 * Builds the cache described by `options.cache`.
 *
 * @param options - holds the cache settings
 * @param clock - the time source deciding expiry
 * @returns the cache, or `null` when `cache.enabled` is false
 * @example
 * const cache = createVerifiedTokenCache(options, systemClock);
 */
export function createVerifiedTokenCache(
  options: { readonly cache: VerifiedTokenCacheConfig },
  clock: Clock,
): VerifiedTokenCache | null {
  return options.cache.enabled ? new VerifiedTokenCache(options.cache, clock) : null;
}
