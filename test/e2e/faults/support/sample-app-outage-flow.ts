import { decodeJwt } from 'jose';
import request from 'supertest';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { TokenPair } from '../../../../lib/index.js';
import { DATABASE_TIMEOUT_MS } from '../../../../sample-app/src/database/database-options.js';
import { ADMIN, startSampleApp, type SampleTestApp } from '../../../support/sample-app.js';
import { bearer, expectErrorBody, login, signUp } from '../../../support/http-helpers.js';

interface Timed {
  readonly route: string;
  readonly status: number;
  readonly ms: number;
  readonly retryAfter: string | undefined;
  readonly body: unknown;
}

/** The stateless route answers 200; every route needing the database 503, all in time. */
function expectOutageAnswers(results: readonly Timed[], withinMs: number): void {
  const [claims, ...needDatabase] = results;
  // The stateless half: the access token alone.
  expect(claims?.route).toBe('GET /me/claims');
  expect(claims?.status).toBe(200);
  expect(claims?.ms).toBeLessThan(withinMs);
  for (const result of needDatabase) {
    expect(result.status, result.route).toBe(503);
    expect(result.retryAfter, result.route).toBe('5');
    expectErrorBody(result.body, 503);
    expect(JSON.stringify(result.body)).not.toMatch(/select|insert|econn|postgres|timeout/i);
    expect(result.ms, result.route).toBeLessThan(withinMs);
  }
}

/** How a spec file breaks and mends its database. */
export interface DatabaseFaults {
  /** What the figures are about, e.g. 'private PostgreSQL'. */
  readonly label: string;
  /** Starts the database; returns the sample app's `DATABASE_URL`. */
  readonly start: () => Promise<string>;
  /** Stops it the way a crash does: connections dropped, new ones refused. */
  readonly crash: () => Promise<void>;
  readonly restart: () => Promise<void>;
  /** Nothing answers, connections stay open (SIGSTOP, or a frozen proxy). */
  readonly freeze: () => void;
  readonly thaw: () => void;
  readonly stop: () => Promise<void>;
}

/**
 * The sample app through a database crash, restart, freeze and thaw: the stateless route keeps
 * answering, every route needing the database answers 503 with `Retry-After` in bounded time,
 * and the session and refresh token from before work afterwards. Prints the latencies.
 */
export function sampleAppOutageFlow(faults: DatabaseFaults): void {
  const figures: string[] = [];
  let sample: SampleTestApp;
  let user: { email: string; tokens: TokenPair };
  let adminTokens: TokenPair;
  /** The session opened before any outage: it must survive all of them. */
  let sessionId: string;

  beforeAll(async () => {
    sample = await startSampleApp({ DATABASE_URL: await faults.start() });
    user = await signUp(sample.server, 'outage');
    sessionId = decodeJwt(user.tokens.accessToken).sid as string;
    adminTokens = await login(sample.server, ADMIN.email, ADMIN.password);
  });

  afterAll(async () => {
    await sample?.close();
    await faults.stop();
    console.warn(`database outage figures (sample app, ${faults.label}):\n${figures.join('\n')}`);
  });

  /** Every route that needs the database, and the one that must not, all at once. */
  async function probe(phase: string): Promise<Timed[]> {
    const calls: [string, () => request.Test][] = [
      [
        'GET /me/claims',
        () => request(sample.server).get('/me/claims').set('Authorization', bearer(user.tokens)),
      ],
      [
        'POST /auth/refresh',
        () =>
          request(sample.server)
            .post('/auth/refresh')
            .send({ refreshToken: user.tokens.refreshToken }),
      ],
      [
        'POST /auth/login',
        () =>
          request(sample.server)
            .post('/auth/login')
            .send({ email: user.email, password: 'password-123' }),
      ],
      [
        'POST /auth/register',
        () =>
          request(sample.server)
            .post('/auth/register')
            .send({ email: `new-${phase}@example.com`, password: 'password-123' }),
      ],
      [
        'GET /me',
        () => request(sample.server).get('/me').set('Authorization', bearer(user.tokens)),
      ],
      [
        'GET /auth/sessions',
        () =>
          request(sample.server).get('/auth/sessions').set('Authorization', bearer(user.tokens)),
      ],
      [
        // Must not revoke the session late: expectSessionWorks() checks it afterwards.
        'POST /auth/logout',
        () =>
          request(sample.server)
            .post('/auth/logout')
            .send({ refreshToken: user.tokens.refreshToken }),
      ],
      [
        'GET /admin/users',
        () => request(sample.server).get('/admin/users').set('Authorization', bearer(adminTokens)),
      ],
    ];
    const results = await Promise.all(
      calls.map(async ([route, call]): Promise<Timed> => {
        const started = performance.now();
        const response = await call();
        const ms = Math.round(performance.now() - started);
        return {
          route,
          status: response.status,
          ms,
          retryAfter: response.headers['retry-after'] as string | undefined,
          body: response.body,
        };
      }),
    );
    for (const result of results) {
      figures.push(
        `  ${phase.padEnd(8)} ${result.route.padEnd(20)} ${result.status} in ${result.ms} ms`,
      );
    }
    return results;
  }

  async function expectSessionWorks(phase: string): Promise<void> {
    // The refresh token held from before the outage rotates; its session is still listed.
    const started = performance.now();
    const refreshed = await request(sample.server)
      .post('/auth/refresh')
      .send({ refreshToken: user.tokens.refreshToken });
    figures.push(
      `  ${phase.padEnd(8)} ${'POST /auth/refresh'.padEnd(20)} ${refreshed.status} in ${Math.round(performance.now() - started)} ms (the token held from before)`,
    );
    expect(refreshed.status).toBe(200);
    const tokens = refreshed.body as TokenPair;
    const sessions = await request(sample.server)
      .get('/auth/sessions')
      .set('Authorization', bearer(tokens))
      .expect(200);
    expect((sessions.body as { id: string }[]).map((session) => session.id)).toContain(sessionId);
    await request(sample.server).get('/me').set('Authorization', bearer(tokens)).expect(200);
    user = { ...user, tokens };
  }

  it('crashed: /me/claims answers 200; every route needing the database 503 in under 2 s', async () => {
    await faults.crash();
    expectOutageAnswers(await probe('crashed'), 2000);
  });

  it('restarted: the refresh token held from before works, and login does', async () => {
    await faults.restart();
    await expectSessionWorks('restart');
    await login(sample.server, user.email);
  });

  it(`frozen: the same answers within the ${DATABASE_TIMEOUT_MS} ms timeout`, async () => {
    faults.freeze();
    try {
      expectOutageAnswers(await probe('frozen'), DATABASE_TIMEOUT_MS + 1000);
    } finally {
      faults.thaw();
    }
  });

  it('thawed: the refresh token held from before works; nothing was spent by the 503s', async () => {
    await expectSessionWorks('thawed');
    // Nothing the failed calls started landed late: no account was created by the 503.
    const users = await request(sample.server)
      .get('/admin/users')
      .set('Authorization', bearer(adminTokens))
      .expect(200);
    const emails = (users.body as { email: string }[]).map((u) => u.email);
    expect(emails).not.toContain('new-crashed@example.com');
  });
}
