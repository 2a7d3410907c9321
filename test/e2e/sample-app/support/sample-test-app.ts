import type { Server } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { exportPKCS8, generateKeyPair } from 'jose';
import { AUTH_CLOCK } from '../../../../lib/index.js';
import {
  configureSampleApp,
  createHttpAdapter,
  sampleAppOptions,
} from '../../../../sample-app/src/create-sample-app.js';
import { resolveSigningKey } from '../../../../sample-app/src/keys/resolve-signing-key.js';
import { SampleAppModule } from '../../../../sample-app/src/sample-app.module.js';
import { loadSampleConfig, type SampleConfig } from '../../../../sample-app/src/sample-config.js';
import { FixedClock } from '../../../support/fixed-clock.js';

/** Environment of the sample app under test: variable name to value. */
export type SampleEnv = Record<string, string | undefined>;

/** A running sample app: its HTTP server for supertest and the clock that drives its tokens. */
export interface SampleTestApp {
  readonly app: INestApplication;
  readonly server: Server;
  readonly clock: FixedClock;
  readonly config: SampleConfig;
  close(): Promise<void>;
}

/** The administrator every test app is started with. */
export const ADMIN = Object.freeze({ email: 'admin@example.com', password: 'admin-password-1' });

let es256Pem: Promise<string> | undefined;

/** One ES256 PKCS#8 key per test process: generating keys per app is slow and tests nothing. */
export function testSigningKey(): Promise<string> {
  es256Pem ??= generateKeyPair('ES256', { extractable: true }).then(({ privateKey }) =>
    exportPKCS8(privateKey),
  );
  return es256Pem;
}

/**
 * The env every test app starts from: SQLite in memory, a fixed key, a cheap scrypt cost
 * (the format is the same, only slower in production), short lifetimes and no rate limit in
 * reach. `overrides` win; `undefined` removes a variable.
 */
export async function testEnv(overrides: SampleEnv = {}): Promise<SampleEnv> {
  return {
    SQLITE_PATH: ':memory:',
    AUTH_PRIVATE_KEY: await testSigningKey(),
    AUTH_ISSUER: 'http://sample.test',
    AUTH_ACCESS_TTL: '60s',
    AUTH_REFRESH_TTL: '1h',
    AUTH_REFRESH_IDLE_TTL: '30m',
    AUTH_REFRESH_GRACE: '5s',
    SCRYPT_COST: '1024',
    THROTTLE_LIMIT: '10000',
    SAMPLE_ADMIN_EMAIL: ADMIN.email,
    SAMPLE_ADMIN_PASSWORD: ADMIN.password,
    ...overrides,
  };
}

/**
 * Starts the sample app in-process from an environment, with its `AUTH_CLOCK` replaced by a
 * {@link FixedClock} (the app's own module, built through `Test.createTestingModule`).
 */
export async function startSampleApp(overrides: SampleEnv = {}): Promise<SampleTestApp> {
  const config = loadSampleConfig(await testEnv(overrides));
  // Whole seconds, like token timestamps, so `expiresIn` comes out exact.
  const clock = new FixedClock(Math.floor(Date.now() / 1000) * 1000);
  const moduleRef = await Test.createTestingModule({
    imports: [SampleAppModule.forRoot(config, await resolveSigningKey(config))],
  })
    .overrideProvider(AUTH_CLOCK)
    .useValue(clock)
    .compile();
  const app = moduleRef.createNestApplication(
    createHttpAdapter(config),
    sampleAppOptions(config, { logger: ['error'] }),
  );
  await configureSampleApp(app, config);
  return {
    app,
    server: app.getHttpServer() as Server,
    clock,
    config,
    close: () => app.close(),
  };
}
