import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TokenPair } from '../../../lib/index.js';
import { DATABASE_CONNECT_TIMEOUT_MS } from '../../../sample-app/src/database/database-options.js';
import { bearer, expectErrorBody, signUp } from '../../support/http-helpers.js';
import { startSampleApp, type SampleTestApp } from '../../support/sample-app.js';

/** Another process that holds an exclusive lock on the SQLite file until told to commit. */
async function lockDatabase(path: string): Promise<ChildProcess> {
  const holder = spawn(
    process.execPath,
    [
      '-e',
      `const db = new (require('better-sqlite3'))(${JSON.stringify(path)});
       db.exec('BEGIN EXCLUSIVE');
       process.stdout.write('locked\\n');
       process.stdin.once('data', () => { db.exec('COMMIT'); db.close(); process.exit(0); });`,
    ],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  await once(holder.stdout!, 'data');
  return holder;
}

describe('sample app while another process holds the SQLite write lock', () => {
  let dir: string;
  let sample: SampleTestApp;
  let user: { email: string; tokens: TokenPair };
  const figures: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'nha-sqlite-'));
    sample = await startSampleApp({ SQLITE_PATH: join(dir, 'sample.sqlite') });
    user = await signUp(sample.server, 'busy');
  });

  afterAll(async () => {
    await sample?.close();
    rmSync(dir, { recursive: true, force: true });
    console.warn(`SQLite busy figures (sample app):\n${figures.join('\n')}`);
  });

  it('answers 503 with Retry-After after the busy timeout, /me/claims 200; the session works once the lock is gone', async () => {
    const holder = await lockDatabase(join(dir, 'sample.sqlite'));
    try {
      // One at a time: better-sqlite3 waits for the lock synchronously, blocking the event loop.
      for (const [route, call] of [
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
          'GET /me',
          () => request(sample.server).get('/me').set('Authorization', bearer(user.tokens)),
        ],
      ] as const) {
        const started = performance.now();
        const response = await call();
        const ms = Math.round(performance.now() - started);
        figures.push(`  locked   ${route.padEnd(20)} ${response.status} in ${ms} ms`);
        expect(response.status, route).toBe(503);
        expect(response.headers['retry-after'], route).toBe('5');
        expectErrorBody(response.body, 503);
        expect(ms, route).toBeLessThan(DATABASE_CONNECT_TIMEOUT_MS + 1000);
      }
      await request(sample.server)
        .get('/me/claims')
        .set('Authorization', bearer(user.tokens))
        .expect(200);
    } finally {
      holder.stdin!.write('\n');
      await once(holder, 'exit');
    }
    const refreshed = await request(sample.server)
      .post('/auth/refresh')
      .send({ refreshToken: user.tokens.refreshToken });
    figures.push(
      `  released POST /auth/refresh   ${refreshed.status} (the token held from before)`,
    );
    expect(refreshed.status).toBe(200);
  });
});
