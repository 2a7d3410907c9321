import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Server } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import {
  createLocalJWKSet,
  decodeJwt,
  decodeProtectedHeader,
  jwtVerify,
  type JSONWebKeySet,
} from 'jose';
import request from 'supertest';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createSampleApp } from '../../../sample-app/src/create-sample-app.js';
import { loadSampleConfig, type SampleConfig } from '../../../sample-app/src/sample-config.js';
import { login, register } from '../../support/http-helpers.js';

/** The real factory, as main.ts uses it, on a SQLite file and a data folder in a temporary directory. */
describe('createSampleApp', () => {
  let dir: string;
  const apps: INestApplication[] = [];

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sample-app-'));
  });
  afterEach(async () => {
    for (const app of apps.splice(0)) await app.close();
    vi.restoreAllMocks();
    await rm(dir, { recursive: true, force: true });
  });

  function configFor(env: Record<string, string> = {}): SampleConfig {
    const config = loadSampleConfig({
      SQLITE_PATH: join(dir, 'nested', 'sample.sqlite'),
      SCRYPT_COST: '1024',
      ...env,
    });
    return { ...config, dataDir: join(dir, 'data') };
  }

  async function start(config: SampleConfig): Promise<Server> {
    const app = await createSampleApp(config, { logger: ['error', 'warn'] });
    apps.push(app);
    return app.getHttpServer() as Server;
  }

  async function stopAll(): Promise<void> {
    for (const app of apps.splice(0)) await app.close();
  }

  it('generates a development key once, mode 0600, warns without key material, and reuses it', async () => {
    const output: string[] = [];
    const capture = (chunk: unknown): boolean => {
      output.push(String(chunk));
      return true;
    };
    vi.spyOn(process.stdout, 'write').mockImplementation(capture);
    vi.spyOn(process.stderr, 'write').mockImplementation(capture);

    const first = await start(configFor());
    const keyFile = join(dir, 'data', 'dev-signing-key-es256.pem');
    expect((await stat(keyFile)).mode & 0o777).toBe(0o600);
    const pem = await readFile(keyFile, 'utf8');
    expect(pem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    const firstKid = (
      (await request(first).get('/.well-known/jwks.json').expect(200)).body as JSONWebKeySet
    ).keys[0]?.kid;
    await stopAll();

    const second = await start(configFor());
    const secondKid = (
      (await request(second).get('/.well-known/jwks.json').expect(200)).body as JSONWebKeySet
    ).keys[0]?.kid;
    vi.restoreAllMocks();

    expect(secondKid).toBe(firstKid);
    expect(await readFile(keyFile, 'utf8')).toBe(pem);
    const log = output.join('');
    expect(log).toContain('AUTH_PRIVATE_KEY is not set');
    expect(log).not.toContain('PRIVATE KEY-----');
    expect(log).not.toContain(pem.split('\n')[1]);
  });

  it('creates the SQLite folder, migrates once, and keeps users across restarts', async () => {
    const first = await start(configFor());
    await register(first, 'keeper@example.com');
    await stopAll();
    await stat(join(dir, 'nested', 'sample.sqlite'));

    const second = await start(configFor());
    const tokens = await login(second, 'keeper@example.com');
    await request(second)
      .get('/me')
      .set('Authorization', `Bearer ${tokens.accessToken}`)
      .expect(200);
  });

  it('makes an existing user the administrator: roles and password set at start-up', async () => {
    const first = await start(configFor());
    await register(first, 'boss@example.com', 'old-password-1');
    await stopAll();

    const second = await start(
      configFor({
        SAMPLE_ADMIN_EMAIL: ' Boss@Example.com ',
        SAMPLE_ADMIN_PASSWORD: 'new-password-1',
      }),
    );
    await request(second)
      .post('/auth/login')
      .send({ email: 'boss@example.com', password: 'old-password-1' })
      .expect(401);
    const tokens = await login(second, 'boss@example.com', 'new-password-1');
    expect(decodeJwt(tokens.accessToken).roles).toEqual(['admin', 'user']);
    const users = await request(second)
      .get('/admin/users')
      .set('Authorization', `Bearer ${tokens.accessToken}`)
      .expect(200);
    expect(users.body).toEqual([
      { id: expect.any(String), email: 'boss@example.com', roles: ['admin', 'user'] },
    ]);
  });

  it.each(['EdDSA', 'RS256', 'PS256', 'ES384'])('signs with AUTH_ALG=%s', async (algorithm) => {
    const server = await start(configFor({ AUTH_ALG: algorithm, SQLITE_PATH: ':memory:' }));
    await register(server, 'alg@example.com');
    const tokens = await login(server, 'alg@example.com');
    const jwks = (await request(server).get('/.well-known/jwks.json').expect(200))
      .body as JSONWebKeySet;
    expect(jwks.keys).toEqual([
      expect.objectContaining({ alg: algorithm, use: 'sig', kid: expect.any(String) }),
    ]);
    expect(jwks.keys[0]).not.toHaveProperty('d');
    expect(decodeProtectedHeader(tokens.accessToken)).toMatchObject({
      alg: algorithm,
      typ: 'at+jwt',
    });
    await jwtVerify(tokens.accessToken, createLocalJWKSet(jwks), {
      algorithms: [algorithm],
      issuer: 'http://localhost:3000',
      audience: 'sample-api',
      typ: 'at+jwt',
    });
  });
});
