import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { Injectable, type OnModuleInit } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { SampleConfig } from '../sample-config.js';

// r=8, p=1 with N from the configuration: the OWASP Password Storage Cheat Sheet asks N >= 2^17.
const BLOCK_SIZE = 8;
const PARALLELISM = 1;
const MAX_MEMORY = 1024 * 1024 * 1024 + 1024 * 1024;
const KEY_LENGTH = 32;
const SALT_LENGTH = 16;

function deriveKey(
  password: string,
  salt: Buffer,
  options: ScryptOptions,
  length: number,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, length, options, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}

/**
 * Hashes passwords with scrypt (`node:crypto`), a fresh 16-byte salt per password, and
 * compares in constant time. The format `scrypt$N$r$p$salt$key` records the cost so it can
 * be raised later without invalidating stored hashes.
 */
@Injectable()
export class PasswordHasher implements OnModuleInit {
  private dummy: Promise<string> | null = null;
  private readonly cost: ScryptOptions;

  constructor(config: ConfigService<SampleConfig, true>) {
    const N = config.get('scryptCost', { infer: true });
    this.cost = { N, r: BLOCK_SIZE, p: PARALLELISM, maxmem: MAX_MEMORY };
  }

  /** Computes the dummy hash at start-up, so the first unknown-email login costs no extra scrypt run. */
  async onModuleInit(): Promise<void> {
    await this.dummyHash();
  }

  /**
   * @returns the encoded hash of `password`
   * @example const stored = await hasher.hash('correct horse battery staple');
   */
  async hash(password: string): Promise<string> {
    const salt = randomBytes(SALT_LENGTH);
    const key = await deriveKey(password, salt, this.cost, KEY_LENGTH);
    return [
      'scrypt',
      this.cost.N,
      this.cost.r,
      this.cost.p,
      salt.toString('base64url'),
      key.toString('base64url'),
    ].join('$');
  }

  /**
   * Whether `password` matches `stored`. With `stored === null` (unknown user) it still runs
   * scrypt against a dummy hash, so an unknown email costs as long as a wrong password.
   *
   * @example if (!(await hasher.verify(password, user?.passwordHash ?? null))) throw ...
   */
  async verify(password: string, stored: string | null): Promise<boolean> {
    const encoded = stored ?? (await this.dummyHash());
    const parts = encoded.split('$');
    const [scheme, n, r, p, saltText, keyText] = parts;
    if (
      parts.length !== 6 ||
      scheme !== 'scrypt' ||
      saltText === undefined ||
      keyText === undefined
    ) {
      return false;
    }
    const expected = Buffer.from(keyText, 'base64url');
    const options = { N: Number(n), r: Number(r), p: Number(p), maxmem: MAX_MEMORY };
    const actual = await deriveKey(
      password,
      Buffer.from(saltText, 'base64url'),
      options,
      expected.length,
    );
    return timingSafeEqual(actual, expected) && stored !== null;
  }

  private dummyHash(): Promise<string> {
    this.dummy ??= this.hash(randomBytes(16).toString('base64url'));
    return this.dummy;
  }
}
