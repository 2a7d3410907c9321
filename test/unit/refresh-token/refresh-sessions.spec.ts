import { describe, expect, it } from 'vitest';
import { UserRejectedError, type AuthError } from '../../../lib/auth.errors.js';
import { MemoryRefreshTokenStore } from '../../../lib/refresh-token/memory-refresh-token.store.js';
import {
  RefreshSessions,
  type RefreshSessionsConfig,
  type RevokedSessions,
} from '../../../lib/refresh-token/refresh-sessions.js';
import type { RefreshTokenReuseEvent } from '../../../lib/refresh-token/refresh-token-reuse.event.js';
import {
  hashRefreshToken,
  mintRefreshToken,
} from '../../../lib/refresh-token/refresh-token-secret.js';
import type { RefreshTokenStore } from '../../../lib/refresh-token/refresh-token.store.js';
import { FixedClock } from '../../support/fixed-clock.js';
import { DAY, refreshOptions } from '../../support/refresh-options.js';

/** Counts every store call, to prove that rejected input never reaches the store. */
function counting(store: RefreshTokenStore): { store: RefreshTokenStore; calls: () => number } {
  let calls = 0;
  const proxy = new Proxy(store, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls++;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { store: proxy, calls: () => calls };
}

const allow = async (session: { userId: string }) => ({ id: session.userId });
const reject = async (): Promise<never> => {
  throw new UserRejectedError();
};

function setup(overrides: Partial<RefreshSessionsConfig> = {}) {
  const clock = new FixedClock();
  const memory = new MemoryRefreshTokenStore();
  const { store, calls } = counting(memory);
  const events: RefreshTokenReuseEvent[] = [];
  const revoked: RevokedSessions[] = [];
  const sessions = new RefreshSessions(store, refreshOptions(overrides), clock, {
    onSessionsRevoked: (report) => {
      revoked.push(report);
    },
    onReuse: (event) => {
      events.push(event);
    },
  });
  const refresh = (token: string, context = {}) => sessions.rotate(token, context, allow);
  return { clock, memory, sessions, events, revoked, refresh, calls };
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return (error as AuthError).code;
  }
  throw new Error('expected a rejection');
}

