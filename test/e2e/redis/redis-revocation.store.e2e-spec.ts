import { Redis } from 'ioredis';
import { afterAll, expect, it } from 'vitest';
import {
  RedisRevocationStore,
  type RedisRevocationStoreOptions,
} from '../../../lib/redis/index.js';
import { FixedClock } from '../../support/fixed-clock.js';
import { describeWithService, uniqueName } from '../../support/services.js';

async function eventually(check: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const limits = { accessTokenTtl: 600, clockTolerance: 5 };

/** A session revocation made now, as TokenService writes it. */
function session(id: string, expiresAt: number) {
  return { kind: 'session', id, issuedBefore: Math.floor(Date.now() / 1000), expiresAt } as const;
}

describeWithService('redis', 'RedisRevocationStore shares revocations across instances', (url) => {
  const clients: Redis[] = [];
  const stores: RedisRevocationStore[] = [];
  const prefix = uniqueName('revocation_test');
  const token = (sid: string) => ({
    jti: `jti-${sid}`,
    sub: 'user-1',
    iat: Math.floor(Date.now() / 1000),
    sid,
  });

  async function instance(
    options: Partial<Omit<RedisRevocationStoreOptions, 'client'>> = {},
    clock: { now(): number } = { now: () => Date.now() },
  ): Promise<RedisRevocationStore> {
    const client = new Redis(url);
    clients.push(client);
    const store = new RedisRevocationStore({ client, prefix, ...options });
    stores.push(store);
    await store.init({ clock, ...limits });
    return store;
  }

  afterAll(async () => {
    for (const store of stores) await store.close();
    const keys = await clients[0]!.keys(`${prefix}:*`);
    if (keys.length > 0) await clients[0]!.del(...keys);
    for (const client of clients) await client.quit();
  });

  it('tells every running instance of a revocation made on one of them', async () => {
    const a = await instance();
    const b = await instance();
    const revoked = token('s-1');
    expect(b.isRevoked(revoked, Date.now())).toBe(false);
    await a.revoke(session('s-1', Date.now() + 60_000));
    expect(a.isRevoked(revoked, Date.now())).toBe(true);
    await eventually(() => b.isRevoked(revoked, Date.now()));
    expect(b.isRevoked(token('s-2'), Date.now())).toBe(false);
  });

  it('loads the live revocations when an instance starts later', async () => {
    const a = stores[0]!;
    await a.revoke({ kind: 'token', id: 'jti-late', expiresAt: Date.now() + 60_000 });
    const late = await instance();
    expect(late.isRevoked({ jti: 'jti-late', sub: 'u', iat: 0 }, Date.now())).toBe(true);
  });

  it('catches up on what was published while its subscription was down', async () => {
    const store = await instance();
    // Written the way another instance would, but while this one could not hear the message.
    const entry = session('s-missed', Date.now() + 60_000);
    await clients[0]!.set(`${prefix}:session:s-missed`, JSON.stringify(entry), 'PX', 60_000);
    expect(store.isRevoked(token('s-missed'), Date.now())).toBe(false);
    (store as unknown as { subscriber: Redis }).subscriber.disconnect(true);
    await eventually(() => store.isRevoked(token('s-missed'), Date.now()));
  });

  it('lets a revocation lapse with the tokens it names', async () => {
    const a = stores[0]!;
    await a.revoke(session('s-short', Date.now() + 200));
    const key = `${prefix}:session:s-short`;
    expect(Number(await clients[0]!.pttl(key))).toBeGreaterThan(0);
    expect(a.isRevoked(token('s-short'), Date.now() + 1000)).toBe(false);
  });

  it('sets key lifetimes on the injected clock, not on the machine’s', async () => {
    const clock = new FixedClock(Date.now() - 365 * 86_400_000);
    const store = await instance({}, clock);
    await store.revoke({ kind: 'token', id: 'jti-clock', expiresAt: clock.now() + 60_000 });
    const ttl = Number(await clients[0]!.pttl(`${prefix}:token:jti-clock`));
    expect(ttl).toBeGreaterThan(55_000);
    expect(ttl).toBeLessThanOrEqual(60_000);
  });

  it('bounds what it reads from Redis: a forged entry denies for one access-token lifetime at most', async () => {
    const store = await instance();
    const forever = { kind: 'subject', id: 'victim', issuedBefore: 4_000_000_000, expiresAt: 9e15 };
    await clients[0]!.publish(`${prefix}:events`, JSON.stringify(forever));
    const now = Date.now();
    const later = { jti: 'j', sub: 'victim', iat: Math.floor(now / 1000) + 60 };
    const current = { jti: 'j', sub: 'victim', iat: Math.floor(now / 1000) };
    await eventually(() => store.isRevoked(current, Date.now()));
    // Not the tokens issued after it, and not beyond one lifetime plus tolerance.
    expect(store.isRevoked(later, Date.now())).toBe(false);
    expect(store.isRevoked(current, now + (600 + 2 * 5 + 2) * 1000)).toBe(false);
  });

  it('with a secret, ignores and counts entries and messages without a valid MAC', async () => {
    const secret = 'x'.repeat(32);
    const signedPrefix = uniqueName('revocation_signed');
    const client = new Redis(url);
    clients.push(client);
    const make = async () => {
      const own = client.duplicate();
      clients.push(own);
      const store = new RedisRevocationStore({ client: own, prefix: signedPrefix, secret });
      stores.push(store);
      await store.init({ clock: { now: () => Date.now() }, ...limits });
      return store;
    };
    const forged = JSON.stringify(session('s-forged-key', Date.now() + 60_000));
    await client.set(`${signedPrefix}:session:s-forged-key`, forged, 'PX', 60_000);
    const a = await make();
    const b = await make();
    expect(a.rejected).toBe(1);
    expect(a.isRevoked(token('s-forged-key'), Date.now())).toBe(false);

    await client.publish(
      `${signedPrefix}:events`,
      JSON.stringify(session('s-forged', Date.now() + 60_000)),
    );
    await a.revoke(session('s-signed', Date.now() + 60_000));
    await eventually(() => b.isRevoked(token('s-signed'), Date.now()));
    expect(b.isRevoked(token('s-forged'), Date.now())).toBe(false);
    expect(b.rejected).toBe(2);
    const keys = await client.keys(`${signedPrefix}:*`);
    await client.del(...keys);
  });

  it('refuses options it cannot work with', () => {
    const client = clients[0]!;
    expect(() => new RedisRevocationStore({ client, secret: 'short' })).toThrow(/secret/);
    expect(() => new RedisRevocationStore({ client, commandTimeout: 0 })).toThrow(/commandTimeout/);
  });
});
