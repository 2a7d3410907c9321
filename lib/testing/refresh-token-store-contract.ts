import { randomBytes } from 'node:crypto';
import type { Clock } from '../clock.js';
import {
  RefreshSessions,
  type RefreshSessionsConfig,
  type RotatedRefreshSession,
} from '../refresh-token/refresh-sessions.js';
import type { RefreshTokenReuseEvent } from '../refresh-token/refresh-token-reuse.event.js';
import type {
  RefreshSessionRecord,
  RefreshTokenStore,
} from '../refresh-token/refresh-token.store.js';

/** A store to run the contract against, and how to release it after a test. */
export interface StoreUnderTest {
  readonly store: RefreshTokenStore;
  /** Called after each test. */
  readonly close?: () => Promise<void> | void;
}

/**
 * Makes the store for one test. It may share its database with the other tests of the suite:
 * every test uses user ids of its own.
 */
export type RefreshTokenStoreFactory = () => Promise<StoreUnderTest> | StoreUnderTest;

/** The part of an `expect(...)` result the contract uses (Vitest and Jest both provide it). */
export interface ContractAssertion {
  toBe(expected: unknown): void;
  toEqual(expected: unknown): void;
  toBeNull(): void;
  toHaveLength(length: number): void;
  readonly not: ContractAssertion;
}

/**
 * The test functions of the runner, passed in so that the library does not depend on one.
 *
 * @example
 * import { afterEach, beforeEach, describe, expect, it } from 'vitest';
 * refreshTokenStoreContract('MyStore', () => ({ store: new MyStore() }), {
 *   describe, it, expect, beforeEach, afterEach,
 * });
 */
export interface ContractTestApi {
  describe(name: string, body: () => void): void;
  it(name: string, body: () => Promise<void>, timeout?: number): void;
  expect(actual: unknown, message?: string): ContractAssertion;
  beforeEach(body: () => Promise<void> | void): void;
  afterEach(body: () => Promise<void> | void): void;
}

/** Counts of one race case over all its rounds; every `violations` must be 0. */
export interface RaceFigures {
  readonly rounds: number;
  readonly violations: number;
  /** Case-specific outcome counts (who won the race). */
  readonly outcomes: Readonly<Record<string, number>>;
}

/** Tuning of {@link refreshTokenStoreContract}. */
export interface ContractOptions {
  /**
   * Rounds of each race case.
   * @default 5
   */
  readonly rounds?: number;
  /**
   * Simultaneous requests in the concurrency cases.
   * @default 20
   */
  readonly concurrency?: number;
  /**
   * Timeout of each test, milliseconds.
   * @default 60000
   */
  readonly timeout?: number;
  /** Receives the figures of each race case once it passed. */
  readonly report?: (raceCase: string, figures: RaceFigures) => void;
}

const SECOND = 1000;
const DAY = 86_400;
/** The module's default `clockTolerance`, seconds: instances may disagree by this much. */
const TOLERANCE = 5;
const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);

/** A clock that moves only when told to. */
class ManualClock implements Clock {
  constructor(private current = T0) {}
  now(): number {
    return this.current;
  }
  advance(seconds: number): void {
    this.current += seconds * SECOND;
  }
  set(ms: number): void {
    this.current = ms;
  }
}

type Outcome<T> = { ok: true; value: T } | { ok: false; code: string };

async function outcome<T>(promise: Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await promise };
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code !== 'string' || !code.startsWith('ERR_AUTH_')) throw error;
    return { ok: false, code };
  }
}

function options(overrides: Partial<RefreshSessionsConfig>): RefreshSessionsConfig {
  return {
    ttl: 30 * DAY,
    idleTtl: 14 * DAY,
    reuseGracePeriod: 10,
    maxSessionsPerUser: 0,
    secret: new Uint8Array(32).fill(7),
    pruneRevokedAfter: 7 * DAY,
    ...overrides,
  };
}

/** Newest first, in the order the cap ranks sessions: `createdAt`, then id. */
function newestFirst(a: RefreshSessionRecord, b: RefreshSessionRecord): number {
  return b.createdAt - a.createdAt || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
}

