import { isAbsolute, resolve } from 'node:path';
import type { JWK } from 'jose';
import { parseDuration } from './config/parse-duration.js';

/** Signature algorithms the sample app accepts in `AUTH_ALG`. */
export type SampleAlgorithm = 'ES256' | 'ES384' | 'EdDSA' | 'RS256' | 'PS256';

/** HTTP engines the sample app runs on (`HTTP_ADAPTER`). */
export type SampleHttpAdapter = 'express' | 'fastify';

/** Where users and refresh-token sessions are stored. */
export type SampleDatabaseConfig =
  /** better-sqlite3; `path` is a file path or `':memory:'`. */
  | { readonly type: 'sqlite'; readonly path: string }
  /** PostgreSQL through pg; `schema` (optional) must already exist. */
  | { readonly type: 'postgres'; readonly url: string; readonly schema: string | null }
  /** MySQL or MariaDB through mysql2. */
  | { readonly type: 'mysql' | 'mariadb'; readonly url: string };

/** The validated configuration of the sample app; every duration in seconds. */
export interface SampleConfig {
  /** @default 3000 */
  readonly port: number;
  /** @default '127.0.0.1' */
  readonly host: string;
  /** @default 'express' */
  readonly httpAdapter: SampleHttpAdapter;
  readonly database: SampleDatabaseConfig;
  /** Folder of the generated development signing key. @default 'sample-app/data' (from the working directory) */
  readonly dataDir: string;
  readonly auth: {
    /** @default 'ES256' */
    readonly algorithm: SampleAlgorithm;
    /** PKCS#8 PEM or private JWK; `null` selects the development key kept in `dataDir`. */
    readonly privateKey: string | JWK | null;
    /**
     * `AUTH_PREVIOUS_PUBLIC_KEYS`: public keys that still verify and stay in the JWKS (key
     * rotation), each an SPKI PEM or a public JWK; read, imported and given a `kid` by
     * `resolveSigningKey`. @default []
     */
    readonly previousPublicKeys: readonly (string | JWK)[];
    /** @default `http://localhost:${port}` */
    readonly issuer: string;
    /** @default 'sample-api' */
    readonly audience: string;
    /** Seconds. @default 900 (15m) */
    readonly accessTokenTtl: number;
    /** Absolute session lifetime, seconds. @default 2592000 (30d) */
    readonly refreshTtl: number;
    /** Idle session lifetime, seconds. @default 1209600 (14d) */
    readonly refreshIdleTtl: number;
    /** Reuse grace period of a spent refresh token, seconds. @default 10 */
    readonly refreshGrace: number;
  };
  /** The first administrator, created or updated at start-up. @default null */
  readonly admin: { readonly email: string; readonly password: string } | null;
  /** Shared revocation store for several instances. @default null (in-process store) */
  readonly redisUrl: string | null;
  /** Key and channel prefix in Redis; instances share revocations only with the same one. @default the library's */
  readonly redisPrefix: string | null;
  /** Shared secret authenticating revocations in Redis (HMAC), at least 32 bytes. @default null (unauthenticated) */
  readonly redisSecret: string | null;
  /** While Redis is unavailable: accept tokens from what is known, or refuse them (503). @default 'accept' */
  readonly redisWhenUnavailable: 'accept' | 'refuse';
  /** Rate limit of the credential routes (login, register, password change), per client IP and route; never refresh. */
  readonly throttle: {
    /** Requests allowed per window. @default 10 */
    readonly limit: number;
    /** Window, seconds. @default 60 */
    readonly ttl: number;
  };
  /**
   * Origins besides the app's own whose pages may use the refresh cookie (`AUTH_ALLOWED_ORIGINS`,
   * comma-separated). @default []
   */
  readonly allowedOrigins: readonly string[];
  /** Largest accepted request body, bytes. @default 16384 */
  readonly bodyLimit: number;
  /**
   * scrypt cost parameter N of new password hashes, a power of two (r=8, p=1).
   * @default 131072 (2^17, the OWASP minimum)
   */
  readonly scryptCost: number;
}

/** The environment is not a valid sample-app configuration; lists every problem. */
export class SampleConfigError extends Error {
  /** Each problem as `VARIABLE: what is wrong`. */
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(
      `Invalid sample-app environment:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`,
    );
    this.name = 'SampleConfigError';
    this.problems = Object.freeze([...problems]);
  }
}

