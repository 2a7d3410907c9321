import { Logger } from '@nestjs/common';
import { z } from 'zod';
import { RevocationUnavailableError } from '../auth.errors.js';
import { systemClock, type Clock } from '../clock.js';
import { clampRevocationEntry } from '../revocation/clamp-revocation-entry.js';
import {
  DEFAULT_MAX_REVOCATION_ENTRIES,
  MemoryRevocationStore,
} from '../revocation/memory-revocation.store.js';
import type {
  RevocationEntry,
  RevocationStore,
  RevocationStoreContext,
  RevocationSubject,
} from '../revocation/revocation.store.js';
import { RevocationMessageCodec } from './revocation-message.js';

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
  ping(): Promise<unknown>;
  on(event: 'message', listener: (channel: string, message: string) => void): unknown;
  on(event: 'ready' | 'close', listener: () => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  duplicate(): RedisClientLike;
  quit(): Promise<unknown>;
  disconnect(): void;
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
  /**
   * Shared secret (at least 32 bytes) that authenticates every entry and message with
   * HMAC-SHA256. When set, anything read from Redis without a valid MAC is ignored, counted
   * (`rejected`) and logged without its content. Every instance sharing the prefix needs it.
   */
  readonly secret?: string | Buffer;
  /**
   * What `isRevoked` does while this instance may be missing revocations (Redis unreachable or
   * stalled, subscription down or not yet reloaded): `'accept'` answers from what it knows, so
   * a revocation made elsewhere meanwhile is honoured late; `'refuse'` throws
   * `RevocationUnavailableError` (HTTP 503) for every token instead.
   * @default 'accept'
   */
  readonly whenUnavailable?: 'accept' | 'refuse';
  /**
   * Longest wait for one Redis command, in milliseconds. A `revoke` whose write does not
   * complete in time resolves anyway: the entry is applied here and published later.
   * @default 1000
   */
  readonly commandTimeout?: number;
  /**
   * How often, in milliseconds, the store checks Redis (PING) and publishes what it could not.
   * @default 1000
   */
  readonly retryInterval?: number;
  /** Cap of the in-memory mirror, see `MemoryRevocationStoreOptions.maxEntries`. @default 100000 */
  readonly maxEntries?: number;
}

const optionsSchema = z.object({
  prefix: z.string().min(1).optional(),
  secret: z
    .union([z.string(), z.instanceof(Buffer)])
    .refine((secret) => Buffer.byteLength(secret) >= 32, 'must be at least 32 bytes')
    .optional(),
  whenUnavailable: z.enum(['accept', 'refuse']).optional(),
  commandTimeout: z.number().int().min(10).max(60_000).optional(),
  retryInterval: z.number().int().min(10).max(60_000).optional(),
  maxEntries: z.number().int().min(10).optional(),
});

/** Used until `TokenService` passes the module's own (the module defaults). */
const DEFAULT_LIMITS = { accessTokenTtl: 15 * 60, clockTolerance: 5 };

interface OutboxItem {
  entry: RevocationEntry;
  published: boolean;
}

/**
 * Revocations shared by every instance connected to one Redis. Each revocation is written as a
 * key that expires with the tokens it names, and published; every instance mirrors them in
 * memory, so the check on each request costs no round trip. An instance that starts later
 * loads the live keys after subscribing, so it misses nothing in between.
 *
 * While Redis is down or stalled nothing is lost: a revocation is applied here at once, kept,
 * and written and published once Redis answers again (every live revocation of this instance
 * is rewritten after a reconnect, in case Redis restarted empty); an instance whose
 * subscription dropped reloads the live keys when it is back. Entries read from Redis are
 * clamped (see `clampRevocationEntry`) and, with `secret`, authenticated.
 *
 * @example
 * ```ts
 * AuthModule.forRoot({ ..., revocation: { store: new RedisRevocationStore({ client: new Redis(url) }) } })
 * ```
 */
export class RedisRevocationStore implements RevocationStore {
  private readonly local: MemoryRevocationStore;
  private readonly client: RedisClientLike;
  private readonly prefix: string;
  private readonly codec: RevocationMessageCodec;
  private readonly refuse: boolean;
  private readonly commandTimeout: number;
  private readonly retryInterval: number;
  private readonly logger = new Logger('RedisRevocationStore');
  /** This instance's live revocations, rewritten after a reconnect; `published: false` = owed. */
  private readonly outbox = new Map<string, OutboxItem>();
  private subscriber: RedisClientLike | null = null;
  private clock: Clock = systemClock;
  private limits = DEFAULT_LIMITS;
  private timer: NodeJS.Timeout | null = null;
  /** The subscription is up and the live keys were loaded since it last dropped. */
  private synced = false;
  /** Bumped whenever the subscription drops, so a reload that raced the drop does not count. */
  private generation = 0;
  private resyncing: Promise<void> | null = null;
  /** The last command on the main connection completed in time. */
  private healthy = true;
  private ticking = false;
  private rejectedCount = 0;
  private nextRejectionLog = 0;

