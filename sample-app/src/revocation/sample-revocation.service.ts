import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import { MemoryRevocationStore, type RevocationStore } from '../../../lib/index.js';
import { RedisRevocationStore } from '../../../lib/redis/index.js';
import { SAMPLE_CONFIG } from '../config/sample-config.module.js';
import type { SampleConfig } from '../sample-config.js';

/**
 * Owns the revocation store: Redis-backed when `REDIS_URL` is set, so instances sharing it
 * learn of each other's revocations, otherwise in this process only. Closes the Redis client
 * it created at shutdown (the store closes only its own subscriber).
 */
@Injectable()
export class SampleRevocation implements OnApplicationShutdown {
  /** The store to hand to `AuthModule` (`revocation.store`). */
  readonly store: RevocationStore;
  private readonly client: Redis | null;

  constructor(@Inject(SAMPLE_CONFIG) config: SampleConfig) {
    if (config.redisUrl === null) {
      this.client = null;
      this.store = new MemoryRevocationStore();
      return;
    }
    // maxRetriesPerRequest: a lost Redis fails requests quickly instead of queueing them.
    this.client = new Redis(config.redisUrl, { maxRetriesPerRequest: 2 });
    const logger = new Logger('Redis');
    // The error text names the host and errno, never the URL's password.
    this.client.on('error', (error: Error) =>
      logger.warn(`Redis connection error: ${error.message}`),
    );
    this.store = new RedisRevocationStore({
      client: this.client,
      ...(config.redisPrefix === null ? {} : { prefix: config.redisPrefix }),
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.client?.quit();
  }
}