/** The default data folder, relative to the working directory (`npm run` uses the repository root). */
export const DEFAULT_DATA_DIR = 'sample-app/data';

const ALGORITHMS: readonly SampleAlgorithm[] = ['ES256', 'ES384', 'EdDSA', 'RS256', 'PS256'];
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * Reads and validates the sample app's environment (see `sample-app/README.section.md`).
 *
 * @param env the variables, `process.env` by default
 * @throws {SampleConfigError} listing every invalid variable at once
 * @example const config = loadSampleConfig({ SQLITE_PATH: ':memory:', PORT: '0' });
 */
export function loadSampleConfig(
  env: Readonly<Record<string, string | undefined>> = process.env,
): SampleConfig {
  const problems: string[] = [];
  const read = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  };

  const port = readInteger(read('PORT'), 3000, 'PORT', 0, 65_535, problems);
  const host = read('HOST') ?? '127.0.0.1';

  const adapterText = (read('HTTP_ADAPTER') ?? 'express').toLowerCase();
  if (adapterText !== 'express' && adapterText !== 'fastify') {
    problems.push(`HTTP_ADAPTER: expected 'express' or 'fastify', got '${adapterText}'`);
  }
  const httpAdapter: SampleHttpAdapter = adapterText === 'fastify' ? 'fastify' : 'express';

  const database = readDatabase(
    read('DATABASE_URL'),
    read('SQLITE_PATH'),
    read('DATABASE_SCHEMA'),
    problems,
  );

  const algorithmText = read('AUTH_ALG') ?? 'ES256';
  const algorithm = ALGORITHMS.find((candidate) => candidate === algorithmText);
  if (algorithm === undefined) {
    problems.push(`AUTH_ALG: expected one of ${ALGORITHMS.join(', ')}, got '${algorithmText}'`);
  }

  const auth = {
    algorithm: algorithm ?? 'ES256',
    privateKey: readPrivateKey(read('AUTH_PRIVATE_KEY'), problems),
    previousPublicKeys: readPreviousPublicKeys(read('AUTH_PREVIOUS_PUBLIC_KEYS'), problems),
    issuer: read('AUTH_ISSUER') ?? `http://localhost:${port}`,
    audience: read('AUTH_AUDIENCE') ?? 'sample-api',
    accessTokenTtl: readDuration(read('AUTH_ACCESS_TTL'), '15m', 'AUTH_ACCESS_TTL', 1, problems),
    refreshTtl: readDuration(read('AUTH_REFRESH_TTL'), '30d', 'AUTH_REFRESH_TTL', 1, problems),
    refreshIdleTtl: readDuration(
      read('AUTH_REFRESH_IDLE_TTL'),
      '14d',
      'AUTH_REFRESH_IDLE_TTL',
      1,
      problems,
    ),
    refreshGrace: readDuration(
      read('AUTH_REFRESH_GRACE'),
      '10s',
      'AUTH_REFRESH_GRACE',
      0,
      problems,
    ),
  };

  const adminEmail = read('SAMPLE_ADMIN_EMAIL');
  // Not trimmed: a password may legitimately begin or end with a space.
  const adminPassword = env.SAMPLE_ADMIN_PASSWORD === '' ? undefined : env.SAMPLE_ADMIN_PASSWORD;
  let admin: SampleConfig['admin'] = null;
  if ((adminEmail === undefined) !== (adminPassword === undefined)) {
    problems.push('SAMPLE_ADMIN_EMAIL, SAMPLE_ADMIN_PASSWORD: set both or neither');
  } else if (adminEmail !== undefined && adminPassword !== undefined) {
    if (!EMAIL.test(adminEmail) || adminEmail.length > 254) {
      problems.push('SAMPLE_ADMIN_EMAIL: not an email address');
    }
    if (adminPassword.length < 8 || adminPassword.length > 128) {
      problems.push('SAMPLE_ADMIN_PASSWORD: must be 8 to 128 characters long');
    }
    admin = { email: adminEmail, password: adminPassword };
  }

  const throttle = {
    limit: readInteger(read('THROTTLE_LIMIT'), 10, 'THROTTLE_LIMIT', 1, 1_000_000, problems),
    ttl: readDuration(read('THROTTLE_TTL'), '60s', 'THROTTLE_TTL', 1, problems),
  };

  const scryptCost = readInteger(
    read('SCRYPT_COST'),
    131_072,
    'SCRYPT_COST',
    1024,
    1_048_576,
    problems,
  );
  if ((scryptCost & (scryptCost - 1)) !== 0) {
    problems.push(`SCRYPT_COST: must be a power of two, got ${scryptCost}`);
  }

  const redisSecret = read('REDIS_SECRET') ?? null;
  if (redisSecret !== null && Buffer.byteLength(redisSecret) < 32) {
    problems.push('REDIS_SECRET: must be at least 32 bytes (e.g. `openssl rand -base64 32`)');
  }
  const redisWhenUnavailable = read('REDIS_WHEN_UNAVAILABLE') ?? 'accept';
  if (redisWhenUnavailable !== 'accept' && redisWhenUnavailable !== 'refuse') {
    problems.push('REDIS_WHEN_UNAVAILABLE: must be `accept` or `refuse`');
  }
  const allowedOrigins = readOrigins(read('AUTH_ALLOWED_ORIGINS'), problems);

  if (problems.length > 0) {
    throw new SampleConfigError(problems);
  }
  return Object.freeze({
    port,
    host,
    httpAdapter,
    database,
    dataDir: resolve(DEFAULT_DATA_DIR),
    auth: Object.freeze(auth),
    admin,
    redisUrl: read('REDIS_URL') ?? null,
    redisPrefix: read('REDIS_PREFIX') ?? null,
    redisSecret,
    redisWhenUnavailable: redisWhenUnavailable as SampleConfig['redisWhenUnavailable'],
    throttle: Object.freeze(throttle),
    allowedOrigins,
    bodyLimit: 16 * 1024,
    scryptCost,
  });
}

