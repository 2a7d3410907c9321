// Catalogue section F: token-type and cross-context confusion (F01-F04), and the JWKS
// consumer side of F04 / H04: a verify-only instance of the library fed by a remote JWKS.
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_AUDIENCE, TEST_ISSUER, testKeyPair } from '../support/keys.js';
import { b64u, signCompact, splitToken, unsigned } from '../support/forge.js';
import { startOobListener, type OobListener } from './support/oob-listener.js';
import { SampleDb, sidOf } from './support/sample-db.js';
import { freshEmail, loginUser, refreshWith, registerUser } from './support/security-sample-app.js';
import {
  adminClaims,
  expectRefusedEverywhere,
  genuineHeader,
  getWith,
  mint,
  startLibraryTarget,
  startSampleTarget,
  userClaims,
  type ForgeTarget,
} from './support/targets.js';

describe('token-type confusion on the sample app', () => {
  let target: Awaited<ReturnType<typeof startSampleTarget>>;
  let db: SampleDb;

  beforeAll(async () => {
    target = await startSampleTarget();
    db = new SampleDb(target.app);
  });
  afterAll(async () => {
    await target.close();
  });

  it('F01 a refresh token used as a bearer token: 401 on every route', async () => {
    const email = freshEmail();
    await registerUser(target.server, email);
    const pair = await loginUser(target.server, email);
    await expectRefusedEverywhere(target, `Bearer ${pair.refreshToken}`);
    for (const path of ['/me', '/auth/sessions']) {
      expect((await getWith(target, path, `Bearer ${pair.refreshToken}`)).status).toBe(401);
    }
    await request(target.server)
      .post('/auth/logout-all')
      .set('Authorization', `Bearer ${pair.refreshToken}`)
      .expect(401);
    await request(target.server)
      .delete(`/auth/sessions/${sidOf(pair)}`)
      .set('Authorization', `Bearer ${pair.refreshToken}`)
      .expect(401);
  });

  it('F02 an access token used as a refresh token: 401, no rotation, no revocation, not reuse [DB]', async () => {
    const email = freshEmail();
    await registerUser(target.server, email);
    const pair = await loginUser(target.server, email);
    const tokensBefore = await db.totalTokens();
    const response = await refreshWith(target.server, pair.accessToken);
    // RF401 allows 400: the sample's body validation caps refreshToken at 512 characters, and an
    // ES256 access token is longer, so it is refused as an invalid body before any lookup.
    expect([400, 401]).toContain(response.status);
    expect(Object.keys(response.body as object).sort()).toEqual(['error', 'message', 'statusCode']);
    expect(response.text).not.toContain('accessToken');
    const short = await refreshWith(target.server, pair.accessToken.slice(0, 512));
    expect(short.body).toEqual({
      statusCode: 401,
      error: 'Unauthorized',
      message: 'Invalid refresh token',
    });
    expect(await db.totalTokens()).toBe(tokensBefore);
    expect((await db.session(sidOf(pair)))?.revoked_at).toBeNull();
    expect((await refreshWith(target.server, pair.refreshToken)).status).toBe(200);
  });

  it.each<[string, Record<string, unknown>, Record<string, unknown>]>([
    [
      'F03 ID token (typ JWT, aud = a client id, token_use id)',
      { typ: 'JWT' },
      { aud: 'sample-client', token_use: 'id', nonce: 'n' },
    ],
    ['F03 ID token with our audience but typ JWT', { typ: 'JWT' }, { token_use: 'id' }],
    ['F03 refresh JWT (typ refresh+jwt)', { typ: 'refresh+jwt' }, { token_use: 'refresh' }],
    [
      'F03 e-mail verification token',
      { typ: 'JWT' },
      { aud: 'email-verification', purpose: 'verify-email' },
    ],
    ['F03 password-reset token', { typ: 'reset+jwt' }, { aud: 'password-reset' }],
    ['F03 invite token without typ', { typ: undefined }, { aud: 'invite' }],
    [
      'F03 logout token (secevent+jwt)',
      { typ: 'logout+jwt' },
      { events: { 'http://schemas.openid.net/event/backchannel-logout': {} } },
    ],
  ])('%s signed with the same key [K]: 401', async (_id, header, claims) => {
    const h = genuineHeader(target, header);
    if (header.typ === undefined) delete h.typ;
    await expectRefusedEverywhere(target, `Bearer ${mint(target, adminClaims(target, claims), h)}`);
  });

  it('F04 a staging token (another key under the same kid, same issuer and audience): 401', async () => {
    const staging = testKeyPair(target.signing.alg, 'staging');
    const token = signCompact(
      genuineHeader(target),
      adminClaims(target),
      target.signing.alg,
      staging.privateKey,
    );
    await expectRefusedEverywhere(target, `Bearer ${token}`);
  });

  it("F04 a sibling service's token (same key, its own audience): 401", async () => {
    await expectRefusedEverywhere(
      target,
      `Bearer ${mint(target, adminClaims(target, { aud: 'billing-api' }))}`,
    );
  });
});

