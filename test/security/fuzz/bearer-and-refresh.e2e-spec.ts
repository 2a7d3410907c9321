// Property-based fuzzing (issue 5, point 2) of the Authorization header and the refresh body:
// no response >= 500 over FUZZ_RUNS generated inputs per endpoint, and the process stays up.
import * as fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TokenPair } from '../../../lib/index.js';
import { b64u } from '../../support/forge.js';
import { freshEmail, USER_PASSWORD } from '../support/security-sample-app.js';
import {
  anyJson,
  FUZZ_RUNS,
  headerText,
  mutationOf,
  startFuzzApp,
  StatusTally,
  type FuzzApp,
} from './fuzz-support.js';

const base64url = (maxLength: number) =>
  fc.string({
    unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'),
    maxLength,
  });

describe('fuzzing the bearer header and the refresh body (sample app on Fastify, inject)', () => {
  let fuzz: FuzzApp;
  let pair: TokenPair;

  beforeAll(async () => {
    fuzz = await startFuzzApp();
    const email = freshEmail('fuzz');
    const payload = JSON.stringify({ email, password: USER_PASSWORD });
    const headers = { 'content-type': 'application/json' };
    const registered = await fuzz.inject({
      method: 'POST',
      url: '/auth/register',
      headers,
      payload,
    });
    if (registered.status !== 201) throw new Error(`register: ${registered.status}`);
    pair = JSON.parse(
      (await fuzz.inject({ method: 'POST', url: '/auth/login', headers, payload })).body,
    ) as TokenPair;
  });
  afterAll(async () => {
    await fuzz.sample.close();
  });

  it(`Authorization header: ${FUZZ_RUNS} inputs, no 5xx`, async () => {
    const [h, p, s] = pair.accessToken.split('.') as [string, string, string];
    const segment = fc.oneof(
      base64url(200),
      anyJson.map((value) => b64u(JSON.stringify(value))),
      fc.constantFrom(h, p, s, ''),
    );
    const jwsLike = fc
      .tuple(segment, segment, segment, fc.boolean())
      .map(([a, b, c, extra]) => `${a}.${b}.${c}${extra ? '.x' : ''}`);
    const value = fc.oneof(
      headerText(),
      headerText().map((text) => `Bearer ${text}`),
      jwsLike.map((token) => `Bearer ${token}`),
      fc
        .tuple(fc.constantFrom('Bearer', 'bearer', 'JWT', 'Basic', 'Token', 'Bearer:', ''), jwsLike)
        .map(([scheme, token]) => `${scheme} ${token}`),
      mutationOf(`Bearer ${pair.accessToken}`),
    );
    const route = fc.constantFrom('/me', '/me/claims', '/admin/users', '/auth/sessions');
    const tally = new StatusTally();
    await fc.assert(
      fc.asyncProperty(route, value, async (url, authorization) => {
        const response = await fuzz.inject({ method: 'GET', url, headers: { authorization } });
        tally.record(response.status, { url, authorization });
        return response.status < 500;
      }),
      { numRuns: FUZZ_RUNS },
    );
    const { total, serverErrors } = tally.report('GET with a fuzzed Authorization header');
    expect(total).toBeGreaterThanOrEqual(FUZZ_RUNS);
    expect(serverErrors).toEqual([]);
  });

  it(`POST /auth/refresh body: ${FUZZ_RUNS} inputs, no 5xx`, async () => {
    const token = fc.oneof(
      anyJson,
      fc.string({ maxLength: 600 }),
      base64url(90),
      mutationOf(pair.refreshToken),
      fc.constant(pair.accessToken),
    );
    const payload = fc.oneof(
      token.map((refreshToken) => JSON.stringify({ refreshToken })),
      fc
        .tuple(token, fc.dictionary(fc.string({ maxLength: 12 }), anyJson, { maxKeys: 3 }))
        .map(([refreshToken, extra]) => JSON.stringify({ ...extra, refreshToken })),
      anyJson.map((value) => JSON.stringify(value)),
      fc.string({ maxLength: 300 }),
      token.map((refreshToken) => `{"refreshToken":${JSON.stringify(refreshToken)}`),
    );
    const contentType = fc.constantFrom(
      'application/json',
      'application/json',
      'application/json',
      'text/plain',
      'application/x-www-form-urlencoded',
      'application/json; charset=utf-16',
    );
    const tally = new StatusTally();
    await fc.assert(
      fc.asyncProperty(payload, contentType, async (body, type) => {
        const response = await fuzz.inject({
          method: 'POST',
          url: '/auth/refresh',
          headers: { 'content-type': type },
          payload: body,
        });
        tally.record(response.status, { body, type });
        return response.status < 500;
      }),
      { numRuns: FUZZ_RUNS },
    );
    const { total, serverErrors } = tally.report('POST /auth/refresh with a fuzzed body');
    expect(total).toBeGreaterThanOrEqual(FUZZ_RUNS);
    expect(serverErrors).toEqual([]);
  });

  it('the process is still up and healthy afterwards', async () => {
    expect(await fuzz.inject({ method: 'GET', url: '/health' })).toEqual({
      status: 200,
      body: '{"status":"ok"}',
    });
  });
});