function readInteger(
  text: string | undefined,
  fallback: number,
  name: string,
  min: number,
  max: number,
  problems: string[],
): number {
  if (text === undefined) {
    return fallback;
  }
  const value = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    problems.push(`${name}: expected an integer from ${min} to ${max}, got '${text}'`);
    return fallback;
  }
  return value;
}

function readDuration(
  text: string | undefined,
  fallback: string,
  name: string,
  min: number,
  problems: string[],
): number {
  const seconds = parseDuration(text ?? fallback);
  if (seconds === null || seconds < min) {
    problems.push(
      `${name}: expected a duration such as '90s', '15m', '12h', '30d' or plain seconds` +
        `${min > 0 ? ', greater than zero' : ''}, got '${text}'`,
    );
    return parseDuration(fallback) ?? 0;
  }
  return seconds;
}

function readOrigins(text: string | undefined, problems: string[]): readonly string[] {
  const origins = (text ?? '')
    .split(',')
    .map((origin) => origin.trim())
    .filter((origin) => origin !== '');
  for (const origin of origins) {
    let serialized: string | null = null;
    try {
      serialized = new URL(origin).origin;
    } catch {
      // Reported below.
    }
    if (serialized !== origin) {
      problems.push(
        `AUTH_ALLOWED_ORIGINS: '${origin}' is not an origin such as 'https://app.example.com' (scheme, host, optional port; no path)`,
      );
    }
  }
  return Object.freeze(origins);
}

function readDatabase(
  url: string | undefined,
  sqlitePath: string | undefined,
  schema: string | undefined,
  problems: string[],
): SampleDatabaseConfig {
  if (url === undefined) {
    const path = sqlitePath ?? `${DEFAULT_DATA_DIR}/sample.sqlite`;
    return { type: 'sqlite', path: path === ':memory:' || isAbsolute(path) ? path : resolve(path) };
  }
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url)?.[1]?.toLowerCase();
  switch (scheme) {
    case 'postgres':
    case 'postgresql':
      return { type: 'postgres', url, schema: schema ?? null };
    case 'mysql':
      return { type: 'mysql', url };
    case 'mariadb':
      // mysql2 connects to MariaDB with a mysql:// URL; the scheme only selects the dialect.
      return { type: 'mariadb', url: url.replace(/^mariadb:/i, 'mysql:') };
    default:
      // The URL may hold a password: name only its scheme.
      problems.push(
        `DATABASE_URL: expected a postgres://, mysql:// or mariadb:// URL, got scheme '${scheme ?? '(none)'}'`,
      );
      return { type: 'sqlite', path: ':memory:' };
  }
}

