import {
  Inject,
  Injectable,
  Logger,
  Optional,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { JWK } from 'jose';
import type {
  AccessTokenClaims,
  AuthSubject,
  CustomClaims,
  TokenPair,
} from './access-token/access-token-claims.js';
import { AccessTokenAuthenticator } from './access-token/access-token-authenticator.js';
import type { KeyRing } from './keys/key-ring.js';
import { signAccessToken } from './access-token/sign-access-token.js';
import { AUTH_KEY_RING, AUTH_OPTIONS } from './auth.constants.js';
import {
  RefreshNotConfiguredError,
  SigningNotConfiguredError,
  UserRejectedError,
} from './auth.errors.js';
import { AUTH_CLOCK, type Clock } from './clock.js';
import type { ResolvedAuthOptions } from './options/auth-module-options.js';
import { createRefreshSessions } from './refresh-token/create-refresh-sessions.js';
import type { RefreshSessions, SessionInfo } from './refresh-token/refresh-sessions.js';
import {
  REFRESH_TOKEN_REUSED_EVENT,
  type RefreshTokenReuseEvent,
} from './refresh-token/refresh-token-reuse.event.js';
import { RevocationStore } from './revocation/revocation.store.js';
import { sessionRevocation } from './revocation/session-revocation.js';

/** Where a token request comes from; stored with the session for `listSessions`. */
export interface RequestContext {
  readonly userAgent?: string | null;
  readonly ip?: string | null;
}

interface EventEmitterLike {
  emit(event: string, payload: unknown): unknown;
}

/**
 * Issues, refreshes, verifies and revokes tokens: the module's programmatic API.
 * Methods throw {@link AuthError} subclasses (render them with `AuthErrorFilter`), never HTTP exceptions.
 */
@Injectable()
export class TokenService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('AuthModule');
  private events: EventEmitterLike | null = null;
  private pruneTimer: NodeJS.Timeout | null = null;
  private readonly sessions: RefreshSessions | null;

  constructor(
    @Inject(AUTH_OPTIONS) private readonly options: ResolvedAuthOptions,
    @Inject(AUTH_KEY_RING) private readonly keyRing: KeyRing,
    private readonly authenticator: AccessTokenAuthenticator,
    @Inject(RevocationStore) private readonly revocations: RevocationStore,
    @Inject(AUTH_CLOCK) private readonly clock: Clock,
    @Optional() private readonly moduleRef?: ModuleRef,
  ) {
    this.sessions = createRefreshSessions(options, keyRing, clock, (event) =>
      this.handleReuse(event),
    );
  }

  /** Connects the revocation store, finds the optional event emitter, starts scheduled pruning. */
  async onModuleInit(): Promise<void> {
    await this.revocations.init?.({
      clock: this.clock,
      accessTokenTtl: this.options.accessTokenTtl,
      clockTolerance: this.options.clockTolerance,
    });
    this.events = await this.findEventEmitter();
    const interval = this.options.refresh?.pruneInterval;
    if (this.sessions !== null && interval) {
      this.pruneTimer = setInterval(() => {
        this.prune().catch((error: unknown) =>
          this.logger.error(`Pruning failed: ${describe(error)}`),
        );
      }, interval * 1000);
      this.pruneTimer.unref();
    }
  }

  /** Stops scheduled pruning and closes the revocation store's connections. */
  async onModuleDestroy(): Promise<void> {
    if (this.pruneTimer !== null) clearInterval(this.pruneTimer);
    await this.revocations.close?.();
  }

  /**
   * Signs in `user`: opens a refresh-token session and returns a token pair.
   *
   * @example
   * ```ts
   * const pair = await tokens.issueTokens(user, { userAgent: req.headers['user-agent'], ip: req.ip });
   * ```
   * @throws SigningNotConfiguredError when the module verifies only.
   * @throws RefreshNotConfiguredError when the `refresh` option is off.
   */
  async issueTokens(user: AuthSubject, context: RequestContext = {}): Promise<TokenPair> {
    const sessions = this.requireSessions();
    if (this.keyRing.signer === null) throw new SigningNotConfiguredError();
    // The app's claims hook runs before the session opens: if it throws, no session is left
    // behind that no client holds a token for.
    const claims = await this.options.claims(user);
    const nowMs = this.clock.now();
    const opened = await sessions.open(String(user.id), {
      userAgent: context.userAgent ?? null,
      ip: context.ip ?? null,
      authTime: nowMs,
    });
    await this.revokeAccessTokensOfSessions(opened.revokedSessionIds);
    const access = await this.sign(user, claims, {
      sessionId: opened.session.id,
      authTime: toSeconds(opened.session.authTime),
    });
    return this.pair(access, opened.refreshToken, opened.expiresAt, nowMs);
  }

  /**
   * Rotates a refresh token: the presented token is spent and a new pair returned. Within the
   * grace window a just-spent token yields the same successor; after it, the whole session is
   * revoked as stolen. The user is re-read with `refresh.resolveUser`, so role changes apply.
   *
   * @example
   * ```ts
   * const pair = await tokens.refresh(body.refreshToken, { ip: req.ip });
   * ```
   * @throws RefreshTokenInvalidError, RefreshTokenReuseError, UserRejectedError
   */
  async refresh(refreshToken: string, context: RequestContext = {}): Promise<TokenPair> {
    const sessions = this.requireSessions();
    const resolveUser = this.options.refresh!.resolveUser;
    let judged: string | null = null;
    const rotated = await sessions
      .rotate(
        refreshToken,
        { userAgent: context.userAgent ?? null, ip: context.ip ?? null },
        // Everything that can fail runs here, before the rotation is written: a failed user
        // lookup or claims hook leaves the presented token unspent, so the client's retry is
        // an ordinary refresh rather than a reuse that revokes the session.
        async (session) => {
          judged = session.id;
          const user = await resolveUser(session.userId);
          if (user === null || user === undefined) throw new UserRejectedError();
          return { user, claims: await this.options.claims(user) };
        },
      )
      .catch(async (error: unknown) => {
        // RefreshSessions has revoked the session; its access tokens must die with it, or a
        // disabled user keeps access until they expire.
        if (error instanceof UserRejectedError && judged !== null) {
          await this.revokeAccessTokensOfSessions([judged]);
        }
        throw error;
      });
    if (this.keyRing.signer === null) throw new SigningNotConfiguredError();
    const access = await this.sign(rotated.authorized.user, rotated.authorized.claims, {
      sessionId: rotated.session.id,
      authTime: toSeconds(rotated.session.authTime),
    });
    return this.pair(access, rotated.refreshToken, rotated.expiresAt, this.clock.now());
  }

  /**
   * Signs an access token alone, e.g. for a service that keeps no refresh sessions.
   *
   * @example
   * ```ts
   * const { token } = await tokens.issueAccessToken({ id: 'svc-42', roles: ['worker'] });
   * ```
   * @returns the token with its `iat` (`issuedAt`) and `exp` (`expiresAt`), in seconds since the epoch
   * @throws SigningNotConfiguredError in verify-only mode.
   */
  async issueAccessToken(
    user: AuthSubject,
    session: { sessionId?: string; authTime?: number } = {},
  ): Promise<{ token: string; issuedAt: number; expiresAt: number }> {
    if (this.keyRing.signer === null) throw new SigningNotConfiguredError();
    return this.sign(user, await this.options.claims(user), session);
  }

  private async sign(
    user: AuthSubject,
    claims: CustomClaims,
    session: { sessionId?: string; authTime?: number },
  ): Promise<{ token: string; issuedAt: number; expiresAt: number }> {
    const signed = await signAccessToken(
      this.keyRing,
      { sub: String(user.id), sid: session.sessionId, authTime: session.authTime, claims },
      {
        issuer: this.options.issuer,
        audience: this.options.audience,
        ttl: this.options.accessTokenTtl,
        nowMs: this.clock.now(),
      },
    );
    return { token: signed.token, issuedAt: signed.issuedAt, expiresAt: signed.expiresAt };
  }

  /**
   * Verifies an access token (signature, algorithm, type, every claim) and checks revocation.
   *
   * @example
   * ```ts
   * const claims = await tokens.verifyAccessToken(token);
   * ```
   * @throws AccessTokenInvalidError, AccessTokenExpiredError, AccessTokenRevokedError
   */
  async verifyAccessToken(token: string): Promise<AccessTokenClaims> {
    return this.authenticator.authenticate(token);
  }

  /**
   * Logs out the session a refresh token belongs to, and its live access tokens. An unknown
   * token is not an error: logout reveals nothing.
   *
   * @example
   * ```ts
   * await tokens.logout(body.refreshToken);
   * ```
   * @throws SigningNotConfiguredError when refresh tokens are off.
   */
  async logout(refreshToken: string): Promise<void> {
    const session = await this.requireSessions().revokeByToken(refreshToken);
    if (session !== null) await this.revokeAccessTokensOfSessions([session.id]);
  }

  /**
   * Revokes one session of a user and its live access tokens.
   *
   * @example
   * ```ts
   * await tokens.revokeSession(user.sub, params.id);
   * ```
   * @throws SessionNotFoundError when no live session with that id belongs to the user.
   */
  async revokeSession(userId: string, sessionId: string): Promise<void> {
    // The id as stored is the `sid` its access tokens carry.
    const revoked = await this.requireSessions().revokeSession(userId, sessionId);
    await this.revokeAccessTokensOfSessions([revoked]);
  }

  /**
   * Revokes every session of a user (optionally all but one) and their live access tokens.
   *
   * @example
   * ```ts
   * await tokens.revokeAllSessions(user.sub, { exceptSessionId: user.sid });
   * ```
   * @throws SigningNotConfiguredError when refresh tokens are off.
   */
  async revokeAllSessions(
    userId: string,
    options: { exceptSessionId?: string } = {},
  ): Promise<void> {
    const revoked = await this.requireSessions().revokeAll(userId, options);
    await this.revokeAccessTokensOfSessions(revoked);
  }

  /**
   * The user's live sessions, most recently used first.
   *
   * @example
   * ```ts
   * const sessions = await tokens.listSessions(user.sub);
   * ```
   * @throws SigningNotConfiguredError when refresh tokens are off.
   */
  async listSessions(userId: string): Promise<SessionInfo[]> {
    return this.requireSessions().listSessions(userId);
  }

  /**
   * Revokes one access token, by its `jti`, until it expires.
   *
   * @example
   * ```ts
   * await tokens.revokeAccessToken(claims);
   * ```
   */
  async revokeAccessToken(claims: Pick<AccessTokenClaims, 'jti' | 'exp'>): Promise<void> {
    await this.revocations.revoke({
      kind: 'token',
      id: claims.jti,
      expiresAt: claims.exp * 1000 + this.toleranceMs,
    });
  }

  /**
   * Deletes expired and long-revoked refresh-token rows; returns how many.
   *
   * @example
   * ```ts
   * const deleted = await tokens.prune();
   * ```
   * @throws SigningNotConfiguredError when refresh tokens are off.
   */
  async prune(): Promise<number> {
    return this.requireSessions().prune();
  }

  /**
   * The public keys as a JWK Set, for `/.well-known/jwks.json`.
   *
   * @example
   * ```ts
   * const jwks = tokens.getJwks();
   * ```
   */
  getJwks(): { readonly keys: readonly JWK[] } {
    return this.keyRing.jwks;
  }

  /** Called by the refresh-session manager when a spent token is reused after the grace window. */
  private async handleReuse(event: RefreshTokenReuseEvent): Promise<void> {
    // K02: a security event, logged with ids only (never the token).
    this.logger.warn(
      `Refresh token reuse detected: session ${event.sessionId} of user ${event.userId} revoked`,
    );
    // Never throws (a store failure is logged), so the event and the hook always follow.
    await this.revokeAccessTokensOfSessions([event.sessionId]);
    this.events?.emit(REFRESH_TOKEN_REUSED_EVENT, event);
    await this.options.refresh?.onReuseDetected?.(event);
  }

  private get toleranceMs(): number {
    return this.options.clockTolerance * 1000;
  }

  /**
   * Deny-lists the access tokens of sessions already revoked in the database. Never throws: the
   * session is revoked either way, so logout, logout-all and reuse detection succeed for the
   * client; a store that rejects is logged (stores should keep and retry, as Redis's does).
   */
  private async revokeAccessTokensOfSessions(sessionIds: readonly string[]): Promise<void> {
    const nowMs = this.clock.now();
    for (const id of sessionIds) {
      try {
        await this.revocations.revoke(sessionRevocation(id, nowMs, this.options));
      } catch (error) {
        this.logger.error(`Revoking the access tokens of session ${id} failed: ${describe(error)}`);
      }
    }
  }

  private requireSessions(): RefreshSessions {
    if (this.sessions === null) {
      throw this.keyRing.signer === null
        ? new SigningNotConfiguredError()
        : new RefreshNotConfiguredError();
    }
    return this.sessions;
  }

  private pair(
    access: { token: string; issuedAt: number; expiresAt: number },
    refreshToken: string,
    refreshExpiresAt: number,
    nowMs: number,
  ): TokenPair {
    return {
      accessToken: access.token,
      tokenType: 'Bearer',
      expiresIn: access.expiresAt - access.issuedAt,
      refreshToken,
      refreshExpiresIn: Math.max(0, Math.floor((refreshExpiresAt - nowMs) / 1000)),
    };
  }

  private async findEventEmitter(): Promise<EventEmitterLike | null> {
    if (this.moduleRef === undefined) return null;
    try {
      // @nestjs/event-emitter is an optional peer: use its emitter when the app registered it.
      const { EventEmitter2 } = await import('@nestjs/event-emitter');
      return this.moduleRef.get<EventEmitterLike>(EventEmitter2, { strict: false });
    } catch {
      return null;
    }
  }
}

function toSeconds(value: number | Date): number {
  const ms = value instanceof Date ? value.getTime() : value;
  return Math.floor(ms / 1000);
}

function describe(error: unknown): string {
  return error instanceof Error
    ? `${error.name}${'code' in error ? ` (${String(error.code)})` : ''}`
    : 'unknown error';
}
