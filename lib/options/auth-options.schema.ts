import { KeyObject } from 'node:crypto';
import { z } from 'zod';
import type { AuthSubject, CustomClaims } from '../access-token/access-token-claims.js';
import type { RefreshTokenReuseEvent } from '../refresh-token/refresh-token-reuse.event.js';
import { MIN_SECRET_BYTES } from '../refresh-token/refresh-token-secret.js';
import type { RefreshTokenStore } from '../refresh-token/refresh-token.store.js';
import type { RevocationStore } from '../revocation/revocation.store.js';
import type { SigningKeyStore } from '../keys/rotation/signing-key.store.js';
import type { AccessTokenAlgorithm, TokenExtractor } from './auth-module-options.js';
import { checkDuration } from './parse-duration.js';

/** Every algorithm the module signs or verifies with. */
export const ACCESS_TOKEN_ALGORITHMS = [
  'ES256',
  'ES384',
  'EdDSA',
  'RS256',
  'PS256',
  'HS256',
] as const satisfies readonly AccessTokenAlgorithm[];

export { MIN_SECRET_BYTES };

/**
 * Fewest different byte values an HMAC secret may hold. 32 random bytes hold about 30, and 64
 * random hex digits 16; a secret such as `'x'.repeat(32)` or a short pattern repeated holds a
 * handful (RFC 7518 section 3.2: the key must be random, RFC 8725 section 3.5).
 */
export const MIN_SECRET_DISTINCT_BYTES = 8;

/** Upper bound of `clockTolerance` and `refresh.reuseGracePeriod`, in seconds. */
export const MAX_TOLERANCE_SECONDS = 60;

/**
 * Longest access-token lifetime, in seconds (24 h). Access tokens are bearer tokens that are
 * checked against revocation only until they expire; longer logins are what refresh sessions
 * are for (RFC 9700 section 4.14, RFC 9068 section 5).
 */
export const MAX_ACCESS_TOKEN_TTL_SECONDS = 24 * 3600;

/**
 * Longest duration any option takes, in seconds (100 years of 365.25 days): now plus it stays a
 * safe integer of milliseconds and a valid `Date`, which expiry times are stored as. Without a
 * bound, `Number.MAX_VALUE` passes validation and every login then fails.
 */
export const MAX_DURATION_SECONDS = 100 * 365.25 * 24 * 3600;

/**
 * Shortest remote-JWKS `cacheMaxAge` and `cooldownDuration`, in seconds. With 0, jose fetches
 * the key set again for every token (or every token with an unknown `kid`), so each request
 * also hits the issuer.
 */
export const MIN_JWKS_REFETCH_SECONDS = 1;

/**
 * Longest interval a Node timer holds, in whole seconds: a longer delay than 2^31 - 1 ms is
 * replaced by 1 ms (Node `setInterval` documentation), which would prune in a busy loop.
 */
export const MAX_TIMER_SECONDS = Math.floor((2 ** 31 - 1) / 1000);

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** Byte length of a secret as the HMAC sees it (UTF-8 for strings). */
export function secretByteLength(secret: string | Uint8Array): number {
  return typeof secret === 'string' ? Buffer.byteLength(secret, 'utf8') : secret.byteLength;
}

function formatSeconds(seconds: number): string {
  return `${seconds}s`;
}

// Float noise of a seconds-to-milliseconds conversion (1.1 * 1000 = 1100.0000000000002).
const MILLISECOND_EPSILON = 1e-6;

