import { randomUUID } from 'node:crypto';
import {
  RefreshTokenInvalidError,
  RefreshTokenReuseError,
  SessionNotFoundError,
  UserRejectedError,
} from '../auth.errors.js';
import type { Clock } from '../clock.js';
import type { RefreshTokenReuseEvent } from './refresh-token-reuse.event.js';
import {
  deriveRefreshToken,
  hashRefreshToken,
  isWellFormedRefreshToken,
  mintRefreshToken,
} from './refresh-token-secret.js';
import type {
  RefreshSessionRecord,
  RefreshTokenRecord,
  RefreshTokenStore,
  RefreshTokenWithSession,
  SessionRevocationReason,
} from './refresh-token.store.js';
import { isSessionId, isStorableUserId, storableText } from './session-input.js';
import { isSessionLive } from './session-liveness.js';

/** Who is refreshing: stored with the session for the session list and reuse events. */
export interface RefreshContext {
  /** `User-Agent` of the request; truncated to 512 characters. */
  readonly userAgent?: string | null;
  /** Client address of the request. */
  readonly ip?: string | null;
}

/** Context of a login. */
export interface OpenSessionContext extends RefreshContext {
  /**
   * When the user authenticated with credentials, epoch milliseconds.
   * @default now
   */
  readonly authTime?: number;
}

/** A session as shown to its user ("your devices"). */
export interface SessionInfo {
  /** The session id, the `sid` claim of its access tokens. */
  readonly id: string;
  readonly createdAt: Date;
  readonly lastUsedAt: Date;
  /** When it ends unless used again: the earlier of idle and absolute expiry. */
  readonly expiresAt: Date;
  readonly userAgent: string | null;
  readonly ip: string | null;
}

/** What {@link RefreshSessions.open} returns. */
export interface OpenedRefreshSession {
  /** The opaque refresh token for the client. */
  readonly refreshToken: string;
  readonly session: RefreshSessionRecord;
  /** When `refreshToken` expires unless used, epoch milliseconds (earlier of idle and absolute expiry). */
  readonly expiresAt: number;
  /**
   * Sessions of the user that opening this one revoked under `maxSessionsPerUser`, also
   * reported to {@link RefreshSessionsListener.onSessionsRevoked} before `open` returns. Holds
   * this session's own id when more logins of the user than the cap ran at once and newer ones
   * outrank it: the newest `maxSessionsPerUser` survive, whichever login is being answered.
   */
  readonly revokedSessionIds: readonly string[];
}

/** What {@link RefreshSessions.rotate} returns. */
export interface RotatedRefreshSession<T> extends Omit<OpenedRefreshSession, 'revokedSessionIds'> {
  /**
   * `true` when the presented token had just been spent and its still-unused successor was
   * sent again (grace window), rather than a new one minted.
   */
  readonly replayed: boolean;
  /** What the `authorize` callback returned. */
  readonly authorized: T;
}

/** The session rules' settings, in seconds; built by the module from its resolved `refresh` options. */
export interface RefreshSessionsConfig {
  /** Absolute lifetime of a session. */
  readonly ttl: number;
  /** A session ends when not used for this long. */
  readonly idleTtl: number;
  /** How long a spent token may be presented again for the same successor; `0`: never. */
  readonly reuseGracePeriod: number;
  /** Live sessions kept per user; `0`: no limit. */
  readonly maxSessionsPerUser: number;
  /** The MAC key refresh tokens are derived from (at least 32 bytes; see `deriveRefreshSecret`). */
  readonly secret: Uint8Array;
  /** Revoked sessions are kept this long before {@link RefreshSessions.prune} deletes them. */
  readonly pruneRevokedAfter: number;
}

/** Sessions that one call revoked, as reported to {@link RefreshSessionsListener.onSessionsRevoked}. */
export interface RevokedSessions {
  /** The session ids, i.e. the `sid` claims of their access tokens. */
  readonly sessionIds: readonly string[];
  readonly reason: SessionRevocationReason;
}

