import type { RevocationEntry, RevocationStore, RevocationSubject } from './revocation.store.js';

interface SubjectRevocation {
  readonly issuedBefore: number;
  readonly expiresAt: number;
}

/**
 * Revocations kept in this process: enough for a single instance, and the local mirror that
 * shared stores answer `isRevoked` from. Entries are dropped once the tokens they name have
 * expired, so memory stays bounded by the revocations of one access-token lifetime.
 */
export class MemoryRevocationStore implements RevocationStore {
  private readonly tokens = new Map<string, number>();
  private readonly sessions = new Map<string, number>();
  private readonly subjects = new Map<string, SubjectRevocation>();
  private nextSweep = 0;

  async revoke(entry: RevocationEntry): Promise<void> {
    this.apply(entry);
  }

  /** Records a revocation locally (also used by shared stores for what they hear). */
  apply(entry: RevocationEntry): void {
    switch (entry.kind) {
      case 'token':
        this.tokens.set(entry.id, Math.max(entry.expiresAt, this.tokens.get(entry.id) ?? 0));
        break;
      case 'session':
        this.sessions.set(entry.id, Math.max(entry.expiresAt, this.sessions.get(entry.id) ?? 0));
        break;
      case 'subject': {
        const previous = this.subjects.get(entry.id);
        this.subjects.set(entry.id, {
          issuedBefore: Math.max(entry.issuedBefore, previous?.issuedBefore ?? 0),
          expiresAt: Math.max(entry.expiresAt, previous?.expiresAt ?? 0),
        });
        break;
      }
    }
  }

  isRevoked(subject: RevocationSubject, nowMs: number): boolean {
    if (nowMs >= this.nextSweep) this.sweep(nowMs);
    if (this.tokens.size > 0 && (this.tokens.get(subject.jti) ?? 0) > nowMs) return true;
    if (
      subject.sid !== undefined &&
      this.sessions.size > 0 &&
      (this.sessions.get(subject.sid) ?? 0) > nowMs
    ) {
      return true;
    }
    if (this.subjects.size > 0) {
      const revoked = this.subjects.get(subject.sub);
      if (revoked !== undefined && revoked.expiresAt > nowMs && subject.iat <= revoked.issuedBefore)
        return true;
    }
    return false;
  }

  /** Number of live entries; for tests and metrics. */
  get size(): number {
    return this.tokens.size + this.sessions.size + this.subjects.size;
  }

  private sweep(nowMs: number): void {
    // Amortised: at most one pass per minute on the request path.
    this.nextSweep = nowMs + 60_000;
    for (const map of [this.tokens, this.sessions]) {
      for (const [id, expiresAt] of map) if (expiresAt <= nowMs) map.delete(id);
    }
    for (const [id, entry] of this.subjects) if (entry.expiresAt <= nowMs) this.subjects.delete(id);
  }
}
