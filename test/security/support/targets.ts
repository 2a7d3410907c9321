import { randomUUID, type KeyObject } from 'node:crypto';
import type { Server } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { expect } from 'vitest';
import { TokenService, type AuthModuleOptions } from '../../../lib/index.js';
import { FixedClock } from '../../support/fixed-clock.js';
import { createGuardedTestApp, handlerRuns } from '../../support/guarded-test-app.js';
import { TEST_AUDIENCE, TEST_ISSUER, testKeyPair } from '../../support/keys.js';
import { signCompact, type ForgeAlgorithm, type JsonPart } from '../../support/forge.js';
import {
  freshEmail,
  loginUser,
  registerUser,
  SAMPLE_ADMIN,
  SAMPLE_AUDIENCE,
  SAMPLE_ISSUER,
  startSecuritySampleApp,
  type SecuritySampleApp,
} from './security-sample-app.js';

/** Lifetime of the access tokens of every target, seconds. */
export const TARGET_TTL = 300;
/** The module's default clock tolerance, seconds (documented in SECURITY.md, E01). */
export const CLOCK_TOLERANCE = 5;

/** A verification key of a target, as the attacker and the test know it. */
export interface TargetKey {
  readonly kid: string;
  readonly alg: 'ES256' | 'RS256' | 'EdDSA';
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
}

/**
 * An application under attack: the library behind `AccessTokenGuard` (with probe routes), or
 * the sample app. Everything a forging test needs to aim at it.
 */
export interface ForgeTarget {
  readonly name: string;
  readonly app: INestApplication;
  readonly server: Server;
  readonly clock: FixedClock;
  readonly issuer: string;
  readonly audience: string;
  /** A route any authenticated caller reaches, returning the verified claims. */
  readonly meRoute: string;
  /** A route that needs role `admin`. */
  readonly adminRoute: string;
  /** The signing key (`keys[0]`). */
  readonly signing: TargetKey;
  /** Every published verification key. */
  readonly keys: readonly TargetKey[];
  readonly userSub: string;
  readonly adminSub: string;
  /** Handler runs so far, or `null` where the target cannot observe it. */
  handlerRuns(): number | null;
  /** A genuine access token of the normal user, issued by the target itself. */
  userToken(): Promise<string>;
  /** A genuine access token of the normal user and how to revoke it (by `jti` or session). */
  userSession(): Promise<{ readonly accessToken: string; revoke(): Promise<void> }>;
  close(): Promise<void>;
}

/** Whole seconds of the target's clock. */
export function nowOf(target: ForgeTarget): number {
  return Math.floor(target.clock.now() / 1000);
}

/** Claims that pass every check of `target` for its normal user; `overrides` win. */
export function userClaims(
  target: ForgeTarget,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  const now = nowOf(target);
  return {
    iss: target.issuer,
    aud: target.audience,
    sub: target.userSub,
    iat: now,
    exp: now + TARGET_TTL,
    jti: randomUUID(),
    roles: ['user'],
    ...overrides,
  };
}

/** `P*`: the seeded admin's id and role, otherwise valid (catalogue section 0). */
export function adminClaims(
  target: ForgeTarget,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  return userClaims(target, { sub: target.adminSub, roles: ['admin', 'user'], ...overrides });
}

/** The header the target itself writes. */
export function genuineHeader(
  target: ForgeTarget,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  return { alg: target.signing.alg, typ: 'at+jwt', kid: target.signing.kid, ...overrides };
}

/** [K] A token signed with the target's real signing key over any header and claims. */
export function mint(
  target: ForgeTarget,
  payload: JsonPart,
  header: JsonPart = genuineHeader(target),
  alg: ForgeAlgorithm = target.signing.alg,
  key: TargetKey = target.signing,
): string {
  return signCompact(header, payload, alg, key.privateKey);
}

