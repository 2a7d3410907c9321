import type { Server } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
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