/**
 * Who is told what {@link RefreshSessions} did. Every revocation, whatever its cause (logout,
 * revocation by id, log out everywhere, `maxSessionsPerUser`, a rejected user, reuse), is
 * reported through `onSessionsRevoked`, awaited before the call returns or throws: the one
 * place where the sessions' access tokens are revoked too.
 */
export interface RefreshSessionsListener {
  /** Called, and awaited, after sessions were revoked. Should not throw: the sessions stay revoked. */
  onSessionsRevoked?(revoked: RevokedSessions): void | Promise<void>;
  /** Called, and awaited, after a reused token has had its session revoked (and reported). */
  onReuse?(event: RefreshTokenReuseEvent): void | Promise<void>;
}

const MAX_USER_AGENT = 512;
const MAX_IP = 64;

/**
 * The refresh-token session rules, independent of Nest and of the store: opening sessions,
 * rotation on every use with a grace window for racing clients, reuse detection that revokes
 * the whole family (RFC 9700 section 4.14.2), idle and absolute expiry, revocation and listing.
 * Every session it revokes, whatever the cause, is reported to
 * {@link RefreshSessionsListener.onSessionsRevoked} before the call returns or throws.
 */
export class RefreshSessions {
  private readonly secret: Uint8Array;

  /**
   * @param store where sessions live
   * @param options the session rules' settings; `secret` already resolved to bytes
   * @param clock time source
   * @param listener told of every revocation and of reuse
   * @throws {TypeError} when `options.secret` is not a byte array
   */
  constructor(
    private readonly store: RefreshTokenStore,
    private readonly options: RefreshSessionsConfig,
    private readonly clock: Clock,
    private readonly listener: RefreshSessionsListener = {},
  ) {
    if (!((options.secret as unknown) instanceof Uint8Array)) {
      throw new TypeError(
        'RefreshSessions needs options.secret resolved to bytes (see deriveRefreshSecret)',
      );
    }
    this.secret = options.secret;
  }

  /**
   * Starts a new session (a login) and returns its first refresh token. With
   * `maxSessionsPerUser`, the user's oldest sessions beyond the cap are revoked and their ids
   * returned as `revokedSessionIds`.
   *
   * @example
   * const { refreshToken, session } = await sessions.open(String(user.id), { userAgent, ip });
   */
  async open(userId: string, context: OpenSessionContext = {}): Promise<OpenedRefreshSession> {
    if (!isStorableUserId(userId)) {
      throw new TypeError(
        'RefreshSessions.open: the user id must be a string of 1 to 255 characters, without NUL or lone surrogates',
      );
    }
    const now = this.clock.now();
    const expiresAt = now + this.options.ttl * 1000;
    const idleExpiresAt = Math.min(now + this.options.idleTtl * 1000, expiresAt);
    const cap = this.options.maxSessionsPerUser;
    const session: RefreshSessionRecord = {
      id: randomUUID(),
      userId,
      createdAt: cap > 0 ? await this.creationTime(userId, now) : now,
      lastUsedAt: now,
      expiresAt,
      idleExpiresAt,
      authTime: context.authTime ?? now,
      userAgent: storableText(context.userAgent, MAX_USER_AGENT),
      ip: storableText(context.ip, MAX_IP),
      revokedAt: null,
      revokedReason: null,
    };
    const minted = mintRefreshToken(this.secret);
    await this.store.createSession(
      session,
      this.tokenRecord(session, minted, null, now, idleExpiresAt),
    );
    const revokedSessionIds = cap > 0 ? await this.store.enforceSessionCap(userId, cap, now) : [];
    await this.revoked(revokedSessionIds, 'session_limit');
    return { refreshToken: minted.token, session, expiresAt: idleExpiresAt, revokedSessionIds };
  }

