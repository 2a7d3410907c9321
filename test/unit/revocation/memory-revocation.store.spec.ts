import { describe, expect, it } from 'vitest';
import { MemoryRevocationStore } from '../../../lib/index.js';

const now = Date.UTC(2026, 0, 1);
const claims = { jti: 'j1', sub: 'u1', iat: now / 1000 - 10, sid: 's1' };

describe('MemoryRevocationStore', () => {
  it('revokes one token by jti until it expires', async () => {
    const store = new MemoryRevocationStore();
    await store.revoke({ kind: 'token', id: 'j1', expiresAt: now + 1000 });
    expect(store.isRevoked(claims, now)).toBe(true);
    expect(store.isRevoked({ ...claims, jti: 'j2' }, now)).toBe(false);
    expect(store.isRevoked(claims, now + 1000)).toBe(false);
  });

  it('revokes every token of a session by sid', async () => {
    const store = new MemoryRevocationStore();
    await store.revoke({ kind: 'session', id: 's1', expiresAt: now + 1000 });
    expect(store.isRevoked({ ...claims, jti: 'other' }, now)).toBe(true);
    expect(store.isRevoked({ ...claims, sid: 's2' }, now)).toBe(false);
    expect(store.isRevoked({ jti: 'x', sub: 'u1', iat: 0 }, now)).toBe(false);
  });

  it('revokes a user’s tokens issued up to a moment, not the ones issued after', async () => {
    const store = new MemoryRevocationStore();
    await store.revoke({
      kind: 'subject',
      id: 'u1',
      issuedBefore: now / 1000,
      expiresAt: now + 1000,
    });
    expect(store.isRevoked(claims, now)).toBe(true);
    expect(store.isRevoked({ ...claims, iat: now / 1000 + 1 }, now)).toBe(false);
  });

  it('forgets revocations once the tokens they name have expired', async () => {
    const store = new MemoryRevocationStore();
    await store.revoke({ kind: 'token', id: 'j1', expiresAt: now + 1000 });
    await store.revoke({ kind: 'session', id: 's1', expiresAt: now + 1000 });
    expect(store.size).toBe(2);
    store.isRevoked(claims, now + 120_000);
    expect(store.size).toBe(0);
  });
});
