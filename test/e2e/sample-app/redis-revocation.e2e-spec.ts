import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { describeWithService, uniqueName } from '../../support/services.js';
import { bearer, signUp } from '../../support/http-helpers.js';
import { startSampleApp, type SampleTestApp } from '../../support/sample-app.js';

describeWithService('redis', 'sample app instances sharing REDIS_URL', (url) => {
  let dir: string;
  let first: SampleTestApp;
  let second: SampleTestApp;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sample-redis-'));
    // One database and one Redis prefix for both instances, a prefix no other suite uses.
    const env = {
      SQLITE_PATH: join(dir, 'shared.sqlite'),
      REDIS_URL: url,
      REDIS_PREFIX: uniqueName('sample_revoked'),
    };
    first = await startSampleApp(env);
    second = await startSampleApp(env);
  });
  afterAll(async () => {
    await first?.close();
    await second?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses on one instance an access token whose user logged out everywhere on the other', async () => {
    const { tokens } = await signUp(first.server, 'shared');
    await request(second.server).get('/me').set('Authorization', bearer(tokens)).expect(200);

    await request(first.server)
      .post('/auth/logout-all')
      .set('Authorization', bearer(tokens))
      .expect(204);
    await request(first.server).get('/me').set('Authorization', bearer(tokens)).expect(401);
    // The revocation travels by Redis pub/sub: wait for it rather than for a fixed time.
    await vi.waitFor(
      async () => {
        const response = await request(second.server)
          .get('/me')
          .set('Authorization', bearer(tokens));
        expect(response.status).toBe(401);
      },
      { timeout: 5000, interval: 50 },
    );
  });

  it('refuses on one instance the access token of a session revoked by reuse detection on the other', async () => {
    const { tokens } = await signUp(first.server, 'reused');
    await request(first.server)
      .post('/auth/refresh')
      .send({ refreshToken: tokens.refreshToken })
      .expect(200);
    first.clock.advance(first.config.auth.refreshGrace + 1);
    await request(first.server)
      .post('/auth/refresh')
      .send({ refreshToken: tokens.refreshToken })
      .expect(401);
    await vi.waitFor(
      async () => {
        const response = await request(second.server)
          .get('/me')
          .set('Authorization', bearer(tokens));
        expect(response.status).toBe(401);
      },
      { timeout: 5000, interval: 50 },
    );
  });
});