  /**
   * Redeems a refresh token for its successor. `authorize` (typically: re-read the user) runs
   * before any state changes; if it throws {@link UserRejectedError} the session is revoked.
   *
   * @example
   * const { refreshToken, authorized: user } = await sessions.rotate(token, { ip }, async (s) => {
   *   const user = await users.find(s.userId);
   *   if (!user) throw new UserRejectedError();
   *   return user;
   * });
   * @throws {RefreshTokenInvalidError} unknown, malformed, expired or revoked token
   * @throws {RefreshTokenReuseError} a spent token outside the grace window; the session is revoked
   * @throws {UserRejectedError} rethrown from `authorize`, after revoking the session
   */
  async rotate<T>(
    token: string,
    context: RefreshContext,
    authorize: (session: RefreshSessionRecord) => Promise<T>,
  ): Promise<RotatedRefreshSession<T>> {
    if (!isWellFormedRefreshToken(token)) throw new RefreshTokenInvalidError();
    const tokenHash = hashRefreshToken(token);
    const found = await this.store.findTokenByHash(tokenHash);
    const now = this.clock.now();
    const { token: parent, session } = this.requireUsable(found, now);

    if (parent.spentAt !== null)
      return this.redeemSpent(parent, session, context, now, authorize, undefined);

    const authorized = await this.authorize(session, now, authorize);
    // Written only now that everything that can fail has run: a refresh that failed leaves the
    // presented token unspent, and its retry is no reuse.
    const idleExpiresAt = Math.min(now + this.options.idleTtl * 1000, session.expiresAt);
    const minted = mintRefreshToken(this.secret);
    const child = this.tokenRecord(
      {
        ...session,
        userAgent: storableText(context.userAgent, MAX_USER_AGENT) ?? session.userAgent,
        ip: storableText(context.ip, MAX_IP) ?? session.ip,
      },
      minted,
      parent.id,
      now,
      idleExpiresAt,
    );
    if (await this.store.rotate({ parentId: parent.id, sessionId: session.id, now, child })) {
      return {
        refreshToken: minted.token,
        session: {
          ...session,
          lastUsedAt: now,
          idleExpiresAt,
          userAgent: child.userAgent,
          ip: child.ip,
        },
        expiresAt: idleExpiresAt,
        replayed: false,
        authorized,
      };
    }
    // Lost the race (a concurrent rotation or a revocation won): judge again from fresh state,
    // read after the failed transaction ended, so that concurrent refreshes within the grace
    // window all receive the successor the winner created.
    const later = this.clock.now();
    const fresh = this.requireUsable(await this.store.findTokenByHash(tokenHash), later);
    if (fresh.token.spentAt === null) throw new RefreshTokenInvalidError();
    return this.redeemSpent(fresh.token, fresh.session, context, later, authorize, { authorized });
  }

  /**
   * Logout: revokes the session of the presented refresh token (spent or current). Unknown or
   * malformed tokens are ignored, so logout is idempotent and reveals nothing.
   *
   * @returns the session that was (or already had been) revoked, or `null`
   */
  async revokeByToken(token: string): Promise<RefreshSessionRecord | null> {
    if (!isWellFormedRefreshToken(token)) return null;
    const found = await this.store.findTokenByHash(hashRefreshToken(token));
    if (!found) return null;
    const now = this.clock.now();
    // An already revoked session is reported again: its access tokens are revoked up to now.
    if (found.session.revokedAt !== null) {
      await this.revoked([found.session.id], 'logout');
      return found.session;
    }
    await this.store.revokeSession(found.session.id, 'logout', now);
    await this.revoked([found.session.id], 'logout');
    return { ...found.session, revokedAt: now, revokedReason: 'logout' };
  }

