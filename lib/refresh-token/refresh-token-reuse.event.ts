/** Event name under which the module emits {@link RefreshTokenReuseEvent} (`@nestjs/event-emitter`). */
export const REFRESH_TOKEN_REUSED_EVENT = 'auth.refresh-token.reused';

/**
 * A spent refresh token was presented after the grace window: the session it belonged to has
 * been revoked whole (RFC 9700 section 4.14.2). Worth alerting on: either the token was stolen
 * or a client kept an old one.
 */
export interface RefreshTokenReuseEvent {
  /** The revoked session (the `sid` claim of its access tokens). */
  readonly sessionId: string;
  readonly userId: string;
  /** The spent token that was presented. */
  readonly tokenId: string;
  readonly detectedAt: Date;
  /** The address of the request that presented it, when known. */
  readonly ip: string | null;
  readonly userAgent: string | null;
}