function shuffled<T>(items: readonly T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = randomBytes(1)[0]! % (i + 1);
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}

/** A user id no other test (or earlier run on the same database) uses. */
function user(label: string): string {
  return `${label}-${randomBytes(6).toString('hex')}`;
}

/** Starts `start` after 0 to 3 turns of the event loop, so that races run in varied orders. */
async function jittered<T>(start: () => Promise<T>): Promise<T> {
  for (let turns = randomBytes(1)[0]! % 4; turns > 0; turns--) {
    await new Promise((resolve) => setImmediate(resolve));
  }
  return start();
}

/**
 * The contract every {@link RefreshTokenStore} must meet, run through {@link RefreshSessions}:
 * the session rules, exact ids, hostile input, two instances with clocks apart by the clock
 * tolerance, and the races (concurrent refreshes, concurrent logins under a cap, logout racing
 * rotations and grace-window replays). Run it for a custom store to know it is a drop-in
 * replacement for the shipped ones; the library runs it for the memory store and the TypeORM
 * store on SQLite, PostgreSQL and MariaDB.
 *
 * @param name title of the suite
 * @param factory makes the store for each test
 * @param api the runner's `describe`, `it`, `expect`, `beforeEach`, `afterEach`
 * @param settings rounds of the race cases, and where to report their figures
 * @example
 * import { afterEach, beforeEach, describe, expect, it } from 'vitest';
 * import { refreshTokenStoreContract } from 'nest-hybrid-auth/testing';
 *
 * refreshTokenStoreContract('MyStore', async () => ({ store: new MyStore(await connect()) }), {
 *   describe, it, expect, beforeEach, afterEach,
 * });
 */
