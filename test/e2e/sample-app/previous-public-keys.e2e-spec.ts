import { randomUUID } from 'node:crypto';
import { calculateJwkThumbprint, importPKCS8, SignJWT, type JWK } from 'jose';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { SampleConfigError } from '../../../sample-app/src/sample-config.js';
import { testKeyPair, type AsymmetricAlgorithm } from '../../support/keys.js';
import { bearer, signUp } from '../../support/http-helpers.js';
import { startSampleApp, type SampleTestApp } from '../../support/sample-app.js';

const ISSUER = 'http://sample.test';

/** An access token as the sample app's previous signing key would have issued it. */
async function tokenSignedBy(
  privatePem: string,
  alg: AsymmetricAlgorithm,
  kid: string,
  sub: string,
  now: number,
): Promise<string> {
  return new SignJWT({ roles: ['user'], sid: randomUUID() })
    .setProtectedHeader({ alg, kid, typ: 'at+jwt' })
    .setIssuer(ISSUER)
    .setAudience('sample-api')
    .setSubject(sub)
    .setJti(randomUUID())
    .setIssuedAt(Math.floor(now / 1000))
    .setExpirationTime(Math.floor(now / 1000) + 60)
    .sign(await importPKCS8(privatePem, alg));
}

describe('sample app: AUTH_PREVIOUS_PUBLIC_KEYS', () => {
  let sample: SampleTestApp | undefined;
  afterEach(async () => {
    await sample?.close();
    sample = undefined;
  });

  it('keeps a JWK Set of previous keys in the JWKS (own kid, else thumbprint) and verifies their tokens', async () => {
    const named = testKeyPair('ES256', 'previous-named');
    const unnamed = testKeyPair('EdDSA', 'previous-unnamed');
    const set = {
      keys: [
        { ...named.publicJwk, kid: 'key-a', alg: 'ES256', use: 'sig' },
        { ...unnamed.publicJwk },
      ],
    };
    sample = await startSampleApp({ AUTH_PREVIOUS_PUBLIC_KEYS: JSON.stringify(set) });
    const jwks = (await request(sample.server).get('/.well-known/jwks.json').expect(200)).body as {
      keys: JWK[];
    };
    const unnamedKid = await calculateJwkThumbprint(unnamed.publicJwk);
    expect(jwks.keys.map((key) => [key.kid, key.alg, key.use])).toEqual([
      [expect.any(String), 'ES256', 'sig'],
      ['key-a', 'ES256', 'sig'],
      [unnamedKid, 'EdDSA', 'sig'],
    ]);
    expect(JSON.stringify(jwks)).not.toMatch(/"d"/);

    const { id } = await signUp(sample.server, 'prev');
    const now = sample.clock.now();
    for (const [pair, alg, kid] of [
      [named, 'ES256', 'key-a'],
      [unnamed, 'EdDSA', unnamedKid],
    ] as const) {
      const token = await tokenSignedBy(pair.privatePem, alg, kid, id, now);
      const claims = await request(sample.server)
        .get('/me/claims')
        .set('Authorization', bearer({ accessToken: token }))
        .expect(200);
      expect((claims.body as { sub: string }).sub).toBe(id);
    }
    // New tokens are signed with AUTH_PRIVATE_KEY, not a previous key.
    const { tokens } = await signUp(sample.server, 'prev-new');
    const header = JSON.parse(
      Buffer.from(tokens.accessToken.split('.')[0]!, 'base64url').toString(),
    ) as { kid: string };
    expect(header.kid).toBe(jwks.keys[0]!.kid);
  });

  it('reads SPKI PEMs one after the other (also with literal \\n), kid = RFC 7638 thumbprint', async () => {
    const es = testKeyPair('ES256', 'previous-pem-1');
    const rsa = testKeyPair('RS256', 'previous-pem-2');
    const text = `${es.publicPem}${rsa.publicPem}`.replace(/\n/g, '\\n');
    sample = await startSampleApp({ AUTH_PREVIOUS_PUBLIC_KEYS: text });
    const jwks = (await request(sample.server).get('/.well-known/jwks.json').expect(200)).body as {
      keys: JWK[];
    };
    expect(jwks.keys.slice(1).map((key) => [key.kid, key.alg])).toEqual([
      [await calculateJwkThumbprint(es.publicJwk), 'ES256'],
      [await calculateJwkThumbprint(rsa.publicJwk), 'RS256'],
    ]);
    const { id } = await signUp(sample.server, 'prev-pem');
    const token = await tokenSignedBy(
      rsa.privatePem,
      'RS256',
      jwks.keys[2]!.kid!,
      id,
      sample.clock.now(),
    );
    await request(sample.server)
      .get('/me/claims')
      .set('Authorization', bearer({ accessToken: token }))
      .expect(200);
  });

  it('drops the current signing key when it is listed as previous', async () => {
    const current = testKeyPair('ES256', 'current-listed');
    sample = await startSampleApp({
      AUTH_PRIVATE_KEY: current.privatePem,
      AUTH_PREVIOUS_PUBLIC_KEYS: current.publicPem,
    });
    const jwks = (await request(sample.server).get('/.well-known/jwks.json').expect(200)).body as {
      keys: JWK[];
    };
    expect(jwks.keys.map((key) => key.kid)).toEqual([
      await calculateJwkThumbprint(current.publicJwk),
    ]);
  });

  it.each([
    ['a PKCS#8 private key', () => testKeyPair('ES256', 'leak').privatePem, /a private key/],
    [
      'a private JWK in a set',
      () => JSON.stringify({ keys: [testKeyPair('ES256', 'leak').privateJwk] }),
      /keys\[0\] is a private or symmetric key/,
    ],
    [
      'a symmetric JWK',
      () => JSON.stringify({ keys: [{ kty: 'oct', k: 'c2VjcmV0' }] }),
      /private or symmetric/,
    ],
    ['a lone JWK, not a set', () => JSON.stringify(testKeyPair('ES256').publicJwk), /JWK Set/],
    ['JSON that does not parse', () => '{"keys": [', /JWK Set/],
    ['text that is no key', () => 'not a key', /expected a JWK Set \(JSON\) or SPKI PEMs/],
    [
      'a PEM with text after it',
      () => `${testKeyPair('ES256').publicPem}trailing`,
      /expected a JWK Set/,
    ],
    [
      'a PEM whose body is garbage',
      () => '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----',
      /PEM 1 is not a usable public key/,
    ],
    [
      'a JWK with broken members',
      () => JSON.stringify({ keys: [{ kty: 'EC', crv: 'P-256', x: 'AA', y: 'AA' }] }),
      /keys\[0\] is not a usable public key/,
    ],
    [
      'a JWK whose alg does not fit it',
      () => JSON.stringify({ keys: [{ ...testKeyPair('ES256').publicJwk, alg: 'RS256' }] }),
      /keys\[0\] is not a usable public key for RS256/,
    ],
  ])('refuses to start on %s, naming the variable', async (_case, value, message) => {
    const text = value();
    const started = startSampleApp({ AUTH_PREVIOUS_PUBLIC_KEYS: text });
    const error = await started.then(
      async (app) => {
        await app.close();
        return null;
      },
      (cause: unknown) => cause,
    );
    expect(error).toBeInstanceOf(SampleConfigError);
    const problem = (error as SampleConfigError).message;
    expect(problem).toMatch(/AUTH_PREVIOUS_PUBLIC_KEYS: /);
    expect(problem).toMatch(message);
    // Never key material in the message.
    expect(problem).not.toContain('PRIVATE KEY-----\n');
    expect(problem).not.toMatch(/"d"\s*:/);
  });
});