  constructor(options: RedisRevocationStoreOptions) {
    const parsed = optionsSchema.safeParse({ ...options, client: undefined });
    if (!parsed.success) {
      const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
      throw new TypeError(`Invalid RedisRevocationStore options: ${problems.join('; ')}`);
    }
    this.client = options.client;
    this.prefix = options.prefix ?? 'nest-hybrid-auth:revoked';
    this.codec = new RevocationMessageCodec(this.prefix, options.secret ?? null);
    this.refuse = options.whenUnavailable === 'refuse';
    this.commandTimeout = options.commandTimeout ?? 1000;
    this.retryInterval = options.retryInterval ?? 1000;
    this.local = new MemoryRevocationStore({
      maxEntries: options.maxEntries ?? DEFAULT_MAX_REVOCATION_ENTRIES,
    });
  }

  async init(context?: RevocationStoreContext): Promise<void> {
    if (this.subscriber !== null) return;
    if (context !== undefined) {
      this.clock = context.clock;
      this.limits = {
        accessTokenTtl: context.accessTokenTtl,
        clockTolerance: context.clockTolerance,
      };
    }
    const subscriber = this.client.duplicate();
    this.subscriber = subscriber;
    subscriber.on('message', (_channel, message) => this.receive(message));
    subscriber.on('error', (error) => this.warn('subscription', error));
    subscriber.on('close', () => {
      this.synced = false;
      this.generation += 1;
    });
    // After a reconnect ioredis resubscribes, but what was published meanwhile is lost: reload.
    subscriber.on('ready', () => {
      // A failed reload is retried by the next tick (isRevoked refuses meanwhile under 'refuse').
      this.resync().catch((error: unknown) => this.warn('reload', error));
    });
    this.client.on('close', () => {
      this.healthy = false;
    });
    // Redis may have restarted empty: write every live revocation of ours again.
    this.client.on('ready', () => {
      for (const item of this.outbox.values()) item.published = false;
      void this.tick();
    });
    await subscriber.subscribe(this.channel);
    await this.resync();
    this.timer = setInterval(() => void this.tick(), this.retryInterval);
    this.timer.unref();
  }

  /**
   * Applies the revocation here at once, then writes and publishes it. Never rejects: when
   * Redis fails or does not answer within `commandTimeout`, the entry is kept and published
   * when Redis is back.
   */
  async revoke(entry: RevocationEntry): Promise<void> {
    this.local.apply(entry);
    if (entry.expiresAt <= this.clock.now()) return;
    const key = `${this.prefix}:${entry.kind}:${entry.id}`;
    const previous = this.outbox.get(key)?.entry;
    this.outbox.set(key, { entry: mergeEntries(entry, previous), published: false });
    if (!this.healthy) {
      // Known down: do not make the client wait for a command that will fail; retry now.
      void this.tick();
      return;
    }
    try {
      await this.write(key);
      this.healthy = true;
    } catch (error) {
      this.healthy = false;
      this.warn('publish (kept, retried when Redis answers)', error);
    }
  }

  /** @throws RevocationUnavailableError with `whenUnavailable: 'refuse'` while Redis is unavailable. */
  /** Calls `listener` with every revocation applied here: this instance's and those heard from Redis. */
  onRevoke(listener: (entry: RevocationEntry) => void): () => void {
    return this.local.onRevoke(listener);
  }

  isRevoked(subject: RevocationSubject, nowMs: number): boolean {
    if (this.refuse && !this.available) throw new RevocationUnavailableError();
    return this.local.isRevoked(subject, nowMs);
  }

  /**
   * Whether this instance hears every revocation: subscribed, reloaded since its last
   * disconnect, and Redis answering. For health checks.
   */
  get available(): boolean {
    return this.synced && this.healthy;
  }

  /** Revocations of this instance not yet written to Redis. */
  get pending(): number {
    let count = 0;
    for (const item of this.outbox.values()) if (!item.published) count += 1;
    return count;
  }

  /** Entries and messages read from Redis and ignored as unauthenticated or malformed. */
  get rejected(): number {
    return this.rejectedCount;
  }