  /**
   * Revokes one session of the user (e.g. from a "your devices" list). A session this
   * instance's clock considers expired is revoked too: another instance, whose clock is
   * behind, may still accept it.
   *
   * @returns the id of the revoked session, as stored (its `sid` claim)
   * @throws {SessionNotFoundError} when the id is not a session id, or names a session that is
   *   unknown, not the user's or already revoked
   */
  async revokeSession(userId: string, sessionId: string): Promise<string> {
    // Ids come from route params and bodies: what cannot be a session id names none, and must
    // not reach the driver (a NUL byte is a PostgreSQL error, 22021).
    if (!isStorableUserId(userId) || !isSessionId(sessionId)) throw new SessionNotFoundError();
    const session = await this.store.findSession(sessionId);
    if (!session || session.id !== sessionId || session.userId !== userId)
      throw new SessionNotFoundError();
    if (!(await this.store.revokeSession(session.id, 'revoked', this.clock.now())))
      throw new SessionNotFoundError();
    await this.revoked([session.id], 'revoked');
    return session.id;
  }

  /**
   * Revokes every unrevoked session of the user ("log out everywhere"), optionally keeping the
   * current one; expired ones too, since an instance whose clock is behind may still accept
   * them. An `exceptSessionId` that is not a session id excepts nothing.
   *
   * @returns the ids of the revoked sessions (to revoke their access tokens by `sid`)
   */
  async revokeAll(userId: string, options: { exceptSessionId?: string } = {}): Promise<string[]> {
    if (!isStorableUserId(userId)) return [];
    const except = isSessionId(options.exceptSessionId) ? options.exceptSessionId : undefined;
    const revoked = await this.store.revokeUserSessions(
      userId,
      'revoked_all',
      this.clock.now(),
      except,
    );
    await this.revoked(revoked, 'revoked_all');
    return revoked;
  }

  /** The user's live sessions, most recently used first. */
  async listSessions(userId: string): Promise<SessionInfo[]> {
    if (!isStorableUserId(userId)) return [];
    const sessions = await this.store.listLiveSessions(userId, this.clock.now());
    return sessions.map((session) => ({
      id: session.id,
      createdAt: new Date(session.createdAt),
      lastUsedAt: new Date(session.lastUsedAt),
      expiresAt: new Date(Math.min(session.idleExpiresAt, session.expiresAt)),
      userAgent: session.userAgent,
      ip: session.ip,
    }));
  }

  /**
   * Deletes expired sessions and sessions revoked more than `pruneRevokedAfter` ago, with
   * their tokens.
   *
   * @returns the number of sessions deleted
   */
  async prune(): Promise<number> {
    const now = this.clock.now();
    return this.store.prune(now, now - this.options.pruneRevokedAfter * 1000);
  }

  /** A spent token: the grace-window replay of its live successor, or theft. */
  private async redeemSpent<T>(
    parent: RefreshTokenRecord,
    session: RefreshSessionRecord,
    context: RefreshContext,
    now: number,
    authorize: (session: RefreshSessionRecord) => Promise<T>,
    already: { authorized: T } | undefined,
  ): Promise<RotatedRefreshSession<T>> {
    const successor = await this.replayableSuccessor(parent, now);
    if (!successor) return this.reuseDetected(parent, session, context, now);
    // Same MAC key as when it was minted, unless the secret changed since: then it cannot be
    // re-sent, and refusing is safer than handing out a token that matches no row.
    const refreshToken = deriveRefreshToken(this.secret, successor.nonce);
    if (hashRefreshToken(refreshToken) !== successor.tokenHash)
      throw new RefreshTokenInvalidError();
    const authorized = already ? already.authorized : await this.authorize(session, now, authorize);
    // Judged again after `authorize` (which awaits the app): a logout or a rotation of the
    // successor that ran meanwhile must not be answered with a pair of the ended session.
    if ((await this.replayableSuccessor(parent, now))?.id !== successor.id)
      throw new RefreshTokenInvalidError();
    const expiresAt = Math.min(successor.idleExpiresAt, session.expiresAt);
    return { refreshToken, session, expiresAt, replayed: true, authorized };
  }

