import { Redis } from 'ioredis';
import { afterAll, expect, it } from 'vitest';
import { RedisRevocationStore } from '../../../lib/redis/index.js';
import { describeWithService, uniqueName } from '../../support/services.js';

async function eventually(check: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
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

  async function instance(): Promise<RedisRevocationStore> {
    const client = new Redis(url);
    clients.push(client);
    const store = new RedisRevocationStore({ client, prefix });
    stores.push(store);
    await store.init();
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
    await a.revoke({ kind: 'session', id: 's-1', expiresAt: Date.now() + 60_000 });
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
    const entry = { kind: 'session', id: 's-missed', expiresAt: Date.now() + 60_000 };
    await clients[0]!.set(`${prefix}:session:s-missed`, JSON.stringify(entry), 'PX', 60_000);
    expect(store.isRevoked(token('s-missed'), Date.now())).toBe(false);
    (store as unknown as { subscriber: Redis }).subscriber.disconnect(true);
    await eventually(() => store.isRevoked(token('s-missed'), Date.now()));
  });

  it('lets a revocation lapse with the tokens it names', async () => {
    const a = stores[0]!;
    await a.revoke({ kind: 'session', id: 's-short', expiresAt: Date.now() + 200 });
    const key = `${prefix}:session:s-short`;
    expect(Number(await clients[0]!.pttl(key))).toBeGreaterThan(0);
    expect(a.isRevoked(token('s-short'), Date.now() + 1000)).toBe(false);
  });
});
