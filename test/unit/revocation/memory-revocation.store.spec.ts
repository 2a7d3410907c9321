import { describe, expect, it } from 'vitest';
import { MemoryRevocationStore } from '../../../lib/index.js';
import { sessionRevocation } from '../../../lib/revocation/session-revocation.js';

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

  it('revokes every token of a session issued up to the revocation, by sid', async () => {
    const store = new MemoryRevocationStore();
    await store.revoke({
      kind: 'session',
      id: 's1',
      issuedBefore: now / 1000,
      expiresAt: now + 1000,
    });
    expect(store.isRevoked({ ...claims, jti: 'other' }, now)).toBe(true);
    expect(store.isRevoked({ ...claims, iat: now / 1000 }, now)).toBe(true);
    expect(store.isRevoked({ ...claims, iat: now / 1000 + 1 }, now)).toBe(false);
    expect(store.isRevoked({ ...claims, sid: 's2' }, now)).toBe(false);
    expect(store.isRevoked({ jti: 'x', sub: 'u1', iat: 0 }, now)).toBe(false);
  });

  it('keeps a session revocation until every token it names has expired, whatever the issuer clock within the tolerance', () => {
    const limits = { accessTokenTtl: 600, clockTolerance: 5 };
    const store = new MemoryRevocationStore();
    const entry = sessionRevocation('s1', now, limits);
    store.apply(entry);
    // The latest token it names: issued by a clock running the tolerance ahead.
    const iat = now / 1000 + limits.clockTolerance;
    const acceptedUntilMs = (iat + limits.accessTokenTtl + limits.clockTolerance) * 1000;
    expect(store.isRevoked({ ...claims, iat }, acceptedUntilMs - 1)).toBe(true);
    expect(store.isRevoked({ ...claims, iat: iat + 1 }, now)).toBe(false);
    expect(entry.expiresAt).toBeGreaterThan(acceptedUntilMs);
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
    await store.revoke({
      kind: 'session',
      id: 's1',
      issuedBefore: now / 1000,
      expiresAt: now + 1000,
    });
    expect(store.size).toBe(2);
    store.isRevoked(claims, now + 120_000);
    expect(store.size).toBe(0);
  });

  it('when full, evicts the entries nearest their expiry and keeps the newest revocations', () => {
    const store = new MemoryRevocationStore({ maxEntries: 100 });
    for (let i = 0; i < 100; i += 1) {
      store.apply({ kind: 'token', id: `old-${i}`, expiresAt: now + 1000 + i });
    }
    expect(store.size).toBe(100);
    store.apply({
      kind: 'session',
      id: 'newest',
      issuedBefore: now / 1000,
      expiresAt: now + 600_000,
    });
    expect(store.size).toBeLessThanOrEqual(100);
    expect(store.evicted).toBe(10);
    expect(store.isRevoked({ ...claims, sid: 'newest' }, now)).toBe(true);
    // The 10 nearest their expiry went (down to 90% of the cap); the rest stay.
    expect(store.isRevoked({ ...claims, jti: 'old-9', sid: undefined }, now)).toBe(false);
    expect(store.isRevoked({ ...claims, jti: 'old-10', sid: undefined }, now)).toBe(true);
    expect(store.isRevoked({ ...claims, jti: 'old-99', sid: undefined }, now)).toBe(true);
  });

  it('refuses a cap it cannot keep', () => {
    expect(() => new MemoryRevocationStore({ maxEntries: 0 })).toThrow(/maxEntries/);
  });

  it('announces every applied revocation to its listeners until they are removed', async () => {
    const store = new MemoryRevocationStore();
    const heard: string[] = [];
    const stop = store.onRevoke((entry) => heard.push(`${entry.kind}:${entry.id}`));
    store.onRevoke(() => {
      throw new Error('a broken listener');
    });
    await store.revoke({ kind: 'token', id: 'j1', expiresAt: Date.now() + 60_000 });
    store.apply({ kind: 'session', id: 's1', issuedBefore: 1, expiresAt: Date.now() + 60_000 });
    stop();
    await store.revoke({ kind: 'token', id: 'j2', expiresAt: Date.now() + 60_000 });
    expect(heard).toEqual(['token:j1', 'session:s1']);
    // The broken listener neither undid nor hid the revocation.
    expect(store.isRevoked({ jti: 'j2', sub: 'u', iat: 1 }, Date.now())).toBe(true);
  });
});