function duration(
  bounds: { min?: number; max?: number; positive?: boolean; reason?: string } = {},
) {
  const max = bounds.max ?? MAX_DURATION_SECONDS;
  const why = bounds.reason === undefined ? '' : ` (${bounds.reason})`;
  return z
    .union([z.number(), z.string()], {
      error:
        "must be a number of seconds or a string with a unit such as '90s', '15m', '12h', '30d'",
    })
    .transform((value, ctx) => {
      const result = checkDuration(value);
      if (!result.ok) {
        ctx.addIssue({ code: 'custom', message: result.problem });
        return z.NEVER;
      }
      const { seconds } = result;
      if (bounds.positive === true && seconds <= 0) {
        ctx.addIssue({ code: 'custom', message: 'must be longer than 0s; use e.g. 15m' });
      } else if (bounds.min !== undefined && seconds < bounds.min) {
        ctx.addIssue({
          code: 'custom',
          message: `is ${formatSeconds(seconds)}; it must be at least ${formatSeconds(bounds.min)}, raise it${why}`,
        });
      } else if (seconds > max) {
        ctx.addIssue({
          code: 'custom',
          message: `is ${formatSeconds(seconds)}; it must be at most ${formatSeconds(max)}, lower it${why}`,
        });
      } else if (Math.abs(seconds * 1000 - Math.round(seconds * 1000)) > MILLISECOND_EPSILON) {
        // Expiry times are whole epoch milliseconds (BIGINT columns): a fraction would fail
        // every insert, so at login rather than here.
        ctx.addIssue({
          code: 'custom',
          message: `is ${formatSeconds(seconds)}, not a whole number of milliseconds; round it, e.g. to '${Math.max(1, Math.round(seconds * 1000))}ms'`,
        });
      }
      return seconds;
    });
}

function fn<T extends (...args: never[]) => unknown>(what: string) {
  return z.custom<T>((value) => typeof value === 'function', {
    error: `must be a function ${what}`,
  });
}

function instance<T>(what: string) {
  return z.custom<T>((value) => typeof value === 'object' && value !== null, {
    error: `must be ${what}`,
  });
}

const nonEmptyString = (what: string) =>
  z
    .string({ error: `must be a non-empty string, ${what}` })
    .min(1, { error: `must not be empty, ${what}` });

/** The bytes of a secret as the HMAC sees them (UTF-8 for strings). */
export function secretBytes(secret: string | Uint8Array): Uint8Array {
  return typeof secret === 'string' ? Buffer.from(secret, 'utf8') : secret;
}

const RANDOM_SECRET_HINT = `use at least ${MIN_SECRET_BYTES} random bytes, e.g. randomBytes(32).toString('base64url')`;

const secretSchema = z
  .union([z.string(), z.instanceof(Uint8Array)], {
    error: `must be a string or a Uint8Array of at least ${MIN_SECRET_BYTES} random bytes`,
  })
  .superRefine((secret, ctx) => {
    if (secretByteLength(secret) < MIN_SECRET_BYTES) {
      ctx.addIssue({
        code: 'custom',
        message: `is shorter than ${MIN_SECRET_BYTES} bytes; ${RANDOM_SECRET_HINT}`,
      });
      return;
    }
    const distinct = new Set(secretBytes(secret)).size;
    if (distinct < MIN_SECRET_DISTINCT_BYTES) {
      ctx.addIssue({
        code: 'custom',
        message: `holds only ${distinct} different byte value${distinct === 1 ? '' : 's'} (at least ${MIN_SECRET_DISTINCT_BYTES} required), so it is not random; ${RANDOM_SECRET_HINT}, never a password or a repeated pattern`,
      });
    }
  });

const keyMaterial = z.union(
  [
    z.string().min(1),
    z.custom<KeyObject>((value) => value instanceof KeyObject),
    z.looseObject({ kty: z.string() }),
  ],
  { error: 'must be a PEM string, a JWK object (with "kty") or a KeyObject' },
);

const algorithmSchema = z.enum(ACCESS_TOKEN_ALGORITHMS, {
  error: `must be one of ${ACCESS_TOKEN_ALGORITHMS.join(', ')}`,
});

const keySchema = z.strictObject(
  {
    kid: nonEmptyString('or leave it out to use the key thumbprint').optional(),
    algorithm: algorithmSchema.optional(),
    privateKey: keyMaterial.optional(),
    publicKey: keyMaterial.optional(),
    secret: secretSchema.optional(),
  },
  { error: 'must be an object such as { privateKey } or { secret }' },
);

