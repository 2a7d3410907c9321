import { firstToken } from '../guards/first-token.js';
import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import type { AccessTokenClaims } from '../access-token/access-token-claims.js';
import { AUTH_OPTIONS } from '../auth.constants.js';
import { AccessTokenMissingError, AccessTokenRevokedError } from '../auth.errors.js';
import { AUTH_CLOCK, type Clock } from '../clock.js';
import { socketCarrier } from '../guards/get-request.js';
import { authErrorToHttp } from '../http/auth-error-to-http.js';
import { authWsErrorPayload, type AuthWsErrorPayload } from '../http/auth-ws-exception.js';
import type { ResolvedAuthOptions, TokenCarrier } from '../options/auth-module-options.js';
import { RevocationStore } from '../revocation/revocation.store.js';
import { TokenService } from '../token.service.js';

/** The parts of a socket.io `Socket` the authenticator uses. */
export interface AuthenticatableSocket {
  readonly handshake: TokenCarrier & { auth?: unknown };
  emit(event: string, ...args: unknown[]): unknown;
  disconnect(close?: boolean): unknown;
  once(event: 'disconnect', listener: () => void): unknown;
}

/** The error a refused connection passes to socket.io: the client's `connect_error`. */
export type SocketAuthError = Error & { data: AuthWsErrorPayload };

/**
 * Authenticates socket.io connections with the module's verification path: the handshake's
 * `auth.token` (what browsers send) or its `Authorization: Bearer` header. A refused
 * connection reaches the client as `connect_error` with `message` and `data`
 * (`{ statusCode, code, message }`). An accepted one is watched: when its session, token or
 * user is revoked, it gets an `exception` event and is closed. Messages are checked one by one
 * by `AccessTokenGuard` (expiry and revocation), so a connection never outlives its rights.
 *
 * @example
 * ```ts
 * @WebSocketGateway()
 * export class EventsGateway implements OnGatewayInit {
 *   constructor(private readonly sockets: SocketAuthenticator) {}
 *   afterInit(server: Server) {
 *     server.use(this.sockets.middleware());
 *   }
 * }
 * ```
 */
@Injectable()
export class SocketAuthenticator implements OnModuleDestroy {
  /** How often open connections are checked against the revocation store, in milliseconds. */
  protected readonly recheckInterval: number = 250;
  private readonly logger = new Logger('AuthModule');
  private readonly watched = new Map<AuthenticatableSocket, AccessTokenClaims>();
  private stopListening: (() => void) | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    protected readonly tokens: TokenService,
    @Inject(AUTH_OPTIONS) protected readonly options: ResolvedAuthOptions,
    @Inject(RevocationStore) protected readonly revocations: RevocationStore,
    @Inject(AUTH_CLOCK) protected readonly clock: Clock,
  ) {}

  /**
   * Verifies the token of the socket's handshake.
   *
   * @example
   * ```ts
   * const claims = await sockets.authenticate(client);
   * ```
   * @throws AccessTokenMissingError, AccessTokenInvalidError, AccessTokenExpiredError, AccessTokenRevokedError
   */
  async authenticate(socket: AuthenticatableSocket): Promise<AccessTokenClaims> {
    const token = this.extractToken(socket);
    if (token === null) throw new AccessTokenMissingError();
    return this.tokens.verifyAccessToken(token);
  }

  /**
   * A socket.io middleware (`server.use(...)`) that accepts only authenticated connections
   * and watches them for revocation.
   *
   * @example
   * ```ts
   * afterInit(server: Server) { server.use(this.sockets.middleware()); }
   * ```
   */
  middleware(): (socket: AuthenticatableSocket, next: (error?: Error) => void) => void {
    return (socket, next) => {
      this.authenticate(socket).then(
        (claims) => {
          this.watch(socket, claims);
          next();
        },
        (error: unknown) => {
          const refusal = toSocketAuthError(error);
          // A failure that is not the client's (a revocation store that throws...) is logged
          // by name and code only: the handshake carries the token.
          if (refusal.data.statusCode >= 500)
            this.logger.error(`Socket authentication failed: ${describe(error)}`);
          next(refusal);
        },
      );
    };
  }

  /**
   * Closes `socket` (after an `exception` event) once `claims` are revoked. The middleware
   * calls it; call it yourself when you authenticate in `handleConnection`.
   */
  watch(socket: AuthenticatableSocket, claims: AccessTokenClaims): void {
    this.watched.set(socket, claims);
    socket.once('disconnect', () => this.unwatch(socket));
    if (this.timer === null) {
      // The timer catches expiry; a store that announces revocations closes sockets at once.
      this.timer = setInterval(() => this.closeRevoked(), this.recheckInterval);
      this.timer.unref();
      this.stopListening = this.revocations.onRevoke?.(() => this.closeRevoked()) ?? null;
    }
  }

  /** Stops watching every socket. */
  onModuleDestroy(): void {
    this.watched.clear();
    this.stopTimer();
  }

  /** The token of the handshake, or `null`; the module's extractors, in order. */
  protected extractToken(socket: AuthenticatableSocket): string | null {
    const carrier = socketCarrier(socket);
    return carrier === undefined ? null : firstToken(this.options.extractors, carrier);
  }

  private closeRevoked(): void {
    const now = this.clock.now();
    for (const [socket, claims] of this.watched) {
      if (!this.revocations.isRevoked(claims, now)) continue;
      this.unwatch(socket);
      socket.emit('exception', toSocketAuthError(new AccessTokenRevokedError()).data);
      socket.disconnect(true);
    }
  }

  private unwatch(socket: AuthenticatableSocket): void {
    this.watched.delete(socket);
    if (this.watched.size === 0) this.stopTimer();
  }

  private stopTimer(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    this.stopListening?.();
    this.stopListening = null;
  }
}

/**
 * The `connect_error` of a refused connection: the fixed message of the HTTP rendering and
 * its codes as `data`; an unexpected failure becomes a bare "Internal server error".
 */
export function toSocketAuthError(error: unknown): SocketAuthError {
  const payload = authWsErrorPayload(authErrorToHttp(error));
  return Object.assign(new Error(payload.message), { data: payload });
}

function describe(error: unknown): string {
  return error instanceof Error
    ? `${error.name}${'code' in error ? ` (${String(error.code)})` : ''}`
    : 'unknown error';
}
