import { Logger } from '@nestjs/common';
import type { RevocationEntry, RevocationStore, RevocationSubject } from './revocation.store.js';

interface IssuedBeforeRevocation {
  readonly issuedBefore: number;
  readonly expiresAt: number;
}

/** Options of {@link MemoryRevocationStore}. */
export interface MemoryRevocationStoreOptions {
  /**
   * Most entries kept. When a new revocation would exceed it, the entries nearest their expiry
   * are evicted (expired ones first), down to 90% of the cap, with a warning in the log.
   * @default 100000
   */
  readonly maxEntries?: number;
}

/** Default {@link MemoryRevocationStoreOptions.maxEntries}. */
export const DEFAULT_MAX_REVOCATION_ENTRIES = 100_000;

/**
 * Revocations kept in this process: enough for a single instance, and the local mirror that
 * shared stores answer `isRevoked` from. Entries are dropped once the tokens they name have
 * expired, so memory stays bounded by the revocations of one access-token lifetime, and by
 * `maxEntries` in any case.
 *
 * When full, the entries nearest their expiry go: they protect the fewest remaining seconds of
 * token life, whereas the newest revocation (a logout that just happened) protects the most.
 * Refusing new entries instead would drop exactly the revocation a user is waiting for.
 */
export class MemoryRevocationStore implements RevocationStore {
  private readonly tokens = new Map<string, number>();
  private readonly sessions = new Map<string, IssuedBeforeRevocation>();
  private readonly subjects = new Map<string, IssuedBeforeRevocation>();
  private readonly maxEntries: number;
  private readonly logger = new Logger('RevocationStore');
  private readonly listeners = new Set<(entry: RevocationEntry) => void>();
  private nextSweep = 0;
  private evictedCount = 0;

  constructor(options: MemoryRevocationStoreOptions = {}) {
    const max = options.maxEntries ?? DEFAULT_MAX_REVOCATION_ENTRIES;
    if (!Number.isSafeInteger(max) || max < 10) {
      throw new RangeError('MemoryRevocationStore: maxEntries must be an integer of at least 10');
    }
    this.maxEntries = max;
  }

  async revoke(entry: RevocationEntry): Promise<void> {
    this.apply(entry);
  }

  /** Records a revocation locally (also used by shared stores for what they hear). */
  apply(entry: RevocationEntry): void {
    if (!this.has(entry) && this.size >= this.maxEntries) this.evict();
    switch (entry.kind) {
      case 'token':
        this.tokens.set(entry.id, Math.max(entry.expiresAt, this.tokens.get(entry.id) ?? 0));
        break;
      case 'session':
        this.sessions.set(entry.id, merge(entry, this.sessions.get(entry.id)));
        break;
      case 'subject':
        this.subjects.set(entry.id, merge(entry, this.subjects.get(entry.id)));
        break;
    }
    for (const listener of this.listeners) {
      try {
        listener(entry);
      } catch (error) {
        // A listener's failure must not undo or hide the revocation itself.
        this.logger.error(`A revocation listener failed: ${(error as Error)?.name ?? 'Error'}`);
      }
    }
  }

  /** Calls `listener` with every entry applied from now on; returns its removal. */
  onRevoke(listener: (entry: RevocationEntry) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  isRevoked(subject: RevocationSubject, nowMs: number): boolean {
    if (nowMs >= this.nextSweep) this.sweep(nowMs);
    if (this.tokens.size > 0 && (this.tokens.get(subject.jti) ?? 0) > nowMs) return true;
    if (subject.sid !== undefined && this.sessions.size > 0) {
      const revoked = this.sessions.get(subject.sid);
      if (revoked !== undefined && denies(revoked, subject.iat, nowMs)) return true;
    }
    if (this.subjects.size > 0) {
      const revoked = this.subjects.get(subject.sub);
      if (revoked !== undefined && denies(revoked, subject.iat, nowMs)) return true;
    }
    return false;
  }

  /** Number of entries held; for tests and metrics. */
  get size(): number {
    return this.tokens.size + this.sessions.size + this.subjects.size;
  }

  /** Entries evicted so far because the store was full; for metrics. */
  get evicted(): number {
    return this.evictedCount;
  }

  private has(entry: RevocationEntry): boolean {
    if (entry.kind === 'token') return this.tokens.has(entry.id);
    return (entry.kind === 'session' ? this.sessions : this.subjects).has(entry.id);
  }

  /** Amortised: one sort per tenth of the cap, so O(log n) per insertion when full. */
  private evict(): void {
    const held: { map: Map<string, unknown>; id: string; expiresAt: number }[] = [];
    for (const [id, expiresAt] of this.tokens) held.push({ map: this.tokens, id, expiresAt });
    for (const map of [this.sessions, this.subjects]) {
      for (const [id, entry] of map) held.push({ map, id, expiresAt: entry.expiresAt });
    }
    const all = held.toSorted((a, b) => a.expiresAt - b.expiresAt);
    const count = all.length - Math.floor(this.maxEntries * 0.9);
    for (const victim of all.slice(0, count)) victim.map.delete(victim.id);
    this.evictedCount += count;
    this.logger.warn(
      `Revocation store full (${this.maxEntries} entries): evicted the ${count} nearest their expiry`,
    );
  }

  private sweep(nowMs: number): void {
    // Amortised: at most one pass per minute on the request path.
    this.nextSweep = nowMs + 60_000;
    for (const [id, expiresAt] of this.tokens) if (expiresAt <= nowMs) this.tokens.delete(id);
    for (const map of [this.sessions, this.subjects]) {
      for (const [id, entry] of map) if (entry.expiresAt <= nowMs) map.delete(id);
    }
  }
}

function merge(
  entry: IssuedBeforeRevocation,
  previous: IssuedBeforeRevocation | undefined,
): IssuedBeforeRevocation {
  return {
    issuedBefore: Math.max(entry.issuedBefore, previous?.issuedBefore ?? 0),
    expiresAt: Math.max(entry.expiresAt, previous?.expiresAt ?? 0),
  };
}

function denies(revoked: IssuedBeforeRevocation, iat: number, nowMs: number): boolean {
  return revoked.expiresAt > nowMs && iat <= revoked.issuedBefore;
}
