/**
 * Why a session was revoked, stored with it for forensics.
 * `logout`: the holder of one of its tokens logged out; `revoked`: revoked by id (session list);
 * `revoked_all`: "log out everywhere"; `reuse_detected`: a spent token was replayed after the
 * grace window; `user_rejected`: the user hook refused the user at refresh; `session_limit`:
 * the oldest session made room under `maxSessionsPerUser`.
 */
export type SessionRevocationReason =
  'logout' | 'revoked' | 'revoked_all' | 'reuse_detected' | 'user_rejected' | 'session_limit';

/**
 * A refresh-token session: one login, the family of all tokens rotated from it, and the row
 * whose update serialises rotation against revocation. Times are epoch milliseconds.
 */
export interface RefreshSessionRecord {
  /** UUID, also the `sid` claim of the access tokens issued with this session. */
  readonly id: string;
  readonly userId: string;
  readonly createdAt: number;
  readonly lastUsedAt: number;
  /** Absolute expiry, fixed at login; rotation never extends it. */
  readonly expiresAt: number;
  /** Idle expiry, moved to `now + idleTtl` (capped by `expiresAt`) at every rotation. */
  readonly idleExpiresAt: number;
  /** When the user authenticated with credentials. */
  readonly authTime: number;
  readonly userAgent: string | null;
  readonly ip: string | null;
  readonly revokedAt: number | null;
  readonly revokedReason: string | null;
}

/** One refresh token of a session. Times are epoch milliseconds. */
export interface RefreshTokenRecord {
  /** UUID. */
  readonly id: string;
  readonly sessionId: string;
  readonly userId: string;
  /** SHA-256 hex of the token; unique. */
  readonly tokenHash: string;
  /** base64url nonce the token is derived from with the server secret. */
  readonly nonce: string;
  readonly parentId: string | null;
  /** The token this one was rotated into; set together with `spentAt`. */
  readonly successorId: string | null;
  readonly createdAt: number;
  /** When it was rotated; `null` while it is the session's current token. */
  readonly spentAt: number | null;
  readonly lastUsedAt: number | null;
  readonly expiresAt: number;
  readonly idleExpiresAt: number;
  readonly revokedAt: number | null;
  readonly revokedReason: string | null;
  readonly userAgent: string | null;
  readonly ip: string | null;
  readonly authTime: number;
}

/** A token with the session it belongs to: a token's validity is always judged with its session. */
export interface RefreshTokenWithSession {
  readonly token: RefreshTokenRecord;
  readonly session: RefreshSessionRecord;
}

/** Arguments of {@link RefreshTokenStore.rotate}. */
export interface RotateRefreshTokenCommand {
  /** The token being spent. */
  readonly parentId: string;
  readonly sessionId: string;
  /** Epoch milliseconds. */
  readonly now: number;
  /** The successor; its `idleExpiresAt`, `userAgent` and `ip` are copied to the session. */
  readonly child: RefreshTokenRecord;
}

/**
 * Persistence of refresh-token sessions. Every method is atomic on its own; the rules (expiry,
 * grace window, reuse detection) live in `RefreshSessions`, which needs nothing else.
 * Implementations: `TypeOrmRefreshTokenStore`, `MemoryRefreshTokenStore`; check a custom one
 * with `refreshTokenStoreContract` from `nest-hybrid-auth/testing`.
 *
 * Inputs: `RefreshSessions` passes only canonical lower-case UUIDs as ids, SHA-256 hex as
 * hashes, and user ids of 1 to 255 characters without NUL or lone surrogates. Every id, user id
 * and hash compares exactly, code unit for code unit: `alice`, `Alice` and `alice ` are three
 * users, whatever the database's default collation.
 */
export interface RefreshTokenStore {
  /** Inserts a new session and its first token, atomically. */
  createSession(session: RefreshSessionRecord, firstToken: RefreshTokenRecord): Promise<void>;
  /** The token with this SHA-256 hash and its session, or `null`. */
  findTokenByHash(tokenHash: string): Promise<RefreshTokenWithSession | null>;
  /** The token with this id and its session, or `null`. */
  findToken(tokenId: string): Promise<RefreshTokenWithSession | null>;
  /** The session with this id, revoked or not, or `null`. */
  findSession(sessionId: string): Promise<RefreshSessionRecord | null>;
  /**
   * Spends `parentId` and inserts `child`, in one transaction: first the session row is
   * updated where it is live and unrevoked (the lock that serialises against revocation), then
   * the parent is marked spent where it is unspent and unrevoked, then the child is inserted.
   * Returns `false`, having changed nothing, when either update matched no row.
   */
  rotate(command: RotateRefreshTokenCommand): Promise<boolean>;
  /**
   * Revokes the session and every token of it. Returns `false` when it was already revoked
   * or does not exist (idempotent).
   */
  revokeSession(sessionId: string, reason: SessionRevocationReason, now: number): Promise<boolean>;
  /**
   * Revokes every unrevoked session of the user except `exceptSessionId`, expired or not (an
   * instance whose clock is behind may still accept one); returns the revoked ids.
   */
  revokeUserSessions(
    userId: string,
    reason: SessionRevocationReason,
    now: number,
    exceptSessionId?: string,
  ): Promise<string[]>;
  /** The user's unrevoked, unexpired sessions, most recently used first. */
  listLiveSessions(userId: string, now: number): Promise<RefreshSessionRecord[]>;
  /**
   * Revokes the user's oldest live sessions until at most `max` remain, with reason
   * `session_limit`; returns the revoked ids. Oldest by `createdAt`, ties broken by id (the
   * smaller is older), the same total order for every caller, so concurrent logins keep the
   * newest `max` (see `sessionsBeyondCap`).
   */
  enforceSessionCap(userId: string, max: number, now: number): Promise<string[]>;
  /**
   * Deletes sessions (with all their tokens) that expired at or before `now`, or were revoked
   * at or before `revokedBefore`; returns the number of sessions deleted.
   */
  prune(now: number, revokedBefore: number): Promise<number>;
}

/** DI token of the {@link RefreshTokenStore} in use (same-name token, as in `@nestjs/throttler`). */
export const RefreshTokenStore = Symbol('RefreshTokenStore');
