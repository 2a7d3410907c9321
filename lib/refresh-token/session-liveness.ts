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
 * first. `keepSessionId` (the session just opened) always stays: two logins in one millisecond
 * tie on `createdAt`, and the tie-break must never revoke the login that is being answered.
 *
 * @example
 * sessionsBeyondCap(['b', 'new', 'a'], 1, 'new'); // ['b', 'a']
 */
export function sessionsBeyondCap(
  newestFirst: readonly string[],
  max: number,
  keepSessionId?: string,
): string[] {
  const ordered =
    keepSessionId !== undefined && newestFirst.includes(keepSessionId)
      ? [keepSessionId, ...newestFirst.filter((id) => id !== keepSessionId)]
      : newestFirst;
  return ordered.slice(max);
}
