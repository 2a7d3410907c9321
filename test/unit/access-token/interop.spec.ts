import { createPublicKey, verify as cryptoVerify, type JsonWebKey } from 'node:crypto';
import jsonwebtoken from 'jsonwebtoken';
import { describe, expect, it } from 'vitest';
import { TEST_AUDIENCE, TEST_ISSUER } from '../../support/keys.js';
import { createKit } from './access-token-kit.js';

// Consumers of the JWKS use other libraries: tokens must verify from the published keys alone.
describe('interoperability with other JOSE implementations', () => {
  it.each(['ES256', 'ES384', 'RS256', 'PS256'] as const)(
    'jsonwebtoken verifies an %s token from the JWKS',
    async (alg) => {
      const kit = await createKit(alg);
      const { token } = await kit.sign({ claims: { roles: ['admin'] } });
      const jwks = JSON.parse(JSON.stringify(kit.keyRing.jwks)) as {
        keys: (JsonWebKey & { kid: string })[];
      };
      const header = JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString()) as {
        kid: string;
      };
      const jwk = jwks.keys.find((key) => key.kid === header.kid);
      expect(jwk).toBeDefined();

      const payload = jsonwebtoken.verify(
        token,
        createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' }),
        {
          algorithms: [alg],
          issuer: TEST_ISSUER,
          audience: TEST_AUDIENCE,
          clockTimestamp: kit.now(),
        },
      );
      expect(payload).toMatchObject({ sub: 'user-1', roles: ['admin'], iss: TEST_ISSUER });
      // And a tampered token fails there too, so the check above is a real verification.
      expect(() =>
        jsonwebtoken.verify(
          `${token.slice(0, -6)}AAAAAA`,
          createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' }),
          {
            algorithms: [alg],
            clockTimestamp: kit.now(),
          },
        ),
      ).toThrow(/invalid signature/);
    },
  );

  it('node:crypto verifies an EdDSA token from the JWKS (jsonwebtoken lacks EdDSA)', async () => {
    const kit = await createKit('EdDSA');
    const { token } = await kit.sign();
    const [header = '', payload = '', signature = ''] = token.split('.');
    const jwk = kit.keyRing.jwks.keys[0] as JsonWebKey;
    const key = createPublicKey({ key: jwk, format: 'jwk' });
    expect(
      cryptoVerify(
        null,
        Buffer.from(`${header}.${payload}`),
        key,
        Buffer.from(signature, 'base64url'),
      ),
    ).toBe(true);
    expect(
      cryptoVerify(
        null,
        Buffer.from(`${header}.${payload}x`),
        key,
        Buffer.from(signature, 'base64url'),
      ),
    ).toBe(false);
  });
});
