// Property-based fuzzing (issue 5, point 2) of the login and register bodies: no response
// >= 500 over FUZZ_RUNS generated inputs per endpoint, and the process stays up.
import * as fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshEmail, USER_PASSWORD } from '../support/security-sample-app.js';
import {
  anyJson,
  FUZZ_RUNS,
  mutationOf,
  startFuzzApp,
  StatusTally,
  type FuzzApp,
} from './fuzz-support.js';

describe('fuzzing the login and register bodies (sample app on Fastify, inject)', () => {
  let fuzz: FuzzApp;
  let email: string;

  beforeAll(async () => {
    fuzz = await startFuzzApp();
    email = freshEmail('fuzz');
    const payload = JSON.stringify({ email, password: USER_PASSWORD });
    const registered = await fuzz.inject({
      method: 'POST',
      url: '/auth/register',
      headers: { 'content-type': 'application/json' },
      payload,
    });
    if (registered.status !== 201) throw new Error(`register: ${registered.status}`);
  });
  afterAll(async () => {
    await fuzz.sample.close();
  });

  const credentials = () => {
    const emailValue = fc.oneof(
      fc.emailAddress(),
      fc.string({ maxLength: 300 }),
      anyJson,
      fc.constant(email),
      mutationOf(email),
      fc.string({ unit: 'grapheme', maxLength: 40 }).map((local) => `${local}@example.com`),
    );
    const passwordValue = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.string({ unit: 'grapheme', maxLength: 60 }),
      anyJson,
      mutationOf(USER_PASSWORD),
      fc.constant(USER_PASSWORD),
    );
    return fc.oneof(
      fc.record({ email: emailValue, password: passwordValue }).map((body) => JSON.stringify(body)),
      fc
        .record({ email: emailValue, password: passwordValue }, { requiredKeys: [] })
        .map((body) => JSON.stringify(body)),
      fc
        .tuple(
          emailValue,
          passwordValue,
          fc.dictionary(fc.string({ maxLength: 12 }), anyJson, { maxKeys: 3 }),
        )
        .map(([e, p, extra]) => JSON.stringify({ ...extra, email: e, password: p })),
      anyJson.map((value) => JSON.stringify(value)),
      fc.string({ maxLength: 300 }),
    );
  };

  it.each(['/auth/login', '/auth/register'])(
    `POST %s body: ${FUZZ_RUNS} inputs, no 5xx`,
    async (url) => {
      const tally = new StatusTally();
      await fc.assert(
        fc.asyncProperty(
          credentials(),
          fc.constantFrom('application/json', 'application/json', 'application/json', 'text/plain'),
          async (payload, type) => {
            const response = await fuzz.inject({
              method: 'POST',
              url,
              headers: { 'content-type': type },
              payload,
            });
            tally.record(response.status, { payload, type });
            return response.status < 500;
          },
        ),
        { numRuns: FUZZ_RUNS },
      );
      const { total, serverErrors } = tally.report(`POST ${url} with a fuzzed body`);
      expect(total).toBeGreaterThanOrEqual(FUZZ_RUNS);
      expect(serverErrors).toEqual([]);
    },
  );

  it('the process is still up and healthy afterwards', async () => {
    expect(await fuzz.inject({ method: 'GET', url: '/health' })).toEqual({
      status: 200,
      body: '{"status":"ok"}',
    });
  });
});
