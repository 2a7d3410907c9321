import type { Server } from 'node:http';
import type { INestApplication, LoggerService, LogLevel } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { AUTH_CLOCK } from '../../lib/index.js';
import {
  configureSampleApp,
  createHttpAdapter,
  sampleAppOptions,
} from '../../sample-app/src/create-sample-app.js';
import { resolveSigningKey } from '../../sample-app/src/keys/resolve-signing-key.js';
import { SampleAppModule } from '../../sample-app/src/sample-app.module.js';
import { loadSampleConfig, type SampleConfig } from '../../sample-app/src/sample-config.js';
import { FixedClock } from './fixed-clock.js';
import { testKeyPair } from './keys.js';

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

/**
 * The env every test app starts from: SQLite in memory, the ES256 key of `keys.ts` (so tests
 * can mint tokens the app accepts), a cheap scrypt cost
 * (the format is the same, only slower in production), short lifetimes and no rate limit in
 * reach. `overrides` win; `undefined` removes a variable.
 */
export function testEnv(overrides: SampleEnv = {}): SampleEnv {
  return {
    SQLITE_PATH: ':memory:',
    AUTH_PRIVATE_KEY: testKeyPair('ES256').privatePem,
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

/** Options of {@link startSampleApp} about the process, not the app. */
export interface StartSampleAppOptions {
  /** Nest logger or log levels. @default ['error'] */
  readonly logger?: LoggerService | LogLevel[];
}

/**
 * Starts the sample app in-process from an environment, with its `AUTH_CLOCK` replaced by a
 * {@link FixedClock} (the app's own module, built through `Test.createTestingModule`): the one
 * sample-app factory of the tests.
 */
export async function startSampleApp(
  overrides: SampleEnv = {},
  options: StartSampleAppOptions = {},
): Promise<SampleTestApp> {
  const config = loadSampleConfig(testEnv(overrides));
  // Whole seconds, like token timestamps, so `expiresIn` comes out exact.
  const clock = new FixedClock(Math.floor(Date.now() / 1000) * 1000);
  const moduleRef = await Test.createTestingModule({
    imports: [SampleAppModule.forRoot(config, await resolveSigningKey(config))],
  })
    .overrideProvider(AUTH_CLOCK)
    .useValue(clock)
    .compile();
  const app = moduleRef.createNestApplication(createHttpAdapter(config), {
    ...sampleAppOptions(config),
    logger: options.logger ?? ['error'],
  });
  await configureSampleApp(app, config);
  return {
    app,
    server: app.getHttpServer() as Server,
    clock,
    config,
    close: () => app.close(),
  };
}
