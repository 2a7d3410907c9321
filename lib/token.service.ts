import {
  Inject,
  Injectable,
  Logger,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
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
import { RefreshSessions, type SessionInfo } from './refresh-token/refresh-sessions.js';
import { RevocationStore } from './revocation/revocation.store.js';

/** Where a token request comes from; stored with the session for `listSessions`. */
export interface RequestContext {
  readonly userAgent?: string | null;
  readonly ip?: string | null;
}

/**
 * Issues, refreshes, verifies and revokes tokens: the module's programmatic API.
 * Methods throw {@link AuthError} subclasses (render them with `AuthErrorFilter`), never HTTP exceptions.
 * A session revoked by any of them has its access tokens revoked too (by `sid`, through the
 * module's `SessionRevocationListener`).
 */
@Injectable()
export class TokenService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('AuthModule');
  private pruneTimer: NodeJS.Timeout | null = null;

  constructor(
    @Inject(AUTH_OPTIONS) private readonly options: ResolvedAuthOptions,
    @Inject(AUTH_KEY_RING) private readonly keyRing: KeyRing,
    private readonly authenticator: AccessTokenAuthenticator,
    @Inject(RevocationStore) private readonly revocations: RevocationStore,
    @Inject(AUTH_CLOCK) private readonly clock: Clock,
    @Inject(RefreshSessions) private readonly sessions: RefreshSessions | null,
  ) {}

  /** Connects the revocation store and starts scheduled pruning. */
  async onModuleInit(): Promise<void> {
    await this.revocations.init?.({
      clock: this.clock,
      accessTokenTtl: this.options.accessTokenTtl,
      clockTolerance: this.options.clockTolerance,
    });
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
    const rotated = await sessions.rotate(
      refreshToken,
      { userAgent: context.userAgent ?? null, ip: context.ip ?? null },
      // Everything that can fail runs here, before the rotation is written: a failed user
      // lookup or claims hook leaves the presented token unspent, so the client's retry is
      // an ordinary refresh rather than a reuse that revokes the session.
      // A rejected user's session is revoked, and its access tokens with it.
      async (session) => {
        const user = await resolveUser(session.userId);
        if (user === null || user === undefined) throw new UserRejectedError();
        return { user, claims: await this.options.claims(user) };
      },
    );
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
    await this.requireSessions().revokeByToken(refreshToken);
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
    await this.requireSessions().revokeSession(userId, sessionId);
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
    await this.requireSessions().revokeAll(userId, options);
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

  private get toleranceMs(): number {
    return this.options.clockTolerance * 1000;
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