/** `GET` a route of the target with `Authorization: <authorization>` (or none). */
export function getWith(target: ForgeTarget, path: string, authorization?: string): request.Test {
  const call = request(target.server).get(path);
  return authorization === undefined ? call : call.set('Authorization', authorization);
}

const TOKEN_FIELDS = ['accessToken', 'refreshToken', 'access_token', 'refresh_token', 'token'];
// Library error strings that would tell an attacker which check failed (K01).
const LIBRARY_TEXT = /ERR_|JWS|JWT[A-Z]|jose|signature verification|claim|stack|at [\w.]+ \(/i;

/**
 * R401 of the catalogue: 401, the uniform `{ statusCode, error, message }` body with a fixed
 * message, a `Bearer` challenge, no token or cookie issued, no library text, and the handler
 * not run (where the target can tell).
 */
export function expectR401(
  response: request.Response,
  target: ForgeTarget,
  handlerRunsBefore: number | null,
): void {
  expect({ status: response.status, text: response.text }).toMatchObject({ status: 401 });
  expect(Object.keys(response.body as object).sort()).toEqual(['error', 'message', 'statusCode']);
  expect(response.body.statusCode).toBe(401);
  expect(response.body.error).toBe('Unauthorized');
  expect(['Invalid access token', 'Missing access token', 'Access token expired']).toContain(
    response.body.message,
  );
  expect(response.headers['www-authenticate']).toMatch(/^Bearer(?: |$)/);
  expect(response.headers['set-cookie']).toBeUndefined();
  for (const field of TOKEN_FIELDS) expect(response.body).not.toHaveProperty(field);
  expect(response.text).not.toMatch(LIBRARY_TEXT);
  expectHandlerNotRun(target, handlerRunsBefore);
}

/** Asserts the handler count did not move, where the target can observe it (`null`: it cannot). */
export function expectHandlerNotRun(target: ForgeTarget, handlerRunsBefore: number | null): void {
  expect(target.handlerRuns()).toBe(handlerRunsBefore);
}

/** Sends `authorization` to both the user and the admin route and asserts R401 on each. */
export async function expectRefusedEverywhere(
  target: ForgeTarget,
  authorization: string,
): Promise<void> {
  for (const path of [target.meRoute, target.adminRoute]) {
    const before = target.handlerRuns();
    expectR401(await getWith(target, path, authorization), target, before);
  }
}

/** The keys of the library target: ES256 signs (k1); RS256 (k2) and EdDSA (k3) verify only. */
function libraryKeys(): TargetKey[] {
  return [
    { kid: 'k1', alg: 'ES256', ...testKeyPair('ES256') },
    { kid: 'k2', alg: 'RS256', ...testKeyPair('RS256') },
    { kid: 'k3', alg: 'EdDSA', ...testKeyPair('EdDSA') },
  ];
}

/**
 * The library behind a global `AccessTokenGuard` (test/support/guarded-test-app.ts) with a
 * three-key ring of three algorithms, a fixed clock and the default clock tolerance.
 */
export async function startLibraryTarget(
  engine: 'express' | 'fastify' = 'express',
  overrides: Partial<AuthModuleOptions> = {},
): Promise<ForgeTarget> {
  const keys = libraryKeys();
  const [k1, k2, k3] = keys as [TargetKey, TargetKey, TargetKey];
  const clock = new FixedClock(Math.floor(Date.now() / 1000) * 1000);
  const app = await createGuardedTestApp(
    {
      issuer: TEST_ISSUER,
      audience: TEST_AUDIENCE,
      accessTokenTtl: TARGET_TTL,
      keys: [
        { kid: k1.kid, algorithm: 'ES256', privateKey: testKeyPair('ES256').privatePem },
        { kid: k2.kid, algorithm: 'RS256', publicKey: testKeyPair('RS256').publicPem },
        { kid: k3.kid, algorithm: 'EdDSA', publicKey: testKeyPair('EdDSA').publicPem },
      ],
      ...overrides,
    },
    engine,
    { clock },
  );
  const tokens = app.get(TokenService);
  return {
    name: `library on ${engine}`,
    app,
    server: app.getHttpServer() as Server,
    clock,
    issuer: TEST_ISSUER,
    audience: TEST_AUDIENCE,
    meRoute: '/me',
    adminRoute: '/admin',
    signing: k1,
    keys,
    userSub: 'user-1',
    adminSub: 'admin-1',
    handlerRuns: () => handlerRuns.count,
    userToken: async () => (await tokens.issueAccessToken({ id: 'user-1', roles: ['user'] })).token,
    userSession: async () => {
      const { token } = await tokens.issueAccessToken({ id: 'user-1', roles: ['user'] });
      const claims = await tokens.verifyAccessToken(token);
      return { accessToken: token, revoke: () => tokens.revokeAccessToken(claims) };
    },
    close: () => app.close(),
  };
}

/**
 * The sample app (SQLite in memory) as a target, with a registered user and the seeded admin,
 * signing with the test key of `alg` on the given engine.
 */
export async function startSampleTarget(
  alg: 'ES256' | 'RS256' = 'ES256',
  env: Record<string, string> = {},
): Promise<ForgeTarget & { sample: SecuritySampleApp }> {
  const sample = await startSecuritySampleApp({
    AUTH_ALG: alg,
    AUTH_PRIVATE_KEY: testKeyPair(alg).privatePem,
    ...env,
  });
  const email = freshEmail();
  const userSub = await registerUser(sample.server, email);
  const admin = await loginUser(sample.server, SAMPLE_ADMIN.email, SAMPLE_ADMIN.password);
  const adminMe = await request(sample.server)
    .get('/me')
    .set('Authorization', `Bearer ${admin.accessToken}`);
  const jwks = await request(sample.server).get('/.well-known/jwks.json');
  const kid = (jwks.body as { keys: { kid: string }[] }).keys[0]?.kid ?? '';
  return {
    name: `sample app on ${sample.config.httpAdapter}`,
    sample,
    app: sample.app,
    server: sample.server,
    clock: sample.clock,
    issuer: SAMPLE_ISSUER,
    audience: SAMPLE_AUDIENCE,
    meRoute: '/me/claims',
    adminRoute: '/admin/users',
    signing: { kid, alg, ...testKeyPair(alg) },
    keys: [{ kid, alg, ...testKeyPair(alg) }],
    userSub,
    adminSub: (adminMe.body as { id: string }).id,
    handlerRuns: () => null,
    userToken: async () => (await loginUser(sample.server, email)).accessToken,
    userSession: async () => {
      const pair = await loginUser(sample.server, email);
      return {
        accessToken: pair.accessToken,
        revoke: async () => {
          await request(sample.server)
            .post('/auth/logout')
            .send({ refreshToken: pair.refreshToken })
            .expect(204);
        },
      };
    },
    close: () => sample.close(),
  };
}

/** A target the forging suites run against, with what is known of it before it starts. */
export interface TargetFactory {
  readonly name: string;
  /** The algorithms of its published keys, the first being the signing one. */
  readonly algs: readonly TargetKey['alg'][];
  readonly start: () => Promise<ForgeTarget>;
}

/** Every target of the forging suites: the library on both engines, the sample app ES256 and RS256. */
export const TARGET_FACTORIES: readonly TargetFactory[] = [
  {
    name: 'library (express)',
    algs: ['ES256', 'RS256', 'EdDSA'],
    start: () => startLibraryTarget('express'),
  },
  {
    name: 'library (fastify)',
    algs: ['ES256', 'RS256', 'EdDSA'],
    start: () => startLibraryTarget('fastify'),
  },
  { name: 'sample app (express, ES256)', algs: ['ES256'], start: () => startSampleTarget('ES256') },
  {
    name: 'sample app (fastify, RS256)',
    algs: ['RS256'],
    start: () => startSampleTarget('RS256', { HTTP_ADAPTER: 'fastify' }),
  },
];