const jwksSchema = z.strictObject(
  {
    url: z
      .string({
        error: "must be the JWKS URL, e.g. 'https://auth.example.com/.well-known/jwks.json'",
      })
      .transform((value, ctx) => {
        let url: URL;
        try {
          url = new URL(value);
        } catch {
          ctx.addIssue({
            code: 'custom',
            message: `'${value}' is not a URL; use e.g. 'https://auth.example.com/.well-known/jwks.json'`,
          });
          return z.NEVER;
        }
        // Keys fetched in clear text can be swapped by anyone on the path; loopback is the only
        // exception, for local development and tests.
        if (
          url.protocol !== 'https:' &&
          !(url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname))
        ) {
          ctx.addIssue({
            code: 'custom',
            message: `must use https (http is allowed for 127.0.0.1, localhost and ::1 only); change '${value}' to https`,
          });
          return z.NEVER;
        }
        return url;
      }),
    cacheMaxAge: duration({
      min: MIN_JWKS_REFETCH_SECONDS,
      reason: 'shorter, nearly every token fetches the JWKS again',
    }).default(600),
    cooldownDuration: duration({
      min: MIN_JWKS_REFETCH_SECONDS,
      reason: 'shorter, every token with an unknown kid fetches the JWKS again',
    }).default(30),
    // jose aborts the fetch with AbortSignal.timeout, a Node timer: a longer delay becomes 1 ms.
    timeoutDuration: duration({
      positive: true,
      max: MAX_TIMER_SECONDS,
      reason: 'the longest a Node timer holds',
    }).default(5),
  },
  { error: "must be an object such as { url: 'https://auth.example.com/.well-known/jwks.json' }" },
);

const refreshSchema = z
  .strictObject(
    {
      ttl: duration({ positive: true }).optional(),
      idleTtl: duration({ positive: true }).optional(),
      reuseGracePeriod: duration({ max: MAX_TOLERANCE_SECONDS }).default(10),
      maxSessionsPerUser: z
        .number({ error: 'must be an integer >= 0 (0 means no limit)' })
        .int({ error: 'must be an integer >= 0 (0 means no limit)' })
        .min(0, { error: 'must be an integer >= 0 (0 means no limit)' })
        .default(0),
      secret: secretSchema.optional(),
      // Optional here, required below: a missing field would stop zod before the cross-field
      // rules, and the start-up error must list every problem at once.
      store: instance<RefreshTokenStore>(
        'a RefreshTokenStore, such as new TypeOrmRefreshTokenStore(dataSource) from nest-hybrid-auth/typeorm',
      ).optional(),
      resolveUser: fn<
        (userId: string) => AuthSubject | null | undefined | Promise<AuthSubject | null | undefined>
      >('(userId) => user | null that re-reads the user at every refresh'),
      onReuseDetected: fn<(event: RefreshTokenReuseEvent) => void | Promise<void>>(
        '(event) => void, or leave it out',
      ).optional(),
      pruneInterval: z.preprocess(
        (value) => (value === false ? undefined : value),
        duration({ min: 1, max: MAX_TIMER_SECONDS }).optional(),
      ),
      pruneRevokedAfter: duration().default(7 * 24 * 3600),
    },
    { error: 'must be an object with at least { store, resolveUser }, or false' },
  )
  .superRefine(
    (refresh, ctx) => {
      if (refresh.store === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['store'],
          message:
            'is required; pass new TypeOrmRefreshTokenStore(dataSource) from nest-hybrid-auth/typeorm, or your own RefreshTokenStore',
        });
      }
      if (
        typeof refresh.ttl === 'number' &&
        typeof refresh.idleTtl === 'number' &&
        refresh.idleTtl > refresh.ttl
      ) {
        ctx.addIssue({
          code: 'custom',
          path: ['idleTtl'],
          message: `is ${formatSeconds(refresh.idleTtl)}, longer than refresh.ttl (${formatSeconds(refresh.ttl)}); lower it or raise refresh.ttl`,
        });
      }
    },
    { when: (payload) => typeof payload.value === 'object' && payload.value !== null },
  );

