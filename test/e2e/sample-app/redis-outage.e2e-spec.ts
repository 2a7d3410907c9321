import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { TokenPair } from '../../../lib/index.js';
import type { RedisRevocationStore } from '../../../lib/redis/index.js';
import { SampleRevocation } from '../../../sample-app/src/revocation/sample-revocation.service.js';
import {
  describeWithRedisServer,
  startPrivateRedis,
  type PrivateRedis,
} from '../../support/private-redis.js';
import { bearer, signUp } from '../../support/http-helpers.js';
import { startSampleApp, type SampleTestApp } from '../../support/sample-app.js';

/** Polls `check` every 10 ms; resolves with the time (ms since epoch) it first held. */
async function when(check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return Date.now();
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function status(app: SampleTestApp, tokens: TokenPair): Promise<number> {
  return (await request(app.server).get('/me').set('Authorization', bearer(tokens))).status;
}

function storeOf(app: SampleTestApp): RedisRevocationStore {
  return app.app.get(SampleRevocation).store as RedisRevocationStore;
}

/** Runs `call` and returns its HTTP status and latency in ms. */
async function timed(call: () => Promise<{ status: number }>): Promise<[number, number]> {
  const start = performance.now();
  const response = await call();
  return [response.status, Math.round(performance.now() - start)];
}

describeWithRedisServer('sample app instances while their Redis stops, restarts and stalls', () => {
  let dir: string;
  let redis: PrivateRedis;
  let a: SampleTestApp;
  let b: SampleTestApp;
  let refusing: SampleTestApp;

  beforeAll(async () => {
    redis = await startPrivateRedis();
    dir = await mkdtemp(join(tmpdir(), 'sample-redis-outage-'));
    const env = { SQLITE_PATH: join(dir, 'shared.sqlite'), REDIS_URL: redis.url };
    a = await startSampleApp(env);
    b = await startSampleApp(env);
    refusing = await startSampleApp({ ...env, REDIS_WHEN_UNAVAILABLE: 'refuse' });
  });
  afterAll(async () => {
    for (const app of [a, b, refusing]) await app?.close();
    await redis?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('Redis stopped: logout, logout-all and reuse detection answer at once; once Redis is back the other instance refuses their tokens within 1 s', async () => {
    const out = await signUp(a.server, 'out');
    const all = await signUp(a.server, 'all');
    const reused = await signUp(a.server, 'reused');
    for (const user of [out, all, reused]) expect(await status(b, user.tokens)).toBe(200);
    expect(await status(refusing, out.tokens)).toBe(200);

    await redis.stop();
    await when(() => !storeOf(a).available && !storeOf(b).available, 3000);

    const [logout, logoutMs] = await timed(() =>
      request(a.server).post('/auth/logout').send({ refreshToken: out.tokens.refreshToken }),
    );
    const [logoutAll, logoutAllMs] = await timed(() =>
      request(a.server).post('/auth/logout-all').set('Authorization', bearer(all.tokens)),
    );
    await request(a.server)
      .post('/auth/refresh')
      .send({ refreshToken: reused.tokens.refreshToken })
      .expect(200);
    a.clock.advance(a.config.auth.refreshGrace + 1);
    const [reuse, reuseMs] = await timed(() =>
      request(a.server).post('/auth/refresh').send({ refreshToken: reused.tokens.refreshToken }),
    );
    expect([logout, logoutAll, reuse]).toEqual([204, 204, 401]);
    for (const ms of [logoutMs, logoutAllMs, reuseMs]) expect(ms).toBeLessThan(3000);
    // Applied where it was made, at once; the other instance cannot know yet (the stated policy).
    for (const user of [out, all, reused]) expect(await status(a, user.tokens)).toBe(401);
    expect(await status(b, out.tokens)).toBe(200);
    expect(storeOf(a).pending).toBe(3);
    // The opt-in: refuse every token rather than accept a possibly revoked one.
    const refusal = await request(refusing.server)
      .get('/me')
      .set('Authorization', bearer(out.tokens));
    expect(refusal.status).toBe(503);

    const restarted = Date.now();
    await redis.start();
    const reconnected = await when(() => storeOf(a).available && storeOf(b).available, 5000);
    const refused = await when(async () => {
      const statuses = await Promise.all([out, all, reused].map((user) => status(b, user.tokens)));
      return statuses.every((code) => code === 401);
    }, 5000);
    expect(storeOf(a).pending).toBe(0);
    expect(refused - reconnected).toBeLessThan(1000);
    await when(async () => (await status(refusing, out.tokens)) === 401, 3000);
    // Redis restarted empty (no persistence): A wrote its revocations again, so an instance
    // started now learns them too.
    const late = await startSampleApp({
      SQLITE_PATH: join(dir, 'shared.sqlite'),
      REDIS_URL: redis.url,
    });
    try {
      for (const user of [out, all, reused]) expect(await status(late, user.tokens)).toBe(401);
    } finally {
      await late.close();
    }
    console.warn(
      `[figures] Redis stopped: logout ${logout} in ${logoutMs} ms, logout-all ${logoutAll} in ${logoutAllMs} ms, ` +
        `reuse ${reuse} in ${reuseMs} ms; refusing instance: /me ${refusal.status}. Redis restarted: ` +
        `A and B reconnected after ${reconnected - restarted} ms, B refused all three tokens ` +
        `${refused - restarted} ms after the restart (${Math.max(0, refused - reconnected)} ms after reconnecting)`,
    );
  });

  it('Redis frozen (SIGSTOP): logout answers 204 within the command timeout; after the thaw the other instance refuses the token', async () => {
    // The first test moved A's clock past the grace window; the instances agree again.
    for (const app of [b, refusing]) app.clock.set(a.clock.now());
    const user = await signUp(a.server, 'frozen');
    expect(await status(b, user.tokens)).toBe(200);

    const frozen = Date.now();
    redis.freeze();
    const [logout, logoutMs] = await timed(() =>
      request(a.server).post('/auth/logout').send({ refreshToken: user.tokens.refreshToken }),
    );
    expect(logout).toBe(204);
    // The store waits at most commandTimeout (1 s) for Redis; the database part is SQLite.
    expect(logoutMs).toBeLessThan(2500);
    expect(await status(a, user.tokens)).toBe(401);
    const detected = await when(() => !storeOf(refusing).available, 5000);
    const frozenRefusal = (
      await request(refusing.server).get('/me').set('Authorization', bearer(user.tokens))
    ).status;
    expect(frozenRefusal).toBe(503);

    const thawed = Date.now();
    redis.thaw();
    const refused = await when(async () => (await status(b, user.tokens)) === 401, 5000);
    await when(() => storeOf(refusing).available, 5000);
    console.warn(
      `[figures] Redis frozen: logout ${logout} in ${logoutMs} ms; the refusing instance answered 503 ` +
        `from ${detected - frozen} ms after the freeze; after SIGCONT B refused the token in ${refused - thawed} ms`,
    );
  });
});
