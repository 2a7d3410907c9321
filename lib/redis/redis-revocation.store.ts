import { MemoryRevocationStore } from '../revocation/memory-revocation.store.js';
import type {
  RevocationEntry,
  RevocationStore,
  RevocationSubject,
} from '../revocation/revocation.store.js';

/**
 * The subset of an ioredis (v5) client this store uses; pass `new Redis(url)`.
 * Kept structural so `ioredis` stays an optional peer dependency.
 */
export interface RedisClientLike {
  set(key: string, value: string, mode: 'PX', milliseconds: number): Promise<unknown>;
  publish(channel: string, message: string): Promise<unknown>;
  scan(
    cursor: string,
    matchToken: 'MATCH',
    pattern: string,
    countToken: 'COUNT',
    count: number,
  ): Promise<[cursor: string, elements: string[]]>;
  mget(...keys: string[]): Promise<(string | null)[]>;
  subscribe(channel: string): Promise<unknown>;
  on(event: 'message', listener: (channel: string, message: string) => void): unknown;
  on(event: 'ready', listener: () => void): unknown;
  duplicate(): RedisClientLike;
  quit(): Promise<unknown>;
}

/** Options of {@link RedisRevocationStore}. */
export interface RedisRevocationStoreOptions {
  /** A connected ioredis client. The store duplicates it for its subscription. */
  readonly client: RedisClientLike;
  /**
   * Prefix of the keys and of the channel this store uses; instances that share it share revocations.
   * @default 'nest-hybrid-auth:revoked'
   */
  readonly prefix?: string;
}

/**
 * Revocations shared by every instance connected to one Redis. Each revocation is written as a
 * key that expires with the tokens it names, and published; every instance mirrors them in
 * memory, so the check on each request costs no round trip. An instance that starts later
 * loads the live keys after subscribing, so it misses nothing in between.
 *
 * @example
 * ```ts
 * AuthModule.forRoot({ ..., revocation: { store: new RedisRevocationStore({ client: new Redis(url) }) } })
 * ```
 */
export class RedisRevocationStore implements RevocationStore {
  private readonly local = new MemoryRevocationStore();
  private readonly client: RedisClientLike;
  private readonly prefix: string;
  private subscriber: RedisClientLike | null = null;

  constructor(options: RedisRevocationStoreOptions) {
    this.client = options.client;
    this.prefix = options.prefix ?? 'nest-hybrid-auth:revoked';
  }

  async init(): Promise<void> {
    if (this.subscriber !== null) return;
    const subscriber = this.client.duplicate();
    this.subscriber = subscriber;
    subscriber.on('message', (_channel, message) => this.receive(message));
    await subscriber.subscribe(this.channel);
    // After a reconnect ioredis resubscribes, but what was published meanwhile is lost: reload.
    subscriber.on('ready', () => {
      this.loadLiveKeys().catch(() => undefined);
    });
    await this.loadLiveKeys();
  }

  private async loadLiveKeys(): Promise<void> {
    let cursor = '0';
    do {
      const [next, keys] = await this.client.scan(
        cursor,
        'MATCH',
        `${this.prefix}:*`,
        'COUNT',
        500,
      );
      cursor = next;
      if (keys.length > 0) {
        for (const value of await this.client.mget(...keys))
          if (value !== null) this.receive(value);
      }
    } while (cursor !== '0');
  }

  async revoke(entry: RevocationEntry): Promise<void> {
    this.local.apply(entry);
    const ttl = entry.expiresAt - Date.now();
    if (ttl <= 0) return;
    const message = JSON.stringify(entry);
    await this.client.set(`${this.prefix}:${entry.kind}:${entry.id}`, message, 'PX', ttl);
    await this.client.publish(this.channel, message);
  }

  isRevoked(subject: RevocationSubject, nowMs: number): boolean {
    return this.local.isRevoked(subject, nowMs);
  }

  async close(): Promise<void> {
    const subscriber = this.subscriber;
    this.subscriber = null;
    await subscriber?.quit();
  }

  private get channel(): string {
    return `${this.prefix}:events`;
  }

  private receive(message: string): void {
    const entry = parseEntry(message);
    if (entry !== null) this.local.apply(entry);
  }
}

function parseEntry(message: string): RevocationEntry | null {
  let value: unknown;
  try {
    value = JSON.parse(message);
  } catch {
    return null;
  }
  if (value === null || typeof value !== 'object') return null;
  const { kind, id, expiresAt, issuedBefore } = value as Record<string, unknown>;
  if (typeof id !== 'string' || typeof expiresAt !== 'number') return null;
  if (kind === 'token' || kind === 'session') return { kind, id, expiresAt };
  if (kind === 'subject' && typeof issuedBefore === 'number') {
    return { kind, id, expiresAt, issuedBefore };
  }
  return null;
}