const revocationSchema = z.strictObject(
  {
    store: z
      .custom<RevocationStore>(
        (value) =>
          typeof value === 'object' &&
          value !== null &&
          typeof (value as Partial<RevocationStore>).revoke === 'function' &&
          typeof (value as Partial<RevocationStore>).isRevoked === 'function',
        {
          error:
            'must implement RevocationStore (revoke, isRevoked), e.g. new RedisRevocationStore(...)',
        },
      )
      .optional(),
  },
  { error: 'must be an object such as { store }' },
);

/** Defaults of `rotation.interval`, `publishAhead` and `checkInterval`, in seconds. */
const ROTATION_DEFAULTS = { interval: 30 * 24 * 3600, publishAhead: 3600, checkInterval: 60 };

/** Byte length of `rotation.encryptionKey` (A256GCM, RFC 7518 section 5.3). */
export const ROTATION_KEY_BYTES = 32;

const ENCRYPTION_KEY_HINT =
  "use 32 random bytes, e.g. the output of 'openssl rand -base64 32' or randomBytes(32).toString('base64url')";

const encryptionKeySchema = z
  .union([z.string(), z.instanceof(Uint8Array)], {
    error: `must be ${ROTATION_KEY_BYTES} random bytes, as a Uint8Array or base64/base64url; ${ENCRYPTION_KEY_HINT}`,
  })
  .transform((value, ctx) => {
    let bytes: Uint8Array;
    if (typeof value === 'string') {
      // 32 bytes are 43 base64 characters (plus one '=' of padding).
      if (!/^(?:[A-Za-z0-9_-]{43}|[A-Za-z0-9+/]{43}=)$/.test(value)) {
        ctx.addIssue({
          code: 'custom',
          message: `is not the base64 or base64url encoding of exactly ${ROTATION_KEY_BYTES} bytes (${value.length} characters); ${ENCRYPTION_KEY_HINT}`,
        });
        return z.NEVER;
      }
      bytes = new Uint8Array(Buffer.from(value, 'base64'));
    } else {
      bytes = new Uint8Array(value);
    }
    if (bytes.byteLength !== ROTATION_KEY_BYTES) {
      ctx.addIssue({
        code: 'custom',
        message: `is ${bytes.byteLength} bytes; it must be exactly ${ROTATION_KEY_BYTES}; ${ENCRYPTION_KEY_HINT}`,
      });
      return z.NEVER;
    }
    if (new Set(bytes).size < MIN_SECRET_DISTINCT_BYTES) {
      ctx.addIssue({
        code: 'custom',
        message: `holds fewer than ${MIN_SECRET_DISTINCT_BYTES} different byte values, so it is not random; ${ENCRYPTION_KEY_HINT}`,
      });
      return z.NEVER;
    }
    return bytes;
  });

const rotationSchema = z.strictObject(
  {
    store: z.custom<SigningKeyStore>(
      (value) =>
        typeof value === 'object' &&
        value !== null &&
        ['list', 'create', 'delete'].every(
          (method) => typeof (value as Record<string, unknown>)[method] === 'function',
        ),
      {
        error:
          'must implement SigningKeyStore (list, create, delete), e.g. new TypeOrmSigningKeyStore(dataSource) from nest-hybrid-auth/typeorm',
      },
    ),
    encryptionKey: encryptionKeySchema,
    interval: duration({ positive: true }).default(ROTATION_DEFAULTS.interval),
    publishAhead: duration({ positive: true }).default(ROTATION_DEFAULTS.publishAhead),
    checkInterval: duration({ min: 1, max: MAX_TIMER_SECONDS }).default(
      ROTATION_DEFAULTS.checkInterval,
    ),
  },
  { error: 'must be an object such as { store, encryptionKey }' },
);

