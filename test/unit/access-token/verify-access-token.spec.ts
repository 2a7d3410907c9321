import { createHmac } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { createAccessTokenVerifier } from '../../../lib/access-token/verify-access-token.js';
import type { KeyRing } from '../../../lib/keys/key-ring.js';
import {
  TEST_AUDIENCE,
  TEST_ISSUER,
  testKey,
  testKeyPair,
  testSecret,
} from '../../support/keys.js';
import {
  b64u,
  createKit,
  forge,
  forgeWithNodeCrypto,
  type AccessTokenKit,
} from './access-token-kit.js';

const INVALID = 'ERR_AUTH_ACCESS_TOKEN_INVALID';
const EXPIRED = 'ERR_AUTH_ACCESS_TOKEN_EXPIRED';

/** The error code verifying `token` ends with, or 'verified'. */
async function failureCode(kit: AccessTokenKit, token: string): Promise<string> {
  try {
    await kit.verifier.verify(token);
    return 'verified';
  } catch (error) {
    return (error as { code?: string }).code ?? 'no code';
  }
}

/** The claims a legitimate token of `kit` carries now. */
function claimsNow(
  kit: AccessTokenKit,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    iss: TEST_ISSUER,
    aud: TEST_AUDIENCE,
    sub: 'user-1',
    iat: kit.now(),
    exp: kit.now() + 900,
    jti: 'a1b2c3',
    roles: ['user'],
    ...overrides,
  };
}