  /**
   * The successor that may be re-sent: the presented token was spent at most
   * `reuseGracePeriod` seconds ago, and its successor is itself still unspent and unrevoked.
   * Only the immediate parent qualifies (Auth0: "only the previous token can be reused").
   */
  private async replayableSuccessor(
    parent: RefreshTokenRecord,
    now: number,
  ): Promise<RefreshTokenRecord | null> {
    const grace = this.options.reuseGracePeriod * 1000;
    if (grace <= 0 || parent.spentAt === null || parent.successorId === null) return null;
    if (now - parent.spentAt > grace) return null;
    const found = await this.store.findToken(parent.successorId);
    if (!found || found.token.spentAt !== null || found.token.revokedAt !== null) return null;
    return found.session.revokedAt === null ? found.token : null;
  }

  private async reuseDetected(
    token: RefreshTokenRecord,
    session: RefreshSessionRecord,
    context: RefreshContext,
    now: number,
  ): Promise<never> {
    const revokedHere = await this.store.revokeSession(session.id, 'reuse_detected', now);
    // Concurrent replays may all detect the reuse; only the one that revoked reports it.
    if (!revokedHere) throw new RefreshTokenInvalidError();
    await this.revoked([session.id], 'reuse_detected');
    try {
      await this.listener.onReuse?.({
        sessionId: session.id,
        userId: session.userId,
        tokenId: token.id,
        detectedAt: new Date(now),
        ip: storableText(context.ip, MAX_IP),
        userAgent: storableText(context.userAgent, MAX_USER_AGENT),
      });
    } catch (hookError) {
      // The session is revoked either way; the caller still learns of the reuse, with the cause.
      throw new RefreshTokenReuseError(session.id, session.userId, { cause: hookError });
    }
    throw new RefreshTokenReuseError(session.id, session.userId);
  }

  private async authorize<T>(
    session: RefreshSessionRecord,
    now: number,
    authorize: (session: RefreshSessionRecord) => Promise<T>,
  ): Promise<T> {
    try {
      return await authorize(session);
    } catch (error) {
      if (error instanceof UserRejectedError) {
        await this.store.revokeSession(session.id, 'user_rejected', now);
        // Reported even when a concurrent call revoked it first: a disabled user's access
        // tokens must not outlive this refresh.
        await this.revoked([session.id], 'user_rejected');
      }
      throw error;
    }
  }

  private async revoked(sessionIds: readonly string[], reason: SessionRevocationReason) {
    if (sessionIds.length > 0)
      await this.listener.onSessionsRevoked?.({ sessionIds: [...sessionIds], reason });
  }

  /**
   * `createdAt` of a new session under `maxSessionsPerUser`: after every live session of the
   * user, so that the cap, which keeps the newest by (`createdAt`, id), never revokes the login
   * it answers because of a tie within one millisecond or an instance whose clock is behind.
   * Logins racing each other may still tie; the id then decides, the same way for every caller.
   */
  private async creationTime(userId: string, now: number): Promise<number> {
    const live = await this.store.listLiveSessions(userId, now);
    return live.reduce((latest, session) => Math.max(latest, session.createdAt + 1), now);
  }

  private requireUsable(
    found: RefreshTokenWithSession | null,
    now: number,
  ): RefreshTokenWithSession {
    if (!found || found.token.revokedAt !== null || !isSessionLive(found.session, now)) {
      throw new RefreshTokenInvalidError();
    }
    return found;
  }

  private tokenRecord(
    session: RefreshSessionRecord,
    minted: { nonce: string; hash: string },
    parentId: string | null,
    now: number,
    idleExpiresAt: number,
  ): RefreshTokenRecord {
    return {
      id: randomUUID(),
      sessionId: session.id,
      userId: session.userId,
      tokenHash: minted.hash,
      nonce: minted.nonce,
      parentId,
      successorId: null,
      createdAt: now,
      spentAt: null,
      lastUsedAt: null,
      expiresAt: session.expiresAt,
      idleExpiresAt,
      revokedAt: null,
      revokedReason: null,
      userAgent: session.userAgent,
      ip: session.ip,
      authTime: session.authTime,
    };
  }
}
