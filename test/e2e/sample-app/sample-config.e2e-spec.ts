import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDuration } from '../../../sample-app/src/config/parse-duration.js';
import { loadSampleConfig, SampleConfigError } from '../../../sample-app/src/sample-config.js';

const PEM =
  '-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg\n-----END PRIVATE KEY-----\n';

function problemsOf(env: Record<string, string>): readonly string[] {
  try {
    loadSampleConfig(env);
  } catch (error) {
    if (error instanceof SampleConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a SampleConfigError');
}

describe('sample app configuration', () => {
  it('applies the contract defaults to an empty environment', () => {
    const config = loadSampleConfig({});
    expect(config).toMatchObject({
      port: 3000,
      host: '127.0.0.1',
      httpAdapter: 'express',
      database: { type: 'sqlite', path: resolve('sample-app/data/sample.sqlite') },
      dataDir: resolve('sample-app/data'),
      auth: {
        algorithm: 'ES256',
        privateKey: null,
        issuer: 'http://localhost:3000',
        audience: 'sample-api',
        accessTokenTtl: 15 * 60,
        refreshTtl: 30 * 86_400,
        refreshIdleTtl: 14 * 86_400,
        refreshGrace: 10,
      },
      admin: null,
      redisUrl: null,
    });
  });

  it('derives the default issuer from PORT', () => {
    expect(loadSampleConfig({ PORT: '8080' }).auth.issuer).toBe('http://localhost:8080');
  });

  it.each([
    ['90s', 90],
    ['15m', 900],
    ['12h', 43_200],
    ['30d', 2_592_000],
    ['900', 900],
    ['0s', 0],
  ])('reads the duration %s as %i seconds', (text, seconds) => {
    expect(parseDuration(text)).toBe(seconds);
  });

  it('passes durations to the library as numbers of seconds, plain numbers included', () => {
    const config = loadSampleConfig({
      AUTH_ACCESS_TTL: '120',
      AUTH_REFRESH_GRACE: '0s',
      AUTH_REFRESH_IDLE_TTL: '2h',
    });
    expect(config.auth.accessTokenTtl).toBe(120);
    expect(config.auth.refreshGrace).toBe(0);
    expect(config.auth.refreshIdleTtl).toBe(7200);
  });

  it('selects the database from the DATABASE_URL scheme', () => {
    expect(loadSampleConfig({ DATABASE_URL: 'postgres://u@h/db' }).database).toEqual({
      type: 'postgres',
      url: 'postgres://u@h/db',
      schema: null,
    });
    expect(loadSampleConfig({ DATABASE_URL: 'mysql://u@h/db' }).database).toEqual({
      type: 'mysql',
      url: 'mysql://u@h/db',
    });
    expect(loadSampleConfig({ DATABASE_URL: 'mariadb://u@h/db' }).database).toEqual({
      type: 'mariadb',
      url: 'mysql://u@h/db',
    });
    expect(loadSampleConfig({ SQLITE_PATH: ':memory:' }).database).toEqual({
      type: 'sqlite',
      path: ':memory:',
    });
  });

  it('reads AUTH_PRIVATE_KEY as a PEM, also with escaped newlines, or as a JWK', () => {
    expect(loadSampleConfig({ AUTH_PRIVATE_KEY: PEM }).auth.privateKey).toBe(PEM);
    expect(
      loadSampleConfig({ AUTH_PRIVATE_KEY: PEM.replaceAll('\n', '\\n') }).auth.privateKey,
    ).toBe(PEM);
    const jwk = { kty: 'OKP', crv: 'Ed25519', x: 'x', d: 'd' };
    expect(
      loadSampleConfig({ AUTH_PRIVATE_KEY: JSON.stringify(jwk), AUTH_ALG: 'EdDSA' }).auth,
    ).toMatchObject({
      privateKey: jwk,
      algorithm: 'EdDSA',
    });
  });

  it('lists every invalid variable in one error, without echoing secrets', () => {
    const problems = problemsOf({
      PORT: 'eighty',
      HTTP_ADAPTER: 'koa',
      AUTH_ALG: 'HS256',
      AUTH_ACCESS_TTL: '15 minutes',
      AUTH_REFRESH_TTL: '0s',
      AUTH_PRIVATE_KEY: 'secret-key-material',
      DATABASE_URL: 'redis://user:hunter2@host/0',
      SAMPLE_ADMIN_EMAIL: 'admin@example.com',
      THROTTLE_LIMIT: '0',
      SCRYPT_COST: '1000',
    });
    expect(problems.map((problem) => problem.split(':')[0])).toEqual([
      'PORT',
      'HTTP_ADAPTER',
      'DATABASE_URL',
      'AUTH_ALG',
      'AUTH_PRIVATE_KEY',
      'AUTH_ACCESS_TTL',
      'AUTH_REFRESH_TTL',
      'SAMPLE_ADMIN_EMAIL, SAMPLE_ADMIN_PASSWORD',
      'THROTTLE_LIMIT',
      'SCRYPT_COST',
    ]);
    expect(problems.join('\n')).not.toMatch(/hunter2|secret-key-material/);
  });

  it('refuses an administrator password outside 8 to 128 characters', () => {
    expect(
      problemsOf({ SAMPLE_ADMIN_EMAIL: 'admin@example.com', SAMPLE_ADMIN_PASSWORD: 'short' }),
    ).toEqual(['SAMPLE_ADMIN_PASSWORD: must be 8 to 128 characters long']);
  });

  it('reads AUTH_ALLOWED_ORIGINS as a comma-separated list of origins, none by default', () => {
    expect(loadSampleConfig({}).allowedOrigins).toEqual([]);
    expect(
      loadSampleConfig({ AUTH_ALLOWED_ORIGINS: ' https://app.example.com ,http://127.0.0.1:5173,' })
        .allowedOrigins,
    ).toEqual(['https://app.example.com', 'http://127.0.0.1:5173']);
  });

  it.each([
    'https://app.example.com/',
    'https://app.example.com/login',
    'app.example.com',
    'null',
    '*',
  ])('refuses %s in AUTH_ALLOWED_ORIGINS', (origin) => {
    expect(problemsOf({ AUTH_ALLOWED_ORIGINS: origin })).toEqual([
      expect.stringMatching(/^AUTH_ALLOWED_ORIGINS: '.+' is not an origin/),
    ]);
  });
});