function headerOf(
  kit: AccessTokenKit,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> & { alg: string } {
  return {
    alg: kit.keyRing.signer?.alg ?? 'ES256',
    kid: kit.keyRing.signer?.kid,
    typ: 'at+jwt',
    ...overrides,
  };
}

/** A token with the real key, any header and payload: tests the verifier's rules, not the crypto. */
function mint(
  kit: AccessTokenKit,
  payload: unknown,
  header: Record<string, unknown> = {},
): Promise<string> {
  const signer = kit.keyRing.signer;
  if (signer === null) throw new Error('kit cannot sign');
  return forge(headerOf(kit, header), payload, signer.key);
}

describe('createAccessTokenVerifier', () => {
  describe('algorithm attacks', () => {
    it.each(['none', 'None', 'NONE', 'nOnE', 'noNE'])(
      'refuses alg %j, with an empty or a kept signature',
      async (alg) => {
        const kit = await createKit('ES256');
        const [, , signature] = (await kit.sign()).token.split('.');
        const header = b64u({ alg, typ: 'at+jwt', kid: kit.keyRing.signer?.kid });
        const payload = b64u({ ...claimsNow(kit), sub: 'admin', roles: ['admin'] });
        expect(await failureCode(kit, `${header}.${payload}.`)).toBe(INVALID);
        expect(await failureCode(kit, `${header}.${payload}`)).toBe(INVALID);
        expect(await failureCode(kit, `${header}.${payload}.${signature}`)).toBe(INVALID);
      },
    );

    it.each(['ES256', 'RS256'] as const)(
      'refuses HS256 forged with the %s public key as HMAC secret',
      async (alg) => {
        const kit = await createKit(alg);
        const pair = testKeyPair(alg);
        const jwk = { ...kit.keyRing.jwks.keys[0] };
        const secrets = [
          pair.publicPem,
          pair.publicPem.trimEnd(),
          pair.publicPem.replaceAll('\n', '\r\n'),
          `\n${pair.publicPem}`,
          JSON.stringify(jwk),
          JSON.stringify(kit.keyRing.jwks),
          pair.publicKey.export({ type: 'spki', format: 'der' }),
        ];
        for (const secret of secrets) {
          for (const kid of [kit.keyRing.signer?.kid, undefined]) {
            const header = b64u({
              alg: 'HS256',
              typ: 'at+jwt',
              ...(kid === undefined ? {} : { kid }),
            });
            const payload = b64u(claimsNow(kit, { sub: 'admin', roles: ['admin'] }));
            const signature = createHmac('sha256', secret)
              .update(`${header}.${payload}`)
              .digest('base64url');
            expect(await failureCode(kit, `${header}.${payload}.${signature}`)).toBe(INVALID);
          }
        }
      },
    );

    it('refuses HS256 under an asymmetric kid even when an HS256 key is configured too', async () => {
      const kit = await createKit('ES256', {
        keys: [testKey('ES256'), { algorithm: 'HS256', secret: testSecret() }],
      });
      const token = await forge(headerOf(kit, { alg: 'HS256' }), claimsNow(kit), testSecret());
      expect(await failureCode(kit, token)).toBe(INVALID);
    });

    it('refuses a PS256 token signed with the RS256 key (algorithm not pinned for that key)', async () => {
      const kit = await createKit('RS256');
      const key = testKeyPair('RS256').privateKey;
      expect(
        await failureCode(
          kit,
          forgeWithNodeCrypto(headerOf(kit, { alg: 'PS256' }), claimsNow(kit), key),
        ),
      ).toBe(INVALID);
      expect(
        await failureCode(
          kit,
          forgeWithNodeCrypto(headerOf(kit, { alg: 'RS512' }), claimsNow(kit), key),
        ),
      ).toBe(INVALID);
      // The same construction with the pinned algorithm verifies: the refusal is the pinning.
      await expect(
        kit.verifier.verify(forgeWithNodeCrypto(headerOf(kit), claimsNow(kit), key)),
      ).resolves.toBeDefined();
    });

    it.each(['ES512', 'ES256K', 'RS1', 'HS1', 'dir', 'RSA-OAEP', 'A128KW', 'es256', 'ES256 ', ''])(
      'refuses the unsupported alg %j without a TypeError escaping',
      async (alg) => {
        const kit = await createKit('ES256');
        const [, payload, signature] = (await kit.sign()).token.split('.');
        expect(
          await failureCode(
            kit,
            `${b64u({ alg, typ: 'at+jwt', kid: kit.keyRing.signer?.kid })}.${payload}.${signature}`,
          ),
        ).toBe(INVALID);
      },
    );

    it.each([null, 0, true, ['ES256'], { x: 1 }])('refuses a malformed alg %j', async (alg) => {
      const kit = await createKit('ES256');
      const [, payload, signature] = (await kit.sign()).token.split('.');
      expect(
        await failureCode(kit, `${b64u({ alg, typ: 'at+jwt' })}.${payload}.${signature}`),
      ).toBe(INVALID);
    });

    it('refuses a token whose payload was changed after signing', async () => {
      const kit = await createKit('ES256');
      const [header, , signature] = (await kit.sign()).token.split('.');
      expect(
        await failureCode(
          kit,
          `${header}.${b64u(claimsNow(kit, { roles: ['admin'] }))}.${signature}`,
        ),
      ).toBe(INVALID);
    });

    it('refuses an ES256 psychic signature (r = s = 0)', async () => {
      const kit = await createKit('ES256');
      const [header, payload] = (await kit.sign()).token.split('.');
      expect(
        await failureCode(kit, `${header}.${payload}.${Buffer.alloc(64).toString('base64url')}`),
      ).toBe(INVALID);
      expect(await failureCode(kit, `${header}.${payload}.MAYCAQACAQA`)).toBe(INVALID);
    });
  });

  describe('key-selection headers', () => {
    it('refuses an unknown kid, and a missing kid when several keys are configured', async () => {
      const kit = await createKit('ES256');
      expect(await failureCode(kit, await mint(kit, claimsNow(kit), { kid: 'unknown' }))).toBe(
        INVALID,
      );
      expect(
        await failureCode(kit, await mint(kit, claimsNow(kit), { kid: '../../dev/null' })),
      ).toBe(INVALID);
      expect(await failureCode(kit, await mint(kit, claimsNow(kit), { kid: 42 }))).toBe(INVALID);

      const two = await createKit('ES256', {
        keys: [testKey('ES256'), { publicKey: testKeyPair('ES256', 'old').publicPem }],
      });
      expect(await failureCode(two, await mint(two, claimsNow(two), { kid: undefined }))).toBe(
        INVALID,
      );
    });

    it('accepts a missing kid when exactly one key is configured', async () => {
      const kit = await createKit('ES256');
      await expect(
        kit.verifier.verify(await mint(kit, claimsNow(kit), { kid: undefined })),
      ).resolves.toMatchObject({ sub: 'user-1' });
    });

    it('never uses a key carried by the jwk header', async () => {
      const kit = await createKit('ES256');
      const attacker = testKeyPair('ES256', 'attacker');
      const payload = claimsNow(kit, { sub: 'admin', roles: ['admin'] });
      for (const kid of [kit.keyRing.signer?.kid, undefined, 'attacker']) {
        const token = await forge(
          headerOf(kit, { kid, jwk: attacker.publicJwk }),
          payload,
          attacker.privateKey,
        );
        expect(await failureCode(kit, token)).toBe(INVALID);
      }
      // Even correctly signed, a token offering its own key is refused outright.
      expect(
        await failureCode(kit, await mint(kit, claimsNow(kit), { jwk: attacker.publicJwk })),
      ).toBe(INVALID);
    });

    it('never fetches the jku or x5u URL of a token', async () => {
      let requests = 0;
      const server = createServer((_request, response) => {
        requests += 1;
        response.end(
          JSON.stringify({
            keys: [{ ...testKeyPair('ES256', 'attacker').publicJwk, kid: 'attacker' }],
          }),
        );
      });
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
      try {
        const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`;
        const kit = await createKit('ES256');
        const attacker = testKeyPair('ES256', 'attacker');
        for (const header of [
          { jku: url, kid: 'attacker' },
          { jku: url },
          { x5u: url },
          { x5c: ['MIIB'] },
        ]) {
          expect(
            await failureCode(
              kit,
              await forge(headerOf(kit, header), claimsNow(kit), attacker.privateKey),
            ),
          ).toBe(INVALID);
          expect(await failureCode(kit, await mint(kit, claimsNow(kit), header))).toBe(INVALID);
        }
        expect(requests).toBe(0);
      } finally {
        server.close();
      }
    });
  });

  describe('type, issuer, audience', () => {
    it.each([
      { typ: undefined },
      { typ: 'JWT' },
      { typ: 'jwt' },
      { typ: 'id+jwt' },
      { typ: 'refresh+jwt' },
    ])('refuses typ %j', async (header) => {
      const kit = await createKit('ES256');
      expect(await failureCode(kit, await mint(kit, claimsNow(kit), header))).toBe(INVALID);
    });

    it.each(['AT+JWT', 'application/at+jwt'])(
      'accepts typ %j (media types are case-insensitive)',
      async (typ) => {
        const kit = await createKit('ES256');
        await expect(
          kit.verifier.verify(await mint(kit, claimsNow(kit), { typ })),
        ).resolves.toMatchObject({ sub: 'user-1' });
      },
    );

    it.each([['other-api'], [['other-api']], [undefined], [123], ['test-ap']])(
      'refuses aud %j',
      async (aud) => {
        const kit = await createKit('ES256');
        expect(await failureCode(kit, await mint(kit, claimsNow(kit, { aud })))).toBe(INVALID);
      },
    );

    it('accepts an aud array that contains this audience (RFC 7519 section 4.1.3)', async () => {
      const kit = await createKit('ES256');
      const token = await mint(kit, claimsNow(kit, { aud: ['other-api', TEST_AUDIENCE] }));
      await expect(kit.verifier.verify(token)).resolves.toMatchObject({ sub: 'user-1' });
    });

    it.each([
      [`${TEST_ISSUER}/`],
      [[TEST_ISSUER]],
      [['https://evil.example', TEST_ISSUER]],
      [TEST_ISSUER.toUpperCase()],
      [`${TEST_ISSUER}.evil.example`],
      [TEST_ISSUER.slice(0, -1)],
      [undefined],
    ])('refuses iss %j (exact match only)', async (iss) => {
      const kit = await createKit('ES256');
      expect(await failureCode(kit, await mint(kit, claimsNow(kit, { iss })))).toBe(INVALID);
    });
  });

  describe('time', () => {
    it('says expired once exp + clockTolerance has passed, and accepts just within the tolerance', async () => {
      const kit = await createKit('ES256', { cache: { enabled: false } });
      const { token } = await kit.sign();
      kit.clock.advance(900 + 5 - 1);
      await expect(kit.verifier.verify(token)).resolves.toMatchObject({ sub: 'user-1' });
      kit.clock.advance(2);
      await expect(kit.verifier.verify(token)).rejects.toMatchObject({ code: EXPIRED });
    });

    it('says invalid, not expired, for an expired token whose signature does not verify', async () => {
      const kit = await createKit('ES256');
      const expired = claimsNow(kit, { iat: kit.now() - 2000, exp: kit.now() - 1100 });
      const forged = await forge(
        headerOf(kit),
        expired,
        testKeyPair('ES256', 'attacker').privateKey,
      );
      expect(await failureCode(kit, forged)).toBe(INVALID);
    });

    it('refuses a token whose nbf is in the future beyond the tolerance', async () => {
      const kit = await createKit('ES256');
      expect(await failureCode(kit, await mint(kit, claimsNow(kit, { nbf: kit.now() + 65 })))).toBe(
        INVALID,
      );
      await expect(
        kit.verifier.verify(await mint(kit, claimsNow(kit, { nbf: kit.now() + 4 }))),
      ).resolves.toBeDefined();
    });

    it.each(['exp', 'iat', 'jti', 'sub', 'iss', 'aud'])(
      'refuses a token without %s',
      async (claim) => {
        const kit = await createKit('ES256');
        expect(
          await failureCode(kit, await mint(kit, claimsNow(kit, { [claim]: undefined }))),
        ).toBe(INVALID);
      },
    );

    it.each([['1999999999'], [null], [true], [[]], [{}]])(
      'refuses a non-numeric exp %j',
      async (exp) => {
        const kit = await createKit('ES256');
        expect(await failureCode(kit, await mint(kit, claimsNow(kit, { exp })))).toBe(INVALID);
      },
    );

    it('refuses a lifetime longer than accessTokenTtl + clockTolerance', async () => {
      const kit = await createKit('ES256');
      expect(
        await failureCode(kit, await mint(kit, claimsNow(kit, { exp: kit.now() + 906 }))),
      ).toBe(INVALID);
      expect(await failureCode(kit, await mint(kit, claimsNow(kit, { exp: 1e308 })))).toBe(INVALID);
      await expect(
        kit.verifier.verify(await mint(kit, claimsNow(kit, { exp: kit.now() + 905 }))),
      ).resolves.toBeDefined();
    });

    it('refuses an iat in the future and an iat older than the maximum token age', async () => {
      const kit = await createKit('ES256');
      expect(
        await failureCode(
          kit,
          await mint(kit, claimsNow(kit, { iat: kit.now() + 65, exp: kit.now() + 900 })),
        ),
      ).toBe(INVALID);
      const old = await mint(kit, claimsNow(kit, { iat: kit.now() - 3600, exp: kit.now() + 60 }));
      expect(await failureCode(kit, old)).toBe(INVALID);
    });
  });

  describe('claims', () => {
    it.each([
      [{ sub: 1 }],
      [{ sub: '' }],
      [{ jti: 5 }],
      [{ sid: 7 }],
      [{ roles: 'admin' }],
      [{ roles: [1] }],
      [{ auth_time: 'yesterday' }],
    ])('refuses ill-typed claims %j', async (overrides) => {
      const kit = await createKit('ES256');
      expect(await failureCode(kit, await mint(kit, claimsNow(kit, overrides)))).toBe(INVALID);
    });

    it('reads absent roles as none', async () => {
      const kit = await createKit('ES256');
      await expect(
        kit.verifier.verify(await mint(kit, claimsNow(kit, { roles: undefined }))),
      ).resolves.toMatchObject({ roles: [] });
    });

    it('returns frozen claims', async () => {
      const kit = await createKit('ES256');
      const claims = await kit.verifier.verify((await kit.sign()).token);
      expect(Object.isFrozen(claims)).toBe(true);
      expect(Object.isFrozen(claims.roles)).toBe(true);
    });

    it('refuses an unknown crit header parameter', async () => {
      const kit = await createKit('ES256');
      const key = testKeyPair('ES256').privateKey;
      for (const crit of [['x-policy'], [], 'b64', [''], ['alg']]) {
        expect(
          await failureCode(
            kit,
            forgeWithNodeCrypto(headerOf(kit, { crit, 'x-policy': 'mfa' }), claimsNow(kit), key),
          ),
        ).toBe(INVALID);
      }
      await expect(
        kit.verifier.verify(forgeWithNodeCrypto(headerOf(kit), claimsNow(kit), key)),
      ).resolves.toBeDefined();
    });
  });

  describe('format', () => {
    it.each([
      ['one segment', (t: string) => t.split('.')[0] ?? ''],
      ['two segments', (t: string) => t.split('.').slice(0, 2).join('.')],
      ['four segments', (t: string) => `${t}.x`],
      ['a trailing dot', (t: string) => `${t}.`],
      ['five segments (JWE shape)', (t: string) => `${t}.a.b`],
      ['padding', (t: string) => `${t}==`],
      ['standard base64 characters', (t: string) => `${t.slice(0, -2)}+/`],
      ['junk', () => 'not-a-token'],
      ['the empty string', () => ''],
      ['whitespace', (t: string) => ` ${t}`],
      [
        'a JSON serialization',
        (t: string) =>
          JSON.stringify({
            protected: t.split('.')[0],
            payload: t.split('.')[1],
            signature: t.split('.')[2],
          }),
      ],
      ['only dots', () => '.'.repeat(15_000)],
    ])('refuses %s', async (_name, malform) => {
      const kit = await createKit('ES256');
      expect(await failureCode(kit, malform((await kit.sign()).token))).toBe(INVALID);
    });

    it.each(['[1,2]', '"admin"', 'null', 'not json', '{}'])(
      'refuses a correctly signed non-object or empty payload %s',
      async (payload) => {
        const kit = await createKit('ES256');
        expect(await failureCode(kit, await mint(kit, payload))).toBe(INVALID);
      },
    );

    it('refuses a correctly signed token longer than 8 KiB', async () => {
      const kit = await createKit('ES256');
      const huge = await mint(kit, claimsNow(kit, { padding: 'x'.repeat(8 * 1024) }));
      expect(huge.length).toBeGreaterThan(8 * 1024);
      expect(await failureCode(kit, huge)).toBe(INVALID);
    });

    it('refuses a token that is not a string', async () => {
      const kit = await createKit('ES256');
      expect(await failureCode(kit, 42 as never)).toBe(INVALID);
    });
  });

  describe('error mapping', () => {
    it('maps any error, TypeErrors included, to invalid with the original as cause, never leaking it', async () => {
      const kit = await createKit('ES256');
      const cause = new TypeError('secret detail');
      const failing: KeyRing = { ...kit.keyRing, resolveKey: () => Promise.reject(cause) };
      const verifier = createAccessTokenVerifier(kit.options, failing, kit.clock);
      const error: unknown = await verifier
        .verify((await kit.sign()).token)
        .catch((thrown: unknown) => thrown);
      expect(error).toMatchObject({ code: INVALID, cause, message: 'The access token is invalid' });
    });

    it('keeps the jose error as cause, with the same generic message for every failure', async () => {
      const kit = await createKit('ES256', { cache: { enabled: false } });
      const { token } = await kit.sign();
      const badSignature: unknown = await kit.verifier
        .verify(`${token.slice(0, -4)}AAAA`)
        .catch((e: unknown) => e);
      expect(badSignature).toMatchObject({
        code: INVALID,
        cause: { code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' },
      });
      kit.clock.advance(3600);
      const expired: unknown = await kit.verifier.verify(token).catch((e: unknown) => e);
      expect(expired).toMatchObject({ code: EXPIRED, cause: { code: 'ERR_JWT_EXPIRED' } });
      expect((badSignature as Error).message).not.toMatch(/signature|jws|jose/i);
    });

    it('still accepts the real token after forged attempts (rejection is stateless)', async () => {
      const kit = await createKit('ES256');
      const { token } = await kit.sign();
      expect(await failureCode(kit, `${token.slice(0, -4)}AAAA`)).toBe(INVALID);
      await expect(kit.verifier.verify(token)).resolves.toMatchObject({ sub: 'user-1' });
    });
  });

  it('verifies tokens signed by a plain jose SignJWT with the same rules', async () => {
    const kit = await createKit('EdDSA');
    const token = await new SignJWT(claimsNow(kit))
      .setProtectedHeader({ alg: 'EdDSA', typ: 'at+jwt', kid: kit.keyRing.signer?.kid })
      .sign(testKeyPair('EdDSA').privateKey);
    await expect(kit.verifier.verify(token)).resolves.toMatchObject({
      sub: 'user-1',
      jti: 'a1b2c3',
    });
  });
});