/** Default `cache.maxBytes`: 16 MiB, sized for a small server. */
const DEFAULT_CACHE_MAX_BYTES = 16 * 1024 * 1024;

const cacheSchema = z.strictObject(
  {
    enabled: z.boolean({ error: 'must be true or false' }).default(true),
    maxEntries: z
      .number({ error: 'must be an integer >= 1' })
      .int({ error: 'must be an integer >= 1' })
      .min(1, {
        error: 'must be an integer >= 1; set cache.enabled to false to turn the cache off',
      })
      .default(10_000),
    maxBytes: z
      .number({ error: 'must be a number of bytes >= 4096, e.g. 16777216 (16 MiB)' })
      .int({ error: 'must be a number of bytes >= 4096, e.g. 16777216 (16 MiB)' })
      .min(4096, {
        error:
          'must be a number of bytes >= 4096 (one token of 8 KiB needs about 16 KiB); set cache.enabled to false to turn the cache off',
      })
      .default(DEFAULT_CACHE_MAX_BYTES),
    admitOnFirstSight: z.boolean({ error: 'must be true or false' }).default(false),
  },
  { error: 'must be an object such as { enabled: true, maxEntries: 10000 }' },
);

/** Field-by-field schema of {@link AuthModuleOptions}; cross-field rules are added by `authOptionsSchema`. */
const fieldsSchema = z.strictObject(
  {
    algorithm: algorithmSchema.default('ES256'),
    keys: z
      .array(keySchema, { error: 'must be an array of keys, e.g. [{ privateKey }]' })
      .min(1, { error: 'is empty; add at least one key, or configure jwks for verify-only mode' })
      .optional(),
    jwks: jwksSchema.optional(),
    issuer: z
      .string({
        error: (issue) =>
          issue.input === undefined
            ? "is required; set it to the exact iss of your tokens, e.g. 'https://auth.example.com'"
            : "must be a string, e.g. 'https://auth.example.com'",
      })
      .min(1, { error: "must not be empty; use e.g. 'https://auth.example.com'" }),
    audience: z.union(
      [
        z.string().min(1, { error: "must not be empty; use e.g. 'api'" }),
        z
          .array(z.string().min(1, { error: "must not be empty; use e.g. 'api'" }))
          .min(1, { error: "is an empty array; list at least one audience, e.g. ['api']" }),
      ],
      {
        error: (issue) =>
          issue.input === undefined
            ? "is required; set it to this API's identifier, e.g. 'api'"
            : "must be a non-empty string or a non-empty array of non-empty strings, e.g. 'api'",
      },
    ),
    accessTokenTtl: duration({
      min: 1,
      max: MAX_ACCESS_TOKEN_TTL_SECONDS,
      reason: 'access tokens are short-lived; keep users logged in longer with refresh sessions',
    }).default(15 * 60),
    clockTolerance: duration({ max: MAX_TOLERANCE_SECONDS }).default(5),
    claims: fn<(user: AuthSubject) => CustomClaims | Promise<CustomClaims>>(
      '(user) => claims, or leave it out',
    ).optional(),
    queryParameter: z
      .string({ error: "must be a query parameter name such as 'access_token', or null" })
      .min(1, { error: 'must not be empty; use null to read only the Authorization header' })
      .nullable()
      .default(null),
    extractors: z
      .array(fn<TokenExtractor>('(request) => token | null'), {
        error: 'must be an array of extractor functions',
      })
      .min(1, {
        error: 'is empty, so no request could carry a token; leave it out for the default',
      })
      .optional(),
    cache: cacheSchema.default({
      enabled: true,
      maxEntries: 10_000,
      maxBytes: DEFAULT_CACHE_MAX_BYTES,
      admitOnFirstSight: false,
    }),
    refresh: z.preprocess(
      (value) => (value === false ? undefined : value),
      refreshSchema.optional(),
    ),
    revocation: revocationSchema.default({}),
    rotation: rotationSchema.optional(),
  },
  { error: 'must be an object of AuthModuleOptions' },
);

