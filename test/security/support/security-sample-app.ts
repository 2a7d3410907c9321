import type { Server } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { AUTH_CLOCK, type TokenPair } from '../../../lib/index.js';
import {
  configureSampleApp,
  createHttpAdapter,
  sampleAppOptions,
} from '../../../sample-app/src/create-sample-app.js';
import { resolveSigningKey } from '../../../sample-app/src/keys/resolve-signing-key.js';
import { SampleAppModule } from '../../../sample-app/src/sample-app.module.js';
import { loadSampleConfig, type SampleConfig } from '../../../sample-app/src/sample-config.js';
import { FixedClock } from '../../support/fixed-clock.js';
import { testKeyPair } from '../../support/keys.js';
import { CaptureLogger } from './capture-logger.js';

/** The administrator every security sample app starts with. */
export const SAMPLE_ADMIN = Object.freeze({
  email: 'admin@example.com',
  password: 'admin-password-1',
});
/** The password of the users the tests register. */
export const USER_PASSWORD = 'user-password-1';
/** `AUTH_ISSUER` of the security sample apps. */
export const SAMPLE_ISSUER = 'http://sample.security.test';
/** `AUTH_AUDIENCE` of the security sample apps. */
export const SAMPLE_AUDIENCE = 'sample-api';

/** A running sample app with its clock, config and everything it logged. */
export interface SecuritySampleApp {
  readonly app: INestApplication;
  readonly server: Server;
  readonly clock: FixedClock;
  readonly config: SampleConfig;
  readonly logs: CaptureLogger;
  close(): Promise<void>;
}

/**
 * Starts the sample app in-process: its own module with `AUTH_CLOCK` replaced by a
 * {@link FixedClock}, every log line captured, the ES256 test key of `test/support/keys.ts`
 * (so tests can mint [K] tokens), a cheap scrypt cost and no rate limit in reach unless
 * `env` says otherwise.
 */
export async function startSecuritySampleApp(
  env: Record<string, string | undefined> = {},
): Promise<SecuritySampleApp> {
  const config = loadSampleConfig({
    SQLITE_PATH: ':memory:',
    AUTH_PRIVATE_KEY: testKeyPair('ES256').privatePem,
    AUTH_ISSUER: SAMPLE_ISSUER,
    AUTH_AUDIENCE: SAMPLE_AUDIENCE,
    AUTH_ACCESS_TTL: '5m',
    AUTH_REFRESH_TTL: '1h',
    AUTH_REFRESH_IDLE_TTL: '30m',
    AUTH_REFRESH_GRACE: '5s',
    SCRYPT_COST: '1024',
    THROTTLE_LIMIT: '1000000',
    SAMPLE_ADMIN_EMAIL: SAMPLE_ADMIN.email,
    SAMPLE_ADMIN_PASSWORD: SAMPLE_ADMIN.password,
    ...env,
  });
  const clock = new FixedClock(Math.floor(Date.now() / 1000) * 1000);
  const logs = new CaptureLogger();
  const moduleRef = await Test.createTestingModule({
    imports: [SampleAppModule.forRoot(config, await resolveSigningKey(config))],
  })
    .overrideProvider(AUTH_CLOCK)
    .useValue(clock)
    .compile();
  const app = moduleRef.createNestApplication(createHttpAdapter(config), {
    ...sampleAppOptions(config),
    logger: logs,
  });
  await configureSampleApp(app, config);
  return {
    app,
    server: app.getHttpServer() as Server,
    clock,
    config,
    logs,
    close: () => app.close(),
  };
}

/** Registers `email` (asserting 201) and returns the new user's id. */
export async function registerUser(
  server: Server,
  email: string,
  password = USER_PASSWORD,
): Promise<string> {
  const response = await request(server).post('/auth/register').send({ email, password });
  if (response.status !== 201)
    throw new Error(`register ${email}: ${response.status} ${response.text}`);
  return (response.body as { id: string }).id;
}

/** Logs in (asserting 200) and returns the token pair. */
export async function loginUser(
  server: Server,
  email: string,
  password = USER_PASSWORD,
): Promise<TokenPair> {
  const response = await request(server).post('/auth/login').send({ email, password });
  if (response.status !== 200)
    throw new Error(`login ${email}: ${response.status} ${response.text}`);
  return response.body as TokenPair;
}

/** Presents a refresh token; returns the response. */
export function refreshWith(server: Server, refreshToken: unknown): request.Test {
  return request(server).post('/auth/refresh').send({ refreshToken });
}

let counter = 0;

/** A fresh e-mail address, unique in this process. */
export function freshEmail(prefix = 'user'): string {
  counter += 1;
  return `${prefix}-${process.pid}-${counter}-${Math.random().toString(36).slice(2, 8)}@example.com`;
}

/** The Fastify instance of an app started with `HTTP_ADAPTER=fastify`, for socket-less `inject`. */
export function fastifyInstance(app: INestApplication) {
  return (app as NestFastifyApplication).getHttpAdapter().getInstance();
}