/** A consumer: the library in verify-only mode, trusting a JWKS served by `jwksHost`. */
describe('F04/H04 a JWKS consumer (the library in remote-JWKS mode)', () => {
  let issuer: ForgeTarget;
  let consumer: ForgeTarget;
  let jwksHost: OobListener;
  let attackerHost: OobListener;

  beforeAll(async () => {
    issuer = await startLibraryTarget('express');
    [jwksHost, attackerHost] = await Promise.all([startOobListener(), startOobListener()]);
    jwksHost.respondWith((await request(issuer.server).get('/.well-known/jwks.json')).text);
    consumer = await startLibraryTarget('fastify', {
      keys: undefined,
      algorithm: 'ES256',
      jwks: {
        url: `${jwksHost.origin}/.well-known/jwks.json`,
        cooldownDuration: '30s',
        cacheMaxAge: '10m',
      },
    });
  });
  afterAll(async () => {
    await Promise.all([issuer.close(), consumer.close(), jwksHost.close(), attackerHost.close()]);
  });

  it("control: the issuer's genuine token verifies at the consumer", async () => {
    const response = await getWith(consumer, '/me', `Bearer ${await issuer.userToken()}`);
    expect(response.status).toBe(200);
  });

  it.each<[string, (t: ForgeTarget) => string]>([
    [
      'F04 B04 alg none at the consumer',
      (t) => unsigned({ alg: 'none', typ: 'at+jwt', kid: 'k1' }, adminClaims(t)),
    ],
    [
      'F04 B09 HS256 with an empty key at the consumer',
      (t) =>
        signCompact(
          { alg: 'HS256', typ: 'at+jwt', kid: 'k1' },
          adminClaims(t),
          'HS256',
          Buffer.alloc(0),
        ),
    ],
    [
      'F04 B06 HS256 keyed with the signing key PEM at the consumer',
      (t) =>
        signCompact(
          { alg: 'HS256', typ: 'at+jwt', kid: 'k1' },
          adminClaims(t),
          'HS256',
          Buffer.from(t.signing.publicKey.export({ type: 'spki', format: 'pem' }).toString()),
        ),
    ],
    [
      'F04 C01 embedded jwk at the consumer',
      (t) =>
        signCompact(
          {
            alg: 'ES256',
            typ: 'at+jwt',
            kid: 'k1',
            jwk: testKeyPair('ES256', 'attacker').publicJwk,
          },
          adminClaims(t),
          'ES256',
          testKeyPair('ES256', 'attacker').privateKey,
        ),
    ],
    [
      'F04 C02 jku to an attacker host at the consumer',
      (t) =>
        signCompact(
          { alg: 'ES256', typ: 'at+jwt', kid: 'attacker', jku: `${attackerHost.origin}/jwks.json` },
          adminClaims(t),
          'ES256',
          testKeyPair('ES256', 'attacker').privateKey,
        ),
    ],
    [
      'F04 C03 x5u to an attacker host at the consumer',
      (t) =>
        signCompact(
          { alg: 'ES256', typ: 'at+jwt', x5u: `${attackerHost.origin}/cert.pem` },
          adminClaims(t),
          'ES256',
          testKeyPair('ES256', 'attacker').privateKey,
        ),
    ],
    [
      'F04 the RS256 key of the JWKS used as PS256 at the consumer',
      (t) =>
        signCompact(
          { alg: 'PS256', typ: 'at+jwt', kid: 'k2' },
          adminClaims(t),
          'PS256',
          testKeyPair('RS256').privateKey,
        ),
    ],
    [
      'F04 a non-pinned algorithm (RS256 key, the consumer pins ES256)',
      (t) =>
        signCompact(
          { alg: 'RS256', typ: 'at+jwt', kid: 'k2' },
          adminClaims(t),
          'RS256',
          testKeyPair('RS256').privateKey,
        ),
    ],
  ])('%s: 401', async (_id, forge) => {
    await expectRefusedEverywhere(consumer, `Bearer ${forge(issuer)}`);
  });

  it('F04 the consumer pins iss and aud: tokens for another issuer or audience are refused [K]', async () => {
    await expectRefusedEverywhere(
      consumer,
      `Bearer ${mint(issuer, adminClaims(issuer, { iss: 'https://staging.auth.test.example' }))}`,
    );
    await expectRefusedEverywhere(
      consumer,
      `Bearer ${mint(issuer, adminClaims(issuer, { aud: 'other-api' }))}`,
    );
    expect([TEST_ISSUER, TEST_AUDIENCE]).toEqual([consumer.issuer, consumer.audience]);
  });

  it('H04 1,000 random kids: all 401, at most one extra JWKS fetch per cooldown, nothing to the attacker host', async () => {
    const fetchesBefore = jwksHost.hits.length;
    const statuses = new Set<number>();
    for (let batch = 0; batch < 10; batch += 1) {
      const responses = await Promise.all(
        Array.from({ length: 100 }, (_, index) => {
          const token = signCompact(
            { alg: 'ES256', typ: 'at+jwt', kid: `random-${batch}-${index}` },
            userClaims(issuer),
            'ES256',
            testKeyPair('ES256', 'attacker').privateKey,
          );
          return getWith(consumer, '/me', `Bearer ${token}`);
        }),
      );
      for (const response of responses) statuses.add(response.status);
    }
    expect([...statuses]).toEqual([401]);
    const extra = jwksHost.hits.length - fetchesBefore;
    console.info(`[H04] 1,000 unknown kids caused ${extra} JWKS fetch(es)`);
    expect(extra).toBeLessThanOrEqual(1);
    expect(attackerHost.hits).toEqual([]);
    expect((await getWith(consumer, '/me', `Bearer ${await issuer.userToken()}`)).status).toBe(200);
  });

  it('F04 the payload of a genuine token cannot be swapped at the consumer', async () => {
    const { h, s } = splitToken(await issuer.userToken());
    await expectRefusedEverywhere(consumer, `Bearer ${h}.${b64u(adminClaims(issuer))}.${s}`);
  });
});