function readPrivateKey(text: string | undefined, problems: string[]): string | JWK | null {
  if (text === undefined) {
    return null;
  }
  if (text.startsWith('{')) {
    try {
      const jwk = JSON.parse(text) as unknown;
      if (typeof jwk === 'object' && jwk !== null && !Array.isArray(jwk) && 'kty' in jwk) {
        return jwk as JWK;
      }
    } catch {
      // Reported below without echoing the key.
    }
    problems.push('AUTH_PRIVATE_KEY: not a valid private JWK (JSON object with "kty")');
    return null;
  }
  // .env files and CI secrets often carry PEM newlines as a literal "\n".
  const pem = `${text.replace(/\\n/g, '\n').trim()}\n`;
  if (!/^-----BEGIN PRIVATE KEY-----\n[\s\S]+\n-----END PRIVATE KEY-----\s*$/.test(pem)) {
    problems.push(
      'AUTH_PRIVATE_KEY: expected a PKCS#8 PEM (-----BEGIN PRIVATE KEY-----) or a private JWK',
    );
    return null;
  }
  return pem;
}

const PREVIOUS_KEYS = 'AUTH_PREVIOUS_PUBLIC_KEYS';
// Members that only private or symmetric JWKs carry (RFC 7518 sections 6.2.2, 6.3.2, 6.4).
const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];
const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----\n([\s\S]*?)\n?-----END \1-----/g;

/**
 * Splits `AUTH_PREVIOUS_PUBLIC_KEYS` into its keys: a JWK Set as JSON, or SPKI PEMs one after
 * the other. Only the shape is checked here; jose imports each key in `resolveSigningKey`.
 * A private key is refused rather than reduced to its public half: it should not be there.
 */
function readPreviousPublicKeys(text: string | undefined, problems: string[]): (string | JWK)[] {
  if (text === undefined) {
    return [];
  }
  if (text.startsWith('{')) {
    let set: unknown;
    try {
      set = JSON.parse(text);
    } catch {
      // Reported below without echoing the value.
    }
    const keys = (set as { keys?: unknown } | undefined)?.keys;
    if (!Array.isArray(keys) || keys.length === 0) {
      problems.push(`${PREVIOUS_KEYS}: not a JWK Set (JSON object with a non-empty "keys" array)`);
      return [];
    }
    const jwks: JWK[] = [];
    keys.forEach((key: unknown, index) => {
      if (typeof key !== 'object' || key === null || Array.isArray(key) || !('kty' in key)) {
        problems.push(`${PREVIOUS_KEYS}: keys[${index}] is not a JWK (an object with "kty")`);
      } else if (PRIVATE_JWK_MEMBERS.some((member) => member in key)) {
        problems.push(
          `${PREVIOUS_KEYS}: keys[${index}] is a private or symmetric key; list public keys only (leave out "d", "k", ...)`,
        );
      } else {
        jwks.push(key as JWK);
      }
    });
    return jwks;
  }
  const pems = text.replace(/\\n/g, '\n').replace(/\r\n/g, '\n');
  const blocks = [...pems.matchAll(PEM_BLOCK)];
  const rest = pems.replace(PEM_BLOCK, '').trim();
  if (blocks.length === 0 || rest !== '') {
    problems.push(
      `${PREVIOUS_KEYS}: expected a JWK Set (JSON) or SPKI PEMs (-----BEGIN PUBLIC KEY-----) one after the other`,
    );
    return [];
  }
  const keys: string[] = [];
  blocks.forEach(([block, label], index) => {
    if (label === 'PUBLIC KEY') {
      keys.push(`${block}\n`);
    } else {
      problems.push(
        `${PREVIOUS_KEYS}: PEM ${index + 1} is '${label}'${label?.includes('PRIVATE') === true ? ', a private key' : ''}; list SPKI public keys only (-----BEGIN PUBLIC KEY-----)`,
      );
    }
  });
  return keys;
}