  async close(): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    const subscriber = this.subscriber;
    this.subscriber = null;
    if (subscriber === null) return;
    // QUIT waits for Redis; a stalled or absent one would hold shutdown.
    await this.bounded(subscriber.quit()).catch(() => subscriber.disconnect());
  }

  private get channel(): string {
    return `${this.prefix}:events`;
  }

  /** Periodic: publish what is owed, or PING; reload after Redis was unreachable. */
  private async tick(): Promise<void> {
    if (this.ticking || this.subscriber === null) return;
    this.ticking = true;
    const wasHealthy = this.healthy;
    try {
      this.dropExpired();
      const owed = [...this.outbox].filter(([, item]) => !item.published).map(([key]) => key);
      if (owed.length === 0) await this.bounded(this.client.ping());
      for (const key of owed) await this.write(key);
      this.healthy = true;
      // Messages sent while we could not hear them may be gone, as after a reconnect.
      if (!wasHealthy) this.synced = false;
      if (!this.synced) await this.resync();
    } catch (error) {
      if (wasHealthy) this.warn('health check', error);
      this.healthy = false;
    } finally {
      this.ticking = false;
    }
  }

  private resync(): Promise<void> {
    this.resyncing ??= this.reload().finally(() => {
      this.resyncing = null;
    });
    return this.resyncing;
  }

  private async reload(): Promise<void> {
    const generation = this.generation;
    const subscriber = this.subscriber;
    if (subscriber === null) return;
    // PING after the (re)SUBSCRIBE on the same connection: once it answers we are subscribed,
    // so anything written after the SCAN below starts is heard.
    await this.bounded(subscriber.ping());
    let cursor = '0';
    do {
      const [next, keys] = await this.bounded(
        this.client.scan(cursor, 'MATCH', `${this.prefix}:*`, 'COUNT', 500),
      );
      cursor = next;
      if (keys.length > 0) {
        for (const value of await this.bounded(this.client.mget(...keys)))
          if (value !== null) this.receive(value);
      }
    } while (cursor !== '0');
    if (generation === this.generation) this.synced = true;
  }

  private async write(key: string): Promise<void> {
    const item = this.outbox.get(key);
    if (item === undefined) return;
    const ttl = item.entry.expiresAt - this.clock.now();
    if (ttl <= 0) {
      this.outbox.delete(key);
      return;
    }
    const message = this.codec.encode(item.entry);
    await this.bounded(this.client.set(key, message, 'PX', ttl));
    await this.bounded(this.client.publish(this.channel, message));
    // A newer revocation of the same key replaced the item meanwhile: that one is still owed.
    if (this.outbox.get(key) === item) item.published = true;
  }

  private dropExpired(): void {
    const now = this.clock.now();
    for (const [key, item] of this.outbox) if (item.entry.expiresAt <= now) this.outbox.delete(key);
  }

  private receive(raw: string): void {
    const entry = this.codec.decode(raw);
    if (entry === null) {
      this.reject();
      return;
    }
    const clamped = clampRevocationEntry(entry, this.limits, this.clock.now());
    if (clamped !== null) this.local.apply(clamped);
  }

  private reject(): void {
    this.rejectedCount += 1;
    const now = Date.now();
    if (now < this.nextRejectionLog) return;
    // At most one line a minute, with a count and never the content: anyone who can write to
    // Redis could otherwise fill the log.
    this.nextRejectionLog = now + 60_000;
    this.logger.warn(
      `Ignored revocation data from Redis that failed authentication or validation (${this.rejectedCount} so far)`,
    );
  }

  private bounded<T>(promise: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new RedisTimeoutError(this.commandTimeout)),
        this.commandTimeout,
      );
    });
    // The command may still complete later; its outcome no longer matters.
    promise.catch(() => undefined);
    return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
  }

  private warn(what: string, error: unknown): void {
    // Name and code only: an ioredis message can carry the host, and nothing here needs more.
    const detail =
      error instanceof Error
        ? `${error.name}${'code' in error ? ` (${String(error.code)})` : ''}`
        : 'unknown error';
    this.logger.warn(`Redis ${what} failed: ${detail}`);
  }
}

class RedisTimeoutError extends Error {
  override readonly name = 'RedisTimeoutError';
  constructor(ms: number) {
    super(`no answer within ${ms} ms`);
  }
}

function mergeEntries(
  entry: RevocationEntry,
  previous: RevocationEntry | undefined,
): RevocationEntry {
  if (previous === undefined || previous.kind !== entry.kind) return entry;
  const expiresAt = Math.max(entry.expiresAt, previous.expiresAt);
  if (entry.kind === 'token') return { ...entry, expiresAt };
  const issuedBefore = Math.max(
    entry.issuedBefore,
    'issuedBefore' in previous ? previous.issuedBefore : 0,
  );
  return { ...entry, expiresAt, issuedBefore };
}
