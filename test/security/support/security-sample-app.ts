import type { Server } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { login, register } from '../../support/http-helpers.js';
import type { TokenPair } from '../../../lib/index.js';
import {
  ADMIN,
  startSampleApp,
  type SampleEnv,
  type SampleTestApp,
} from '../../support/sample-app.js';
import { CaptureLogger } from './capture-logger.js';

/** The administrator every security sample app starts with. */
export const SAMPLE_ADMIN = ADMIN;
/** The password of the users the tests register. */
export const USER_PASSWORD = 'user-password-1';
/** `AUTH_ISSUER` of the security sample apps. */
export const SAMPLE_ISSUER = 'http://sample.security.test';
/** `AUTH_AUDIENCE` of the security sample apps. */
export const SAMPLE_AUDIENCE = 'sample-api';

/** A running sample app with its clock, config and everything it logged. */
export interface SecuritySampleApp extends SampleTestApp {
  readonly logs: CaptureLogger;
}

/**
 * The sample app of `test/support/sample-app.ts` with every log line captured, the issuer
 * above, 5-minute access tokens and no rate limit in reach unless `env` says otherwise.
 */
export async function startSecuritySampleApp(env: SampleEnv = {}): Promise<SecuritySampleApp> {
  const logs = new CaptureLogger();
  const sample = await startSampleApp(
    {
      AUTH_ISSUER: SAMPLE_ISSUER,
      AUTH_AUDIENCE: SAMPLE_AUDIENCE,
      AUTH_ACCESS_TTL: '5m',
      THROTTLE_LIMIT: '1000000',
      ...env,
    },
    { logger: logs },
  );
  return { ...sample, logs };
}

/** Registers `email` with {@link USER_PASSWORD} by default (asserting 201); returns its id. */
export function registerUser(
  server: Server,
  email: string,
  password = USER_PASSWORD,
): Promise<string> {
  return register(server, email, password);
}

/** Logs in with {@link USER_PASSWORD} by default (asserting 200); returns the token pair. */
export function loginUser(
  server: Server,
  email: string,
  password = USER_PASSWORD,
): Promise<TokenPair> {
  return login(server, email, password);
}

export { newEmail as freshEmail, refreshWith } from '../../support/http-helpers.js';

/** The Fastify instance of an app started with `HTTP_ADAPTER=fastify`, for socket-less `inject`. */
export function fastifyInstance(app: INestApplication) {
  return (app as NestFastifyApplication).getHttpAdapter().getInstance();
}
