import type {
  RefreshSessionRecord,
  RefreshTokenRecord,
  RefreshTokenStore,
  RefreshTokenWithSession,
  RotateRefreshTokenCommand,
  SessionRevocationReason,
} from './refresh-token.store.js';
import { isSessionLive, sessionsBeyondCap } from './session-liveness.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * A {@link RefreshTokenStore} in process memory, for tests and single-process demos. Sessions
 * are lost on restart and not shared between instances. Every method body runs without an
 * `await` between its checks and writes, so it is atomic on Node's single thread and has the
 * same semantics as `TypeOrmRefreshTokenStore`.
 *
 * @example
 * AuthModule.forRoot({ ..., refresh: { store: new MemoryRefreshTokenStore(), resolveUser } });
 */
export class MemoryRefreshTokenStore implements RefreshTokenStore {
  private readonly sessions = new Map<string, Mutable<RefreshSessionRecord>>();
  private readonly tokens = new Map<string, Mutable<RefreshTokenRecord>>();
  private readonly tokenIdsByHash = new Map<string, string>();
  private readonly tokenIdsBySession = new Map<string, Set<string>>();

  async createSession(
    session: RefreshSessionRecord,
    firstToken: RefreshTokenRecord,
  ): Promise<void> {
    if (this.sessions.has(session.id)) throw new Error(`Duplicate session id ${session.id}`);
    this.assertInsertable(firstToken);
    this.sessions.set(session.id, { ...session });
    this.tokenIdsBySession.set(session.id, new Set());
    this.insertToken(firstToken);
  }

  async findTokenByHash(tokenHash: string): Promise<RefreshTokenWithSession | null> {
    const id = this.tokenIdsByHash.get(tokenHash);
    return id === undefined ? null : this.withSession(id);
  }

  async findToken(tokenId: string): Promise<RefreshTokenWithSession | null> {
    return this.withSession(tokenId);
  }

  async findSession(sessionId: string): Promise<RefreshSessionRecord | null> {
    const session = this.sessions.get(sessionId);
    return session ? { ...session } : null;
  }

  async rotate({ parentId, sessionId, now, child }: RotateRefreshTokenCommand): Promise<boolean> {
    const session = this.sessions.get(sessionId);
    if (!session || !isSessionLive(session, now)) return false;
    const parent = this.tokens.get(parentId);
    if (
      !parent ||
      parent.sessionId !== sessionId ||
      parent.spentAt !== null ||
      parent.revokedAt !== null
    ) {
      return false;
    }
    this.assertInsertable(child);
    session.lastUsedAt = now;
    session.idleExpiresAt = child.idleExpiresAt;
    session.userAgent = child.userAgent;
    session.ip = child.ip;
    parent.spentAt = now;
    parent.lastUsedAt = now;
    parent.successorId = child.id;
    this.insertToken(child);
    return true;
  }

  async revokeSession(
    sessionId: string,
    reason: SessionRevocationReason,
    now: number,
  ): Promise<boolean> {
    return this.revokeNow(sessionId, reason, now);
  }

  async revokeUserSessions(
    userId: string,
    reason: SessionRevocationReason,
    now: number,
    exceptSessionId?: string,
  ): Promise<string[]> {
    const ids = [...this.sessions.values()]
      .filter((session) => session.userId === userId && session.revokedAt === null)
      .map((session) => session.id)
      .filter((id) => id !== exceptSessionId);
    return ids.filter((id) => this.revokeNow(id, reason, now));
  }

  async listLiveSessions(userId: string, now: number): Promise<RefreshSessionRecord[]> {
    return this.liveSessions(userId, now)
      .sort(
        (a, b) => b.lastUsedAt - a.lastUsedAt || b.createdAt - a.createdAt || compare(a.id, b.id),
      )
      .map((session) => ({ ...session }));
  }

  async enforceSessionCap(userId: string, max: number, now: number): Promise<string[]> {
    const newestFirst = this.liveSessions(userId, now)
      .sort((a, b) => b.createdAt - a.createdAt || compare(b.id, a.id))
      .map((session) => session.id);
    return sessionsBeyondCap(newestFirst, max).filter((id) =>
      this.revokeNow(id, 'session_limit', now),
    );
  }

  async prune(now: number, revokedBefore: number): Promise<number> {
    let deleted = 0;
    for (const session of this.sessions.values()) {
      if (!isPrunable(session, now, revokedBefore)) continue;
      for (const tokenId of this.tokenIdsBySession.get(session.id) ?? []) {
        const token = this.tokens.get(tokenId);
        if (token) this.tokenIdsByHash.delete(token.tokenHash);
        this.tokens.delete(tokenId);
      }
      this.tokenIdsBySession.delete(session.id);
      this.sessions.delete(session.id);
      deleted++;
    }
    return deleted;
  }

  private revokeNow(sessionId: string, reason: SessionRevocationReason, now: number): boolean {
    const session = this.sessions.get(sessionId);
    if (!session || session.revokedAt !== null) return false;
    session.revokedAt = now;
    session.revokedReason = reason;
    for (const tokenId of this.tokenIdsBySession.get(sessionId) ?? []) {
      const token = this.tokens.get(tokenId);
      if (token && token.revokedAt === null) {
        token.revokedAt = now;
        token.revokedReason = reason;
      }
    }
    return true;
  }

  private liveSessions(userId: string, now: number): Mutable<RefreshSessionRecord>[] {
    return [...this.sessions.values()].filter(
      (session) => session.userId === userId && isSessionLive(session, now),
    );
  }

  private withSession(tokenId: string): RefreshTokenWithSession | null {
    const token = this.tokens.get(tokenId);
    const session = token && this.sessions.get(token.sessionId);
    return token && session ? { token: { ...token }, session: { ...session } } : null;
  }

  private assertInsertable(token: RefreshTokenRecord): void {
    if (this.tokens.has(token.id) || this.tokenIdsByHash.has(token.tokenHash)) {
      throw new Error(`Duplicate refresh token ${token.id}`);
    }
  }

  private insertToken(token: RefreshTokenRecord): void {
    this.tokens.set(token.id, { ...token });
    this.tokenIdsByHash.set(token.tokenHash, token.id);
    this.tokenIdsBySession.get(token.sessionId)?.add(token.id);
  }
}

function isPrunable(session: RefreshSessionRecord, now: number, revokedBefore: number): boolean {
  return (
    session.expiresAt <= now ||
    session.idleExpiresAt <= now ||
    (session.revokedAt !== null && session.revokedAt <= revokedBefore)
  );
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