/** The options after field validation and defaults, before freezing. */
export type ParsedAuthOptions = z.output<typeof fieldsSchema>;

type PartialRecord = Readonly<Record<string, unknown>>;

function isRecord(value: unknown): value is PartialRecord {
  return typeof value === 'object' && value !== null;
}

function isAlgorithm(value: unknown): value is AccessTokenAlgorithm {
  return (ACCESS_TOKEN_ALGORITHMS as readonly unknown[]).includes(value);
}

/**
 * Whether `keys[0]` can sign: it holds a private key or a secret.
 * @param keys - the configured keys (possibly not validated yet)
 */
export function firstKeyCanSign(keys: unknown): boolean {
  const first: unknown = Array.isArray(keys) ? keys[0] : undefined;
  return isRecord(first) && (first.privateKey !== undefined || first.secret !== undefined);
}

/**
 * Rules spanning several fields. They run even when a field failed, so one error lists every
 * problem; the value may therefore still hold unvalidated input and is read defensively.
 */
function checkCrossFieldRules(options: PartialRecord, ctx: z.RefinementCtx): void {
  const problem = (path: readonly PropertyKey[], message: string): void => {
    ctx.addIssue({ code: 'custom', path: [...path], message });
  };
  const hasKeys = options.keys !== undefined;
  const hasJwks = options.jwks !== undefined;
  const hasRotation = options.rotation !== undefined;
  if (hasRotation) checkRotationRules(options, problem);
  if (hasKeys && hasJwks) {
    problem(
      ['jwks'],
      'cannot be combined with keys; use keys to sign and verify locally, or jwks to verify only',
    );
  } else if (!hasKeys && !hasJwks && !hasRotation) {
    problem(
      ['keys'],
      'is required; pass keys: [{ privateKey }] to sign and verify, or jwks: { url } to verify only',
    );
  }

  const defaultAlgorithm = isAlgorithm(options.algorithm) ? options.algorithm : undefined;
  if (hasJwks && defaultAlgorithm === 'HS256') {
    problem(
      ['algorithm'],
      'HS256 cannot be used with jwks (shared secrets are never published); use an asymmetric algorithm such as ES256',
    );
  }

  const keys: readonly unknown[] = Array.isArray(options.keys) ? options.keys : [];
  const kids = new Map<string, number>();
  keys.forEach((key, index) => {
    if (!isRecord(key)) return;
    const algorithm = key.algorithm === undefined ? defaultAlgorithm : key.algorithm;
    if (isAlgorithm(algorithm)) {
      if (algorithm === 'HS256') {
        if (key.secret === undefined) {
          problem(
            ['keys', index, 'secret'],
            `is required for HS256; pass at least ${MIN_SECRET_BYTES} random bytes`,
          );
        }
        for (const member of ['privateKey', 'publicKey'] as const) {
          if (key[member] !== undefined) {
            problem(
              ['keys', index, member],
              'is not used with HS256; remove it, or set an asymmetric algorithm such as ES256',
            );
          }
        }
      } else {
        if (key.privateKey === undefined && key.publicKey === undefined) {
          problem(
            ['keys', index],
            `needs privateKey (to sign) or publicKey (to verify) for ${algorithm}`,
          );
        }
        if (key.secret !== undefined) {
          problem(
            ['keys', index, 'secret'],
            `is only used with HS256, not ${algorithm}; remove it or set algorithm: 'HS256'`,
          );
        }
      }
    }
    if (typeof key.kid === 'string') {
      const previous = kids.get(key.kid);
      if (previous === undefined) {
        kids.set(key.kid, index);
      } else {
        problem(
          ['keys', index, 'kid'],
          `'${key.kid}' is already used by keys[${previous}]; give every key its own kid`,
        );
      }
    }
  });

  if (
    options.refresh !== undefined &&
    options.refresh !== false &&
    !firstKeyCanSign(options.keys) &&
    !hasRotation
  ) {
    problem(
      ['refresh'],
      hasJwks
        ? 'needs a signing key, and jwks mode verifies only; use keys: [{ privateKey }] or set refresh: false'
        : 'needs a signing key; give keys[0] a privateKey (or secret for HS256), or set refresh: false',
    );
  }

  // One key, one purpose (RFC 8725 section 3.5 on key reuse): with the signing secret as
  // refresh secret, refresh tokens and access-token signatures are MACs under the same key.
  const refreshSecret = isRecord(options.refresh) ? options.refresh.secret : undefined;
  if (typeof refreshSecret === 'string' || refreshSecret instanceof Uint8Array) {
    const refreshBytes = secretBytes(refreshSecret);
    const shared = keys.findIndex(
      (key) =>
        isRecord(key) &&
        (typeof key.secret === 'string' || key.secret instanceof Uint8Array) &&
        Buffer.from(secretBytes(key.secret)).equals(refreshBytes),
    );
    if (shared !== -1) {
      problem(
        ['refresh', 'secret'],
        `is the same as keys[${shared}].secret; give refresh tokens their own random secret, or leave refresh.secret out to derive one from the signing key`,
      );
    }
  }

  if (options.extractors !== undefined && typeof options.queryParameter === 'string') {
    problem(
      ['queryParameter'],
      'has no effect when extractors is set; add ExtractJwt.fromUrlQueryParameter(name) to extractors instead',
    );
  }
}

