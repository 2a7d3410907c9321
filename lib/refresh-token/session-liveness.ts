import type { RefreshSessionRecord } from './refresh-token.store.js';

/**
 * Whether a session may still be used at `now` (epoch milliseconds): unrevoked, and before both
 * its absolute and its idle expiry. The one definition the session rules and the memory store
 * share, so that the store never keeps a session alive that the rules consider ended.
 *
 * @example
 * if (!isSessionLive(session, clock.now())) throw new SessionNotFoundError();
 */
export function isSessionLive(
  session: Pick<RefreshSessionRecord, 'revokedAt' | 'expiresAt' | 'idleExpiresAt'>,
  now: number,
): boolean {
  return session.revokedAt === null && now < session.expiresAt && now < session.idleExpiresAt;
}

/**
 * The sessions to revoke so that at most `max` remain, given the user's live session ids newest
 * first by (`createdAt`, id). Every caller ranks by the same total order, and no caller keeps
 * its own session out of turn, so simultaneous logins agree: each revokes only sessions that
 * `max` newer ones outrank, and the newest `max` survive whatever the interleaving.
 *
 * @example
 * sessionsBeyondCap(['c', 'b', 'a'], 1); // ['b', 'a']
 */
export function sessionsBeyondCap(newestFirst: readonly string[], max: number): string[] {
  return newestFirst.slice(max);
}
