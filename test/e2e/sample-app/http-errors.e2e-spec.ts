import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectErrorBody } from '../../support/http-helpers.js';
import { startSampleApp, type SampleTestApp } from '../../support/sample-app.js';

const SECRET = 'do-not-echo-this-secret-value';

describe.each(['express', 'fastify'])('sample app error responses (%s)', (adapter) => {
  let sample: SampleTestApp;
  const http = () => request(sample.server);

  beforeAll(async () => {
    sample = await startSampleApp({ HTTP_ADAPTER: adapter });
  });
  afterAll(async () => {
    await sample?.close();
  });

  it('answers malformed JSON with 400 and without quoting the body', async () => {
    const response = await http()
      .post('/auth/refresh')
      .set('Content-Type', 'application/json')
      .send(`{"refreshToken": "${SECRET}"`);
    expect(response.status).toBe(400);
    expectErrorBody(response.body, 400);
    expect(response.text).not.toContain(SECRET);
  });

  it('answers a body over 16 KiB with 413', async () => {
    const response = await http()
      .post('/auth/logout')
      .send({ refreshToken: 'x'.repeat(17 * 1024) });
    expect(response.status).toBe(413);
    expectErrorBody(response.body, 413);
  });

  it.each([
    ['a JSON array', '[]', 'application/json'],
    ['JSON null', 'null', 'application/json'],
    ['a JSON string', '"text"', 'application/json'],
    ['a form body', 'refreshToken=abc', 'application/x-www-form-urlencoded'],
    ['plain text', 'abc', 'text/plain'],
  ])(
    'answers %s instead of an object with a 4xx error body, never 500',
    async (_case, body, type) => {
      const response = await http().post('/auth/logout').set('Content-Type', type).send(body);
      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(response.status).toBeLessThan(500);
      expectErrorBody(response.body, response.status);
    },
  );

  it('answers an unknown route with 404 without echoing the query string', async () => {
    const response = await http().get(`/nowhere?access_token=${SECRET}`);
    expect(response.status).toBe(404);
    expectErrorBody(response.body, 404);
    expect(response.text).not.toContain(SECRET);
  });

  it('does not accept the access token from the query string', async () => {
    const response = await http().get(`/me?access_token=${SECRET}`);
    expect(response.status).toBe(401);
    expect(response.headers['www-authenticate']).toBe('Bearer');
  });

  it('never echoes a submitted password in a validation error', async () => {
    const response = await http()
      .post('/auth/register')
      .send({ email: 'bad', password: SECRET, extra: SECRET });
    expect(response.status).toBe(400);
    expectErrorBody(response.body, 400);
    expect(response.text).not.toContain(SECRET);
  });

  describe('rate limiting', () => {
    let limited: SampleTestApp;

    beforeAll(async () => {
      limited = await startSampleApp({
        HTTP_ADAPTER: adapter,
        THROTTLE_LIMIT: '3',
        THROTTLE_TTL: '1h',
      });
    });
    afterAll(async () => {
      await limited?.close();
    });

    it.each([
      ['/auth/login', { email: 'someone@example.com', password: 'password-123' }],
      ['/auth/register', { email: 'x', password: 'y' }],
    ])('rate-limits POST %s per client with 429 and Retry-After', async (path, body) => {
      const responses = [];
      for (let attempt = 0; attempt < 4; attempt += 1) {
        responses.push(await request(limited.server).post(path).send(body));
      }
      const limitedResponse = responses.pop()!;
      expect(responses.map((response) => response.status)).not.toContain(429);
      expect(limitedResponse.status).toBe(429);
      expectErrorBody(limitedResponse.body, 429);
      expect(Number(limitedResponse.headers['retry-after'])).toBeGreaterThan(0);
    });

    it('does not rate-limit refresh, logout or authenticated routes', async () => {
      for (let attempt = 0; attempt < 5; attempt += 1) {
        // The contract: rate limits protect credentials, not tokens.
        await request(limited.server)
          .post('/auth/refresh')
          .send({ refreshToken: 'A'.repeat(43) })
          .expect(401);
        await request(limited.server)
          .post('/auth/logout')
          .send({ refreshToken: 'A'.repeat(43) })
          .expect(204);
        await request(limited.server).get('/me').expect(401);
      }
    });
  });
});