export function refreshTokenStoreContract(
  name: string,
  factory: RefreshTokenStoreFactory,
  api: ContractTestApi,
  settings: ContractOptions = {},
): void {
  const { describe, it, expect, beforeEach, afterEach } = api;
  const rounds = settings.rounds ?? 5;
  const concurrency = settings.concurrency ?? 20;
  const timeout = settings.timeout ?? 60_000;
  let underTest: StoreUnderTest | null = null;

  const test = (title: string, body: () => Promise<void>): void => it(title, body, timeout);
  const store = (): RefreshTokenStore => underTest!.store;

  function instance(
    overrides: Partial<RefreshSessionsConfig> = {},
    clock = new ManualClock(),
    authorize: (session: RefreshSessionRecord) => Promise<unknown> = async (session) =>
      session.userId,
  ) {
    const events: RefreshTokenReuseEvent[] = [];
    const sessions = new RefreshSessions(store(), options(overrides), clock, {
      onReuse: (event) => {
        events.push(event);
      },
    });
    const refresh = (token: string): Promise<RotatedRefreshSession<unknown>> =>
      sessions.rotate(token, {}, authorize);
    return { sessions, refresh, events, clock };
  }

  const isLive = async (sessionId: string): Promise<boolean> =>
    (await store().findSession(sessionId))?.revokedAt === null;

  function report(raceCase: string, figures: RaceFigures): void {
    settings.report?.(raceCase, figures);
    expect(figures.violations).toBe(0);
  }

  describe(`RefreshTokenStore contract: ${name}`, () => {
    beforeEach(async () => {
      underTest = await factory();
    });
    afterEach(async () => {
      await underTest?.close?.();
      underTest = null;
    });

    describe('session rules', () => {
      test('rotates, re-sends within the grace window, and revokes the family on later reuse', async () => {
        const { sessions, refresh, clock, events } = instance({ reuseGracePeriod: 10 });
        const opened = await sessions.open(user('rules'), { userAgent: 'UA', ip: '10.0.0.1' });
        const first = await refresh(opened.refreshToken);
        expect(first.replayed).toBe(false);
        clock.advance(10);
        const again = await refresh(opened.refreshToken);
        expect([again.replayed, again.refreshToken]).toEqual([true, first.refreshToken]);
        clock.advance(1);
        expect(await outcome(refresh(opened.refreshToken))).toEqual({
          ok: false,
          code: 'ERR_AUTH_REFRESH_TOKEN_REUSED',
        });
        expect(await outcome(refresh(first.refreshToken))).toEqual({
          ok: false,
          code: 'ERR_AUTH_REFRESH_TOKEN_INVALID',
        });
        expect(events.map((event) => event.sessionId)).toEqual([opened.session.id]);
        expect((await store().findSession(opened.session.id))?.revokedReason).toBe(
          'reuse_detected',
        );
      });

      test('expires idle and absolute sessions, lists, revokes and prunes', async () => {
        const { sessions, refresh, clock } = instance();
        const owner = user('lifecycle');
        const a = await sessions.open(owner);
        const b = await sessions.open(owner);
        const c = await sessions.open(owner);
        clock.advance(DAY);
        const rotated = await refresh(a.refreshToken);
        expect((await sessions.listSessions(owner)).map((s) => s.id)[0]).toBe(a.session.id);
        await sessions.revokeSession(owner, b.session.id);
        expect(await outcome(sessions.revokeSession(user('other'), c.session.id))).toEqual({
          ok: false,
          code: 'ERR_AUTH_SESSION_NOT_FOUND',
        });
        expect(await sessions.revokeAll(owner, { exceptSessionId: a.session.id })).toEqual([
          c.session.id,
        ]);
        clock.set(rotated.expiresAt);
        expect(await outcome(refresh(rotated.refreshToken))).toEqual({
          ok: false,
          code: 'ERR_AUTH_REFRESH_TOKEN_INVALID',
        });
        expect(await sessions.listSessions(owner)).toEqual([]);
        clock.advance(7 * DAY);
        await sessions.prune();
        for (const id of [a.session.id, b.session.id, c.session.id]) {
          expect(await store().findSession(id)).toBeNull();
        }
      });

      test('caps sessions per user, oldest first', async () => {
        const { sessions, clock } = instance({ maxSessionsPerUser: 2 });
        const owner = user('capped');
        const first = await sessions.open(owner);
        clock.advance(1);
        await sessions.open(owner);
        clock.advance(1);
        const third = await sessions.open(owner);
        expect(third.revokedSessionIds).toEqual([first.session.id]);
        expect((await store().findSession(first.session.id))?.revokedReason).toBe('session_limit');
        expect(await sessions.listSessions(owner)).toHaveLength(2);
      });

      test('never lets the cap revoke the session just opened, even within one millisecond', async () => {
        const { sessions } = instance({ maxSessionsPerUser: 1 });
        const owner = user('capped-same-ms');
        let previous = await sessions.open(owner);
        for (let login = 0; login < 8; login++) {
          const next = await sessions.open(owner);
          expect(next.revokedSessionIds).toEqual([previous.session.id]);
          expect(await isLive(next.session.id)).toBe(true);
          previous = next;
        }
      });

      test('a refresh whose authorize step fails leaves the token unspent: the retry succeeds, no alarm', async () => {
        let fail = true;
        const { sessions, refresh, clock, events } = instance(
          { reuseGracePeriod: 10 },
          new ManualClock(),
          async (session) => {
            if (fail) throw new Error('user directory unavailable');
            return session.userId;
          },
        );
        const opened = await sessions.open(user('retry'));
        let thrown: unknown = null;
        await refresh(opened.refreshToken).catch((error: unknown) => {
          thrown = error;
        });
        expect((thrown as Error | null)?.message).toBe('user directory unavailable');
        // Past the grace window: a spent token would now be taken for a stolen one.
        clock.advance(60);
        fail = false;
        const retried = await refresh(opened.refreshToken);
        expect(retried.replayed).toBe(false);
        expect(events).toEqual([]);
        expect(await isLive(opened.session.id)).toBe(true);
      });
    });

    describe('exact ids', () => {
      test('user ids that differ only in case or trailing space are different users', async () => {
        const { sessions } = instance({ maxSessionsPerUser: 1 });
        const base = user('alice');
        const ids = [base, base.toUpperCase(), `${base} `];
        const opened = [];
        for (const id of ids) opened.push(await sessions.open(id));
        for (const [index, id] of ids.entries()) {
          expect((await sessions.listSessions(id)).map((s) => s.id)).toEqual([
            opened[index]!.session.id,
          ]);
        }
        expect(await sessions.revokeAll(base)).toEqual([opened[0]!.session.id]);
        expect(await isLive(opened[1]!.session.id)).toBe(true);
        expect(await isLive(opened[2]!.session.id)).toBe(true);
        expect(await outcome(sessions.revokeSession(base, opened[1]!.session.id))).toEqual({
          ok: false,
          code: 'ERR_AUTH_SESSION_NOT_FOUND',
        });
        expect(await isLive(opened[1]!.session.id)).toBe(true);
      });

      test('a session id in another spelling names no session', async () => {
        const { sessions } = instance();
        const owner = user('spelling');
        const opened = await sessions.open(owner);
        const upper = opened.session.id.toUpperCase();
        expect(await store().findSession(upper)).toBeNull();
        expect(await store().findSession(`${opened.session.id} `)).toBeNull();
        expect(await outcome(sessions.revokeSession(owner, upper))).toEqual({
          ok: false,
          code: 'ERR_AUTH_SESSION_NOT_FOUND',
        });
        expect(await isLive(opened.session.id)).toBe(true);
      });
    });

    describe('hostile input', () => {
      const hostile: readonly [string, unknown][] = [
        ['a NUL byte', 'a\u0000b'],
        ['10 kB', 'x'.repeat(10_240)],
        ['a non-UUID', 'not-a-uuid'],
        ['a lone surrogate', '\uD800'],
        ['an empty string', ''],
        ['a number', 42],
        ['an object', { id: 1 }],
      ];

      test('session ids a client can send give SessionNotFound, never a driver error', async () => {
        const { sessions } = instance();
        const owner = user('hostile-sid');
        const opened = await sessions.open(owner);
        for (const [, value] of hostile) {
          expect(await outcome(sessions.revokeSession(owner, value as string))).toEqual({
            ok: false,
            code: 'ERR_AUTH_SESSION_NOT_FOUND',
          });
        }
        expect(await isLive(opened.session.id)).toBe(true);
        // An exception that names no session excepts nothing.
        expect(await sessions.revokeAll(owner, { exceptSessionId: 'a\u0000b' })).toEqual([
          opened.session.id,
        ]);
      });

      test('user ids from a token or a route match nothing, never a driver error', async () => {
        const { sessions } = instance();
        const opened = await sessions.open(user('hostile-user'));
        for (const [, value] of hostile) {
          expect(await sessions.listSessions(value as string)).toEqual([]);
          expect(await sessions.revokeAll(value as string)).toEqual([]);
          expect(await outcome(sessions.revokeSession(value as string, opened.session.id))).toEqual(
            { ok: false, code: 'ERR_AUTH_SESSION_NOT_FOUND' },
          );
        }
        expect(await isLive(opened.session.id)).toBe(true);
      });

      test('refresh tokens a client can send are refused as invalid', async () => {
        const { sessions, refresh } = instance();
        for (const [, value] of hostile) {
          expect(await outcome(refresh(value as string))).toEqual({
            ok: false,
            code: 'ERR_AUTH_REFRESH_TOKEN_INVALID',
          });
          expect(await sessions.revokeByToken(value as string)).toBeNull();
        }
      });

      test('a User-Agent or address with NUL, lone surrogates or 10 kB is stored cleaned', async () => {
        const { sessions, refresh } = instance();
        const owner = user('hostile-context');
        const nasty = { userAgent: `ua\u0000\uD800${'u'.repeat(10_240)}`, ip: '\uDC00\u0000ip' };
        const opened = await sessions.open(owner, nasty);
        const rotated = await sessions.rotate(opened.refreshToken, nasty, async () => true);
        await refresh(rotated.refreshToken);
        const [listed] = await sessions.listSessions(owner);
        expect(listed?.userAgent?.length).toBe(512);
        expect(listed?.userAgent?.startsWith('ua\uFFFD\uFFFDu')).toBe(true);
        expect(listed?.ip).toBe('\uFFFD\uFFFDip');
      });
    });

    describe(`two instances whose clocks differ by the clock tolerance (${TOLERANCE} s)`, () => {
      /** A session whose idle expiry falls between the two clocks. */
      async function straddling() {
        const owner = user('clocks');
        const behind = instance({ idleTtl: 60 }, new ManualClock(T0));
        const ahead = instance({ idleTtl: 60 }, new ManualClock(T0 + TOLERANCE * SECOND));
        const opened = await behind.sessions.open(owner);
        behind.clock.advance(60 - TOLERANCE / 2);
        ahead.clock.advance(60 - TOLERANCE / 2);
        return { owner, behind, ahead, opened };
      }

      test('"log out everywhere" on the instance ahead revokes what the one behind still uses', async () => {
        const { owner, behind, ahead, opened } = await straddling();
        expect(await ahead.sessions.listSessions(owner)).toEqual([]);
        expect(await ahead.sessions.revokeAll(owner)).toEqual([opened.session.id]);
        expect(await outcome(behind.refresh(opened.refreshToken))).toEqual({
          ok: false,
          code: 'ERR_AUTH_REFRESH_TOKEN_INVALID',
        });
        expect(await behind.sessions.listSessions(owner)).toEqual([]);
      });

      test('revoking one session on the instance ahead revokes what the one behind still uses', async () => {
        const { owner, behind, ahead, opened } = await straddling();
        await ahead.sessions.revokeSession(owner, opened.session.id);
        expect(await outcome(behind.refresh(opened.refreshToken))).toEqual({
          ok: false,
          code: 'ERR_AUTH_REFRESH_TOKEN_INVALID',
        });
        expect(await isLive(opened.session.id)).toBe(false);
      });

      test('a login on the instance behind is the newest session under the cap', async () => {
        const owner = user('clocks-cap');
        const ahead = instance({ maxSessionsPerUser: 1 }, new ManualClock(T0 + TOLERANCE * SECOND));
        const behind = instance({ maxSessionsPerUser: 1 }, new ManualClock(T0));
        const first = await ahead.sessions.open(owner);
        const second = await behind.sessions.open(owner);
        expect(second.revokedSessionIds).toEqual([first.session.id]);
        expect(await isLive(second.session.id)).toBe(true);
        expect((await ahead.refresh(second.refreshToken)).replayed).toBe(false);
      });
    });

    describe('revocation while a refresh is being authorized', () => {
      test('logout during a grace-window replay: the replay returns nothing', async () => {
        let during: (() => Promise<unknown>) | null = null;
        const { sessions, refresh } = instance(
          { reuseGracePeriod: 10 },
          new ManualClock(),
          async (s) => {
            await during?.();
            return s.userId;
          },
        );
        const opened = await sessions.open(user('replay-logout'));
        const first = await refresh(opened.refreshToken);
        during = () => sessions.revokeByToken(first.refreshToken);
        expect(await outcome(refresh(opened.refreshToken))).toEqual({
          ok: false,
          code: 'ERR_AUTH_REFRESH_TOKEN_INVALID',
        });
        expect(await isLive(opened.session.id)).toBe(false);
      });

      test('"log out everywhere" during a rotation or a replay: neither returns a pair', async () => {
        const owner = user('rotation-logout-all');
        let during: (() => Promise<unknown>) | null = null;
        const { sessions, refresh } = instance(
          { reuseGracePeriod: 10 },
          new ManualClock(),
          async (s) => {
            const run = during;
            during = null;
            await run?.();
            return s.userId;
          },
        );
        const a = await sessions.open(owner);
        const b = await sessions.open(owner);
        const spent = b.refreshToken;
        await refresh(spent);
        during = () => sessions.revokeAll(owner);
        expect(await outcome(refresh(a.refreshToken))).toEqual({
          ok: false,
          code: 'ERR_AUTH_REFRESH_TOKEN_INVALID',
        });
        expect(await isLive(a.session.id)).toBe(false);
        expect(await isLive(b.session.id)).toBe(false);
        expect(await outcome(refresh(spent))).toEqual({
          ok: false,
          code: 'ERR_AUTH_REFRESH_TOKEN_INVALID',
        });
      });
    });

    describe('concurrency', () => {
      test(`gives ${concurrency} concurrent refreshes of one token one successor, within the grace window`, async () => {
        const { sessions, refresh } = instance({ reuseGracePeriod: 10 });
        const opened = await sessions.open(user('concurrent-grace'));
        const results = await Promise.all(
          Array.from({ length: concurrency }, () => outcome(refresh(opened.refreshToken))),
        );
        expect(results.filter((r) => !r.ok)).toEqual([]);
        const tokens = new Set(results.map((r) => (r.ok ? r.value.refreshToken : r.code)));
        expect(tokens.size).toBe(1);
        expect((await refresh([...tokens][0]!)).replayed).toBe(false);
      });

      test(`lets exactly one of ${concurrency} concurrent refreshes win without a grace window, then revokes the family`, async () => {
        const { sessions, refresh, events } = instance({ reuseGracePeriod: 0 });
        const opened = await sessions.open(user('concurrent-strict'));
        const results = await Promise.all(
          Array.from({ length: concurrency }, () => outcome(refresh(opened.refreshToken))),
        );
        const winners = results.flatMap((r) => (r.ok ? [r.value] : []));
        const codes = results.flatMap((r) => (r.ok ? [] : [r.code]));
        expect(winners).toHaveLength(1);
        // One loser revokes the family and reports the reuse; the rest find it revoked already.
        expect(codes.filter((code) => code === 'ERR_AUTH_REFRESH_TOKEN_REUSED')).toHaveLength(1);
        expect(codes.filter((code) => code === 'ERR_AUTH_REFRESH_TOKEN_INVALID')).toHaveLength(
          concurrency - 2,
        );
        expect(events).toHaveLength(1);
        expect(await outcome(refresh(winners[0]!.refreshToken))).toEqual({
          ok: false,
          code: 'ERR_AUTH_REFRESH_TOKEN_INVALID',
        });
      });

      test(`keeps the newest k sessions under simultaneous logins (${rounds} rounds)`, async () => {
        const outcomes: Record<string, number> = { logins: 0, kept: 0, revoked: 0 };
        let violations = 0;
        for (let round = 0; round < rounds; round++) {
          const owner = user('cap-race');
          const cap = 1 + (round % 3);
          const logins = cap + 3;
          // Several instances, clocks a few milliseconds apart, so createdAt differs or ties.
          const openers = Array.from(
            { length: logins },
            (_, i) => instance({ maxSessionsPerUser: cap }, new ManualClock(T0 + (i % 3))).sessions,
          );
          const opened = await Promise.all(
            shuffled(openers).map((s) => jittered(() => s.open(owner))),
          );
          const records = await Promise.all(opened.map((o) => store().findSession(o.session.id)));
          const all = records.map((r) => r!).toSorted(newestFirst);
          const kept = all.filter((r) => r.revokedAt === null);
          const expected = all.slice(0, cap).map((r) => r.id);
          if (JSON.stringify(kept.map((r) => r.id)) !== JSON.stringify(expected)) violations++;
          outcomes.logins! += logins;
          outcomes.kept! += kept.length;
          outcomes.revoked! += all.length - kept.length;
        }
        report('concurrent logins with a cap', { rounds, violations, outcomes });
      });

      test(`leaves nothing live when "log out everywhere" races rotations (${rounds} rounds)`, async () => {
        const outcomes: Record<string, number> = { rotationsBefore: 0, rotationsRefused: 0 };
        let violations = 0;
        for (let round = 0; round < rounds; round++) {
          const owner = user('logout-all-race');
          // Rotations on an instance behind, logout on one ahead: the clocks may disagree.
          const behind = instance({ reuseGracePeriod: 10, idleTtl: 60 }, new ManualClock(T0));
          const ahead = instance(
            { reuseGracePeriod: 10, idleTtl: 60 },
            new ManualClock(T0 + TOLERANCE * SECOND),
          );
          const opened = await Promise.all([0, 1, 2].map(() => behind.sessions.open(owner)));
          if (round % 2 === 1) {
            behind.clock.advance(60 - TOLERANCE / 2);
            ahead.clock.advance(60 - TOLERANCE / 2);
          }
          const rotations = opened.flatMap((o) => [
            jittered(() => outcome(behind.refresh(o.refreshToken))),
            jittered(() => outcome(behind.refresh(o.refreshToken))),
          ]);
          const [, ...results] = await Promise.all([
            jittered(() => ahead.sessions.revokeAll(owner)),
            ...rotations,
          ]);
          for (const result of results) {
            outcomes[result.ok ? 'rotationsBefore' : 'rotationsRefused']!++;
          }
          const minted = results.flatMap((r) => (r.ok ? [r.value.refreshToken] : []));
          for (const o of opened) if (await isLive(o.session.id)) violations++;
          for (const token of [...minted, ...opened.map((o) => o.refreshToken)]) {
            if ((await outcome(behind.refresh(token))).ok) violations++;
          }
          if ((await behind.sessions.listSessions(owner)).length !== 0) violations++;
        }
        report('logout-all racing rotations', { rounds, violations, outcomes });
      });

      test(`never returns a replayed pair after a logout that raced it (${rounds} rounds)`, async () => {
        const outcomes: Record<string, number> = { replayFirst: 0, logoutFirst: 0 };
        let violations = 0;
        for (let round = 0; round < rounds; round++) {
          const { sessions, refresh } = instance({ reuseGracePeriod: 10 });
          const opened = await sessions.open(user('replay-race'));
          const first = await refresh(opened.refreshToken);
          let loggedOut = false;
          // `authorize` awaits like an app's user lookup would. A logout that has completed by the
          // time it returns must end the replay: the pair would belong to an ended session.
          const replay = async () => {
            let afterLogout = false;
            const result = await jittered(() =>
              outcome(
                sessions.rotate(opened.refreshToken, {}, async (session) => {
                  // 0 to 3 ms, about a database round trip: the logout may finish meanwhile.
                  await new Promise((resolve) => setTimeout(resolve, randomBytes(1)[0]! % 4));
                  afterLogout = loggedOut;
                  return session.userId;
                }),
              ),
            );
            return { result, afterLogout };
          };
          const logout = jittered(() => sessions.revokeByToken(first.refreshToken)).then(() => {
            loggedOut = true;
          });
          const [, ...done] = await Promise.all([logout, replay(), replay()]);
          for (const { result, afterLogout } of done) {
            if (result.ok && afterLogout) violations++;
            if (result.ok && (await outcome(refresh(result.value.refreshToken))).ok) violations++;
            outcomes[result.ok ? 'replayFirst' : 'logoutFirst']!++;
          }
          if (await isLive(opened.session.id)) violations++;
        }
        report('grace-window replay racing logout', { rounds, violations, outcomes });
      });

      test(`leaves nothing live when a revocation races a rotation (${rounds} rounds)`, async () => {
        const { sessions, refresh } = instance({ reuseGracePeriod: 0 });
        for (let round = 0; round < rounds; round++) {
          const opened = await sessions.open(user('race'));
          const spent = opened.refreshToken;
          const current = (await refresh(spent)).refreshToken;
          const results = await Promise.all([
            outcome(refresh(current)),
            outcome(refresh(current)),
            round % 2 === 0 ? outcome(refresh(spent)) : outcome(sessions.revokeByToken(spent)),
            outcome(refresh(current)),
          ]);
          const minted = results.flatMap((r) =>
            r.ok && r.value !== null && 'refreshToken' in r.value ? [r.value.refreshToken] : [],
          );
          expect(await isLive(opened.session.id)).toBe(false);
          for (const token of [spent, current, ...minted]) {
            expect((await outcome(refresh(token))).ok).toBe(false);
          }
        }
      });
    });
  });
}