describe('RefreshSessions', () => {
  describe('open', () => {
    it('starts a session with an opaque token whose expiry is the idle expiry', async () => {
      const { sessions, clock, memory } = setup();
      const opened = await sessions.open('u1', { userAgent: 'UA', ip: '10.0.0.1' });
      expect(opened.refreshToken).toMatch(/^[A-Za-z0-9_-]{86}$/);
      expect(opened.expiresAt).toBe(clock.now() + 14 * DAY * 1000);
      expect(opened.session).toMatchObject({
        userId: 'u1',
        authTime: clock.now(),
        expiresAt: clock.now() + 30 * DAY * 1000,
        userAgent: 'UA',
        ip: '10.0.0.1',
      });
      const stored = await memory.findTokenByHash(hashRefreshToken(opened.refreshToken));
      expect(stored?.token.sessionId).toBe(opened.session.id);
      expect(Object.values(stored!.token)).not.toContain(opened.refreshToken);
    });

    it('starts a new family at every login', async () => {
      const { sessions } = setup();
      const a = await sessions.open('u1');
      const b = await sessions.open('u1');
      expect(a.session.id).not.toBe(b.session.id);
      expect(a.refreshToken).not.toBe(b.refreshToken);
    });

    it('revokes the oldest sessions beyond maxSessionsPerUser', async () => {
      const { sessions, clock, refresh } = setup({ maxSessionsPerUser: 2 });
      const first = await sessions.open('u1');
      clock.advance(1);
      const second = await sessions.open('u1');
      clock.advance(1);
      const third = await sessions.open('u1');
      await sessions.open('u2');
      const ids = (await sessions.listSessions('u1')).map((s) => s.id);
      expect(ids.sort()).toEqual([second.session.id, third.session.id].sort());
      expect(await codeOf(refresh(first.refreshToken))).toBe('ERR_AUTH_REFRESH_TOKEN_INVALID');
      expect(await sessions.listSessions('u2')).toHaveLength(1);
    });
    it('returns the ids of the sessions the cap revoked, so their access tokens can be revoked', async () => {
      const { sessions, clock } = setup({ maxSessionsPerUser: 2 });
      const first = await sessions.open('u1');
      clock.advance(1);
      expect((await sessions.open('u1')).revokedSessionIds).toEqual([]);
      clock.advance(1);
      expect((await sessions.open('u1')).revokedSessionIds).toEqual([first.session.id]);
    });

    it('never revokes the session it has just opened, even when logins share a millisecond', async () => {
      const { sessions, refresh } = setup({ maxSessionsPerUser: 1 });
      let previous = await sessions.open('u1');
      for (let login = 0; login < 16; login++) {
        const next = await sessions.open('u1');
        expect(next.revokedSessionIds).toEqual([previous.session.id]);
        expect((await sessions.listSessions('u1')).map((s) => s.id)).toEqual([next.session.id]);
        expect((await refresh(next.refreshToken)).session.id).toBe(next.session.id);
        previous = next;
      }
    });
  });

  describe('rotate', () => {
    it('returns a new token of the same session and spends the old one', async () => {
      const { sessions, refresh, clock } = setup();
      const opened = await sessions.open('u1', { authTime: clock.now() - 5000 });
      clock.advance(60);
      const rotated = await refresh(opened.refreshToken);
      expect(rotated.refreshToken).not.toBe(opened.refreshToken);
      expect(rotated.replayed).toBe(false);
      expect(rotated.authorized).toEqual({ id: 'u1' });
      expect(rotated.session.id).toBe(opened.session.id);
      expect(rotated.session.authTime).toBe(opened.session.authTime);
      const next = await refresh(rotated.refreshToken);
      expect(next.session.authTime).toBe(opened.session.authTime);
    });

    it('re-sends the same successor within the grace window (just inside)', async () => {
      const { sessions, refresh, clock, events } = setup({ reuseGracePeriod: 10 });
      const opened = await sessions.open('u1');
      const first = await refresh(opened.refreshToken);
      clock.advance(10);
      const again = await refresh(opened.refreshToken);
      expect(again.replayed).toBe(true);
      expect(again.refreshToken).toBe(first.refreshToken);
      expect(again.authorized).toEqual({ id: 'u1' });
      expect(events).toHaveLength(0);
      const next = await refresh(first.refreshToken);
      expect(next.replayed).toBe(false);
    });

    it('treats a spent token just outside the grace window as theft', async () => {
      const { sessions, refresh, clock, events } = setup({ reuseGracePeriod: 10 });
      const opened = await sessions.open('u1', { ip: '1.1.1.1' });
      const first = await refresh(opened.refreshToken);
      clock.set(clock.now() + 10_001);
      expect(await codeOf(refresh(opened.refreshToken, { ip: '6.6.6.6', userAgent: 'evil' }))).toBe(
        'ERR_AUTH_REFRESH_TOKEN_REUSED',
      );
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({
        sessionId: opened.session.id,
        userId: 'u1',
        ip: '6.6.6.6',
        userAgent: 'evil',
        detectedAt: new Date(clock.now()),
      });
      // The whole family dies: the live successor too.
      expect(await codeOf(refresh(first.refreshToken))).toBe('ERR_AUTH_REFRESH_TOKEN_INVALID');
      expect(await sessions.listSessions('u1')).toEqual([]);
    });

    it('carries the session and user ids on the reuse error', async () => {
      const { sessions, refresh } = setup({ reuseGracePeriod: 0 });
      const opened = await sessions.open('u1');
      await refresh(opened.refreshToken);
      await expect(refresh(opened.refreshToken)).rejects.toMatchObject({
        code: 'ERR_AUTH_REFRESH_TOKEN_REUSED',
        sessionId: opened.session.id,
        userId: 'u1',
      });
    });

    it('detects reuse immediately when the grace period is 0', async () => {
      const { sessions, refresh, events } = setup({ reuseGracePeriod: 0 });
      const opened = await sessions.open('u1');
      const first = await refresh(opened.refreshToken);
      expect(await codeOf(refresh(opened.refreshToken))).toBe('ERR_AUTH_REFRESH_TOKEN_REUSED');
      expect(await codeOf(refresh(first.refreshToken))).toBe('ERR_AUTH_REFRESH_TOKEN_INVALID');
      expect(events).toHaveLength(1);
    });

    it('treats a grandparent replayed inside the grace window as theft', async () => {
      const { sessions, refresh } = setup({ reuseGracePeriod: 10 });
      const rt1 = await sessions.open('u1');
      const rt2 = await refresh(rt1.refreshToken);
      const rt3 = await refresh(rt2.refreshToken);
      expect(await codeOf(refresh(rt1.refreshToken))).toBe('ERR_AUTH_REFRESH_TOKEN_REUSED');
      expect(await codeOf(refresh(rt3.refreshToken))).toBe('ERR_AUTH_REFRESH_TOKEN_INVALID');
    });

    it('treats the parent as theft once its successor has been used, even inside the window', async () => {
      const { sessions, refresh } = setup({ reuseGracePeriod: 10 });
      const rt1 = await sessions.open('u1');
      const rt2 = await refresh(rt1.refreshToken);
      await refresh(rt2.refreshToken);
      expect(await codeOf(refresh(rt1.refreshToken))).toBe('ERR_AUTH_REFRESH_TOKEN_REUSED');
    });

    it('still reports the reuse when the onReuse hook fails', async () => {
      const clock = new FixedClock();
      const failure = new Error('hook down');
      const sessions = new RefreshSessions(
        new MemoryRefreshTokenStore(),
        refreshOptions({ reuseGracePeriod: 0 }),
        clock,
        {
          onReuse: () => {
            throw failure;
          },
        },
      );
      const opened = await sessions.open('u1');
      await sessions.rotate(opened.refreshToken, {}, allow);
      await expect(sessions.rotate(opened.refreshToken, {}, allow)).rejects.toMatchObject({
        code: 'ERR_AUTH_REFRESH_TOKEN_REUSED',
        cause: failure,
      });
    });

    it('gives every concurrent refresh within the grace window the same successor', async () => {
      const { sessions, refresh, memory } = setup({ reuseGracePeriod: 10 });
      const opened = await sessions.open('u1');
      const results = await Promise.all(
        Array.from({ length: 20 }, () => refresh(opened.refreshToken)),
      );
      expect(new Set(results.map((r) => r.refreshToken)).size).toBe(1);
      expect(results.filter((r) => !r.replayed)).toHaveLength(1);
      const parent = await memory.findTokenByHash(hashRefreshToken(opened.refreshToken));
      const child = await memory.findTokenByHash(hashRefreshToken(results[0]!.refreshToken));
      expect(parent?.token.successorId).toBe(child?.token.id);
    });

    it('expires after the idle timeout, and not before', async () => {
      const { sessions, refresh, clock } = setup();
      const opened = await sessions.open('u1');
      clock.set(opened.expiresAt - 1);
      const rotated = await refresh(opened.refreshToken);
      clock.set(rotated.expiresAt);
      expect(await codeOf(refresh(rotated.refreshToken))).toBe('ERR_AUTH_REFRESH_TOKEN_INVALID');
    });

    it('never extends the absolute expiry', async () => {
      const { sessions, refresh, clock } = setup();
      const opened = await sessions.open('u1');
      const absolute = opened.session.expiresAt;
      let token = opened.refreshToken;
      for (let step = 0; step < 2; step++) {
        clock.advance(13 * DAY);
        const rotated = await refresh(token);
        expect(rotated.session.expiresAt).toBe(absolute);
        expect(rotated.expiresAt).toBeLessThanOrEqual(absolute);
        token = rotated.refreshToken;
      }
      // At day 26 + 14 the idle expiry would pass the 30-day cap: it is capped instead.
      clock.set(absolute - 1);
      const last = await refresh(token);
      expect(last.expiresAt).toBe(absolute);
      clock.set(absolute);
      expect(await codeOf(refresh(last.refreshToken))).toBe('ERR_AUTH_REFRESH_TOKEN_INVALID');
    });

    it('rejects malformed tokens without touching the store or revoking anything', async () => {
      const { sessions, refresh, calls } = setup();
      const opened = await sessions.open('u1');
      const before = calls();
      for (const bad of [
        '',
        'abc',
        `${opened.refreshToken}\n`,
        `${opened.refreshToken.slice(1)}=`,
        'a.b.c',
      ]) {
        expect(await codeOf(refresh(bad))).toBe('ERR_AUTH_REFRESH_TOKEN_INVALID');
      }
      expect(calls()).toBe(before);
      expect(await sessions.revokeByToken('garbage')).toBeNull();
      expect(calls()).toBe(before);
      expect((await refresh(opened.refreshToken)).replayed).toBe(false);
    });

    it('refuses an unknown well-formed token and its stored hash, as invalid rather than reuse', async () => {
      const { sessions, refresh, events } = setup();
      const opened = await sessions.open('u1');
      expect(await codeOf(refresh(mintRefreshToken(refreshOptions().secret!).token))).toBe(
        'ERR_AUTH_REFRESH_TOKEN_INVALID',
      );
      expect(await codeOf(refresh(opened.refreshToken.toUpperCase()))).toBe(
        'ERR_AUTH_REFRESH_TOKEN_INVALID',
      );
      expect(await codeOf(refresh(hashRefreshToken(opened.refreshToken)))).toBe(
        'ERR_AUTH_REFRESH_TOKEN_INVALID',
      );
      expect(events).toHaveLength(0);
      expect(await sessions.listSessions('u1')).toHaveLength(1);
    });

    it('revokes the session when the user is rejected at refresh', async () => {
      const { sessions, refresh } = setup();
      const opened = await sessions.open('u1');
      expect(await codeOf(sessions.rotate(opened.refreshToken, {}, reject))).toBe(
        'ERR_AUTH_USER_REJECTED',
      );
      expect(await codeOf(refresh(opened.refreshToken))).toBe('ERR_AUTH_REFRESH_TOKEN_INVALID');
      expect(await sessions.listSessions('u1')).toEqual([]);
    });

    it('changes nothing when authorize fails for another reason', async () => {
      const { sessions, refresh } = setup();
      const opened = await sessions.open('u1');
      const boom = new Error('db down');
      await expect(
        sessions.rotate(opened.refreshToken, {}, async () => {
          throw boom;
        }),
      ).rejects.toBe(boom);
      expect((await refresh(opened.refreshToken)).replayed).toBe(false);
    });
  });

  describe('revocation', () => {
    it('logs out by token, idempotently, and ignores unknown tokens', async () => {
      const { sessions, refresh } = setup();
      const opened = await sessions.open('u1');
      const other = await sessions.open('u1');
      expect((await sessions.revokeByToken(opened.refreshToken))?.revokedReason).toBe('logout');
      expect((await sessions.revokeByToken(opened.refreshToken))?.id).toBe(opened.session.id);
      expect(
        await sessions.revokeByToken(mintRefreshToken(refreshOptions().secret!).token),
      ).toBeNull();
      expect(await codeOf(refresh(opened.refreshToken))).toBe('ERR_AUTH_REFRESH_TOKEN_INVALID');
      expect((await refresh(other.refreshToken)).replayed).toBe(false);
    });

    it("revokes one session of the user, and refuses another user's", async () => {
      const { sessions, refresh } = setup();
      const mine = await sessions.open('u1');
      const theirs = await sessions.open('u2');
      expect(await codeOf(sessions.revokeSession('u1', theirs.session.id))).toBe(
        'ERR_AUTH_SESSION_NOT_FOUND',
      );
      expect((await refresh(theirs.refreshToken)).replayed).toBe(false);
      await sessions.revokeSession('u1', mine.session.id);
      expect(await codeOf(refresh(mine.refreshToken))).toBe('ERR_AUTH_REFRESH_TOKEN_INVALID');
      expect(await codeOf(sessions.revokeSession('u1', mine.session.id))).toBe(
        'ERR_AUTH_SESSION_NOT_FOUND',
      );
      expect(await codeOf(sessions.revokeSession('u1', 'no-such-id'))).toBe(
        'ERR_AUTH_SESSION_NOT_FOUND',
      );
    });

    it('revokes all sessions of a user, or all but the current one', async () => {
      const { sessions, refresh } = setup();
      const a = await sessions.open('u1');
      const b = await sessions.open('u1');
      const c = await sessions.open('u1');
      const other = await sessions.open('u2');
      const revoked = await sessions.revokeAll('u1', { exceptSessionId: a.session.id });
      expect(revoked.sort()).toEqual([b.session.id, c.session.id].sort());
      expect((await refresh(a.refreshToken)).replayed).toBe(false);
      expect(await codeOf(refresh(b.refreshToken))).toBe('ERR_AUTH_REFRESH_TOKEN_INVALID');
      expect(await sessions.revokeAll('u1')).toEqual([a.session.id]);
      expect(await sessions.listSessions('u1')).toEqual([]);
      expect((await refresh(other.refreshToken)).replayed).toBe(false);
    });
  });

  describe('listing and pruning', () => {
    it('lists live sessions, most recently used first', async () => {
      const { sessions, refresh, clock } = setup();
      const a = await sessions.open('u1', { userAgent: 'A', ip: '1.1.1.1' });
      clock.advance(1);
      const b = await sessions.open('u1', { userAgent: 'B' });
      const c = await sessions.open('u1');
      await sessions.revokeSession('u1', c.session.id);
      clock.advance(1);
      await refresh(a.refreshToken, { ip: '2.2.2.2' });
      const listed = await sessions.listSessions('u1');
      expect(listed.map((s) => s.id)).toEqual([a.session.id, b.session.id]);
      expect(listed[0]).toEqual({
        id: a.session.id,
        createdAt: new Date(a.session.createdAt),
        lastUsedAt: new Date(clock.now()),
        expiresAt: new Date(clock.now() + 14 * DAY * 1000),
        userAgent: 'A',
        ip: '2.2.2.2',
      });
    });

    it('prunes expired sessions at once and revoked ones after pruneRevokedAfter', async () => {
      const { sessions, clock, memory } = setup({ pruneRevokedAfter: 7 * DAY });
      const expiring = await sessions.open('u1');
      clock.advance(10 * DAY);
      const revoked = await sessions.open('u1');
      const live = await sessions.open('u1');
      await sessions.revokeSession('u1', revoked.session.id);
      clock.set(expiring.expiresAt);
      expect(await sessions.prune()).toBe(1);
      expect(await memory.findSession(expiring.session.id)).toBeNull();
      expect(await memory.findSession(revoked.session.id)).not.toBeNull();
      clock.advance(3 * DAY - 1);
      expect(await sessions.prune()).toBe(0);
      clock.advance(1);
      expect(await sessions.prune()).toBe(1);
      expect(await memory.findTokenByHash(hashRefreshToken(revoked.refreshToken))).toBeNull();
      expect(await memory.findSession(live.session.id)).not.toBeNull();
    });
  });

  describe('reports every revocation through onSessionsRevoked', () => {
    it('for logout, revocation by id, log out everywhere and the session cap', async () => {
      const { sessions, revoked } = setup({ maxSessionsPerUser: 3 });
      const a = await sessions.open('u1');
      const b = await sessions.open('u1');
      const c = await sessions.open('u1');
      const d = await sessions.open('u1');
      expect(revoked).toEqual([{ sessionIds: [a.session.id], reason: 'session_limit' }]);
      await sessions.revokeByToken(b.refreshToken);
      await sessions.revokeByToken(b.refreshToken);
      await sessions.revokeSession('u1', c.session.id);
      await sessions.revokeAll('u1');
      await sessions.revokeAll('u1');
      expect(revoked.slice(1)).toEqual([
        { sessionIds: [b.session.id], reason: 'logout' },
        // An already revoked session, logged out again, is reported again.
        { sessionIds: [b.session.id], reason: 'logout' },
        { sessionIds: [c.session.id], reason: 'revoked' },
        { sessionIds: [d.session.id], reason: 'revoked_all' },
      ]);
    });

    it('for a rejected user, before the rejection is rethrown', async () => {
      const { sessions, revoked } = setup();
      const opened = await sessions.open('u1');
      await expect(sessions.rotate(opened.refreshToken, {}, reject)).rejects.toBeInstanceOf(
        UserRejectedError,
      );
      expect(revoked).toEqual([{ sessionIds: [opened.session.id], reason: 'user_rejected' }]);
    });

    it('for reuse, before the reuse hook runs', async () => {
      const order: string[] = [];
      const sessions = new RefreshSessions(
        new MemoryRefreshTokenStore(),
        refreshOptions({ reuseGracePeriod: 0 }),
        new FixedClock(),
        {
          onSessionsRevoked: ({ reason }) => {
            order.push(reason);
          },
          onReuse: () => {
            order.push('onReuse');
          },
        },
      );
      const opened = await sessions.open('u1');
      await sessions.rotate(opened.refreshToken, {}, allow);
      expect(await codeOf(sessions.rotate(opened.refreshToken, {}, allow))).toBe(
        'ERR_AUTH_REFRESH_TOKEN_REUSED',
      );
      expect(order).toEqual(['reuse_detected', 'onReuse']);
    });

    it('never for a refresh, an unknown token or a failed revocation', async () => {
      const { sessions, refresh, revoked } = setup();
      const opened = await sessions.open('u1');
      await refresh(opened.refreshToken);
      await sessions.revokeByToken('garbage');
      await codeOf(sessions.revokeSession('u1', 'no-such-id'));
      await sessions.revokeAll('nobody');
      expect(revoked).toEqual([]);
    });
  });
});