// Seconds of a duration option as the schema parses it, or undefined when it is not valid
// (its own problem is reported by the field).
function durationSeconds(value: unknown, fallback: number): number | undefined {
  if (value === undefined) return fallback;
  const result = checkDuration(value as number | string);
  return result.ok ? result.seconds : undefined;
}

function checkRotationRules(
  options: PartialRecord,
  problem: (path: readonly PropertyKey[], message: string) => void,
): void {
  if (options.jwks !== undefined) {
    problem(
      ['rotation'],
      'cannot be combined with jwks (verify-only services have no keys to rotate); remove one of them',
    );
  }
  if (options.algorithm === 'HS256') {
    problem(
      ['rotation'],
      'needs an asymmetric algorithm (a generated shared secret could not be published for verifiers); use e.g. ES256',
    );
  }
  const rotation = isRecord(options.rotation) ? options.rotation : {};
  const interval = durationSeconds(rotation.interval, ROTATION_DEFAULTS.interval);
  const publishAhead = durationSeconds(rotation.publishAhead, ROTATION_DEFAULTS.publishAhead);
  const checkInterval = durationSeconds(rotation.checkInterval, ROTATION_DEFAULTS.checkInterval);
  const ttl = durationSeconds(options.accessTokenTtl, 15 * 60);
  const tolerance = durationSeconds(options.clockTolerance, 5);
  if (
    interval !== undefined &&
    publishAhead !== undefined &&
    checkInterval !== undefined &&
    ttl !== undefined &&
    tolerance !== undefined &&
    interval <= publishAhead + checkInterval + ttl + 2 * tolerance
  ) {
    problem(
      ['rotation', 'interval'],
      `is ${interval}s; it must be longer than publishAhead + checkInterval + accessTokenTtl + 2 * clockTolerance (${publishAhead + checkInterval + ttl + 2 * tolerance}s), so a retired key is gone before the next one is published; raise it`,
    );
  }
  if (
    publishAhead !== undefined &&
    checkInterval !== undefined &&
    tolerance !== undefined &&
    checkInterval >= publishAhead - tolerance
  ) {
    problem(
      ['rotation', 'checkInterval'],
      `is ${checkInterval}s; it must be shorter than publishAhead - clockTolerance (${publishAhead - tolerance}s), so every instance holds a new key before any signs with it; lower it or raise publishAhead`,
    );
  }
}

/**
 * The complete validation schema of {@link AuthModuleOptions}: fields, defaults and the rules
 * that span several fields.
 */
export const authOptionsSchema = fieldsSchema.superRefine(checkCrossFieldRules, {
  when: (payload) => isRecord(payload.value),
});
