import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSample, listeningUrl, ROOT, runNode } from './support/node-process.js';

const MAIN = join(ROOT, 'dist-sample/sample-app/src/main.js');

/** Runs the built main.js as `npm run sample` does, with only the given variables. */
const run = (cwd: string, env: Record<string, string>) => runNode(MAIN, cwd, env);

describe('sample app process (dist-sample/sample-app/src/main.js)', () => {
  let cwd: string;

  beforeAll(async () => {
    // The same build `npm run sample` runs: tsc, then the demo page's static files.
    await buildSample(join(ROOT, 'dist-sample'));
    cwd = await mkdtemp(join(tmpdir(), 'sample-main-'));
  }, 180_000);
  afterAll(async () => {
    if (cwd !== undefined) await rm(cwd, { recursive: true, force: true });
  });

  it('prints one listening line, serves /health, creates its data folder, and exits 0 on SIGTERM', async () => {
    const started = run(cwd, { PORT: '0', SCRYPT_COST: '1024' });
    try {
      const url = await listeningUrl(started);
      const health = await fetch(`${url}/health`);
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ status: 'ok' });
      // The demo page comes with the built app.
      const page = await fetch(`${url}/`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
      expect(await page.text()).toContain('<script type="module" src="/demo.js"></script>');

      const lines = started.output().split('\n');
      expect(lines.filter((line) => line.includes('listening on'))).toEqual([
        `listening on ${url}`,
      ]);
      expect(started.output()).toContain('AUTH_PRIVATE_KEY is not set');
      expect(started.output()).not.toContain('PRIVATE KEY-----');
      expect(
        (await stat(join(cwd, 'sample-app/data/dev-signing-key-es256.pem'))).mode & 0o777,
      ).toBe(0o600);
      await stat(join(cwd, 'sample-app/data/sample.sqlite'));

      started.child.kill('SIGTERM');
      expect(await started.exited).toEqual({ code: 0, signal: null });
    } finally {
      started.child.kill('SIGKILL');
    }
  });

  it('refuses to start on an invalid environment, naming every bad variable', async () => {
    const started = run(cwd, { PORT: '0', AUTH_ALG: 'HS256', AUTH_ACCESS_TTL: 'soon' });
    expect(await started.exited).toEqual({ code: 1, signal: null });
    expect(started.output()).toMatch(/AUTH_ALG: expected one of/);
    expect(started.output()).toMatch(/AUTH_ACCESS_TTL: expected a duration/);
    expect(started.output()).not.toContain('listening on');
  });
});
