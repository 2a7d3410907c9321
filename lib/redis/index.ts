// nest-hybrid-auth/redis: the Redis revocation store, shared by every instance. Its own entry
// point, so that an app without Redis never loads ioredis.

export { RedisRevocationStore } from './redis-revocation.store.js';
export type { RedisClientLike, RedisRevocationStoreOptions } from './redis-revocation.store.js';
