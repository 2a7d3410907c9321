import { Inject, Injectable, Logger, Optional, type OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { AUTH_OPTIONS } from './auth.constants.js';
import { AUTH_CLOCK, type Clock } from './clock.js';
import type { ResolvedAuthOptions } from './options/auth-module-options.js';
import type { RefreshSessionsListener, RevokedSessions } from './refresh-token/refresh-sessions.js';
import {
  REFRESH_TOKEN_REUSED_EVENT,
  type RefreshTokenReuseEvent,
} from './refresh-token/refresh-token-reuse.event.js';
import { RevocationStore } from './revocation/revocation.store.js';
import { sessionRevocation } from './revocation/session-revocation.js';

interface EventEmitterLike {
  emit(event: string, payload: unknown): unknown;
}

/**
 * What the module does when refresh sessions end: the one place where a revoked session's
 * access tokens are revoked too, whatever revoked it (logout, revocation by id, log out
 * everywhere, `maxSessionsPerUser`, a rejected user, reuse), and where reuse is announced.
 */
@Injectable()
export class SessionRevocationListener implements RefreshSessionsListener, OnModuleInit {
  private readonly logger = new Logger('AuthModule');
  private events: EventEmitterLike | null = null;

  constructor(
    @Inject(AUTH_OPTIONS) private readonly options: ResolvedAuthOptions,
    @Inject(RevocationStore) private readonly revocations: RevocationStore,
    @Inject(AUTH_CLOCK) private readonly clock: Clock,
    @Optional() private readonly moduleRef?: ModuleRef,
  ) {}

  /** Finds the optional event emitter. */
  async onModuleInit(): Promise<void> {
    this.events = await this.findEventEmitter();
  }

  /**
   * Deny-lists the access tokens of sessions already revoked in the store, by `sid`. Never
   * throws: the sessions are revoked either way, so logout, logout-all and reuse detection
   * succeed for the client; a store that rejects is logged (stores should keep and retry, as
   * Redis's does).
   */
  async onSessionsRevoked({ sessionIds }: RevokedSessions): Promise<void> {
    const nowMs = this.clock.now();
    for (const id of sessionIds) {
      try {
        await this.revocations.revoke(sessionRevocation(id, nowMs, this.options));
      } catch (error) {
        this.logger.error(`Revoking the access tokens of session ${id} failed: ${describe(error)}`);
      }
    }
  }

  /** Logs the reuse, emits {@link REFRESH_TOKEN_REUSED_EVENT} and calls `refresh.onReuseDetected`. */
  async onReuse(event: RefreshTokenReuseEvent): Promise<void> {
    // K02: a security event, logged with ids only (never the token).
    this.logger.warn(
      `Refresh token reuse detected: session ${event.sessionId} of user ${event.userId} revoked`,
    );
    this.events?.emit(REFRESH_TOKEN_REUSED_EVENT, event);
    await this.options.refresh?.onReuseDetected?.(event);
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

function describe(error: unknown): string {
  return error instanceof Error
    ? `${error.name}${'code' in error ? ` (${String(error.code)})` : ''}`
    : 'unknown error';
}
