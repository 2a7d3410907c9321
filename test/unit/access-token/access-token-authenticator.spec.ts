import { describe, expect, it } from 'vitest';
import { AccessTokenAuthenticator } from '../../../lib/access-token/access-token-authenticator.js';
import { MemoryRevocationStore } from '../../../lib/revocation/memory-revocation.store.js';
import type { RevocationStore } from '../../../lib/revocation/revocation.store.js';
import { createKit } from './access-token-kit.js';

const REVOKED = 'ERR_AUTH_ACCESS_TOKEN_REVOKED';

/** The authenticator's answer as a promise, whether it came synchronously or not. */
const authenticate = async (authenticator: AccessTokenAuthenticator, token: string) =>
  authenticator.authenticate(token);

async function authenticatorKit(store: RevocationStore = new MemoryRevocationStore()) {
  const kit = await createKit('ES256');
  return {
    ...kit,
    store,
    authenticator: new AccessTokenAuthenticator(kit.verifier, store, kit.clock),
  };
}

describe('AccessTokenAuthenticator', () => {
  it('answers a cached, unrevoked token synchronously, and a new one with a promise', async () => {
    const { authenticator, sign } = await authenticatorKit();
    const { token } = await sign();
    const first = authenticator.authenticate(token);
    expect(first).toBeInstanceOf(Promise);
    // Awaited before the second sight: two verifications in flight may finish in either order.
    await first;
    const claims = await authenticator.authenticate(token); // second sight: cached
    const hit = authenticator.authenticate(token);
    expect(hit).not.toBeInstanceOf(Promise);
    expect(hit).toBe(claims);
  });

  it('refuses a cached token synchronously once it is revoked', async () => {
    const { authenticator, sign, store } = await authenticatorKit();
    const { token } = await sign();
    await authenticator.authenticate(token);
    const claims = await authenticator.authenticate(token);
    await store.revoke({ kind: 'token', id: claims.jti, expiresAt: claims.exp * 1000 + 5000 });
    expect(() => authenticator.authenticate(token)).toThrow(
      expect.objectContaining({ code: REVOKED }),
    );
    await expect(authenticate(authenticator, token)).rejects.toMatchObject({ code: REVOKED });
  });

  it('refuses a new token that is revoked', async () => {
    const { authenticator, sign, store } = await authenticatorKit();
    const { token } = await sign();
    const claims = await authenticator.authenticate(token);
    await store.revoke({
      kind: 'subject',
      id: claims.sub,
      issuedBefore: claims.iat,
      expiresAt: claims.exp * 1000 + 5000,
    });
    await expect(authenticate(authenticator, `${token}`)).rejects.toMatchObject({
      code: REVOKED,
    });
  });

  it.each([
    ['a promise', () => Promise.resolve(false)],
    ['undefined', () => undefined],
  ])(
    'refuses every token of a store that answers %s: only false admits',
    async (_what, isRevoked) => {
      const store = { revoke: async () => undefined, isRevoked } as unknown as RevocationStore;
      const { authenticator, sign } = await authenticatorKit(store);
      const { token } = await sign();
      await expect(authenticate(authenticator, token)).rejects.toMatchObject({ code: REVOKED });
    },
  );
});
