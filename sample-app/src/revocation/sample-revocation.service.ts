import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Redis } from 'ioredis';
import { MemoryRevocationStore, type RevocationStore } from '../../../lib/index.js';
import { RedisRevocationStore } from '../../../lib/redis/index.js';
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

  constructor(config: ConfigService<SampleConfig, true>) {
    const url = config.get('redisUrl', { infer: true });
    if (url === null) {
      this.client = null;
      this.store = new MemoryRevocationStore();
      return;
    }
    this.client = new Redis(url, {
      // A lost Redis fails commands quickly instead of queueing them for long; the store bounds
      // its own waits anyway (commandTimeout, 1 s) and republishes what it could not write.
      maxRetriesPerRequest: 1,
      // Reconnect at most 1 s after Redis is back (ioredis's default backs off to 2 s).
      retryStrategy: (attempt) => Math.min(attempt * 100, 1000),
    });
    const logger = new Logger('Redis');
    // The error text names the host and errno, never the URL's password.
    this.client.on('error', (error: Error) =>
      logger.warn(`Redis connection error: ${error.message}`),
    );
    const prefix = config.get('redisPrefix', { infer: true });
    const secret = config.get('redisSecret', { infer: true });
    this.store = new RedisRevocationStore({
      client: this.client,
      whenUnavailable: config.get('redisWhenUnavailable', { infer: true }),
      ...(prefix === null ? {} : { prefix }),
      ...(secret === null ? {} : { secret }),
    });
  }

  async onApplicationShutdown(): Promise<void> {
    // QUIT waits for an answer a stopped or stalled Redis never gives.
    await Promise.race([
      this.client?.quit(),
      new Promise((resolve) => setTimeout(resolve, 1000).unref()),
    ]).catch(() => undefined);
    this.client?.disconnect();
  }
}
