import type { KeyObject } from 'node:crypto';
import type { JWK } from 'jose';
import type { AuthSubject, CustomClaims } from '../access-token/access-token-claims.js';
import type { RefreshTokenStore } from '../refresh-token/refresh-token.store.js';
import type { RevocationStore } from '../revocation/revocation.store.js';
import type { SigningKeyStore } from '../keys/rotation/signing-key.store.js';
import type { RefreshTokenReuseEvent } from '../refresh-token/refresh-token-reuse.event.js';

import type { AccessTokenAlgorithm, KeyRotationConfig } from '../keys/key-ring-config.js';

export type { AccessTokenAlgorithm };

/**
 * A duration: a number of seconds, or a string with a unit such as `'90s'`, `'15m'`, `'12h'`,
 * `'30d'`. A bare numeric string (`'900'`) is refused rather than read as milliseconds. Every
 * duration is a whole number of milliseconds and at most 100 years (expiry times are stored
 * as epoch milliseconds); options narrow that further where documented.
 */
export type Duration = number | string;

/** A request as seen by the token extractors: Express, Fastify or a raw Node request. */
export interface TokenCarrier {
  headers: Record<string, string | string[] | undefined>;
  /** The parsed query (Express, Fastify), when the platform has one. */
  query?: unknown;
  /** The request target, read when there is no parsed query. */
  url?: string;
}

/** Reads a token from a request; returns `null` when the request carries none. */
export type TokenExtractor = (request: TokenCarrier) => string | null;

/** One key of the signing/verification key set. */
export interface AuthKeyOptions {
  /**
   * Key id written into the token header and the JWKS.
   * @default the RFC 7638 JWK thumbprint of the public key (HS256: of the secret)
   */
  kid?: string;
  /**
   * The only algorithm this key is used with.
   * @default the module's `algorithm`
   */
  algorithm?: AccessTokenAlgorithm;
  /** PKCS#8 PEM, a private JWK, or a private `KeyObject`. Required on the active key to sign. */
  privateKey?: string | JWK | KeyObject;
  /** SPKI PEM, a public JWK or a public `KeyObject`. Derived from `privateKey` when omitted. */
  publicKey?: string | JWK | KeyObject;
  /**
   * HS256 only: the shared secret, at least 32 random bytes with at least 8 different byte
   * values (a password or a repeated pattern is refused). Never published in the JWKS.
   */
  secret?: string | Uint8Array;
}

/** Verify-only mode: take the public keys from a remote JWKS (jose's remote key set). */
export interface RemoteJwksOptions {
  /** The JWKS URL of the issuing service, e.g. `https://auth.example.com/.well-known/jwks.json`. */
  url: string;
  /**
   * How long a fetched key set is trusted before it is fetched again. At least 1 s.
   * @default '10m'
   */
  cacheMaxAge?: Duration;
  /**
   * Minimum time between two fetches, also when a token names an unknown `kid`. At least 1 s.
   * @default '30s'
   */
  cooldownDuration?: Duration;
  /**
   * Timeout of one fetch; at most 24 days (the longest a Node timer holds).
   * @default '5s'
   */
  timeoutDuration?: Duration;
}

/** Refresh-token sessions (the stateful half of the hybrid scheme). */
export interface RefreshTokenOptions {
  /**
   * Absolute lifetime of a session, counted from login; rotation never extends it.
   * @default '30d'
   */
  ttl?: Duration;
  /**
   * A session ends when its refresh token is not used for this long.
   * @default '14d'
   */
  idleTtl?: Duration;
  /**
   * How long after a refresh token was spent it may be presented again and receive the same
   * successor (racing tabs, retries after a lost response). `0` disables it. At most 60 s.
   * @default '10s'
   */
  reuseGracePeriod?: Duration;
  /**
   * Maximum live sessions per user; opening one more revokes the oldest. `0` means no limit.
   * @default 0
   */
  maxSessionsPerUser?: number;
  /**
   * Server-side key (at least 32 random bytes, as for an HS256 secret, and never the same as
   * one) from which refresh tokens are derived so that a successor can be re-sent within the
   * grace window without being stored.
   * @default derived with HKDF from the active signing key
   */
  secret?: string | Uint8Array;
  /**
   * Where sessions are kept: `new TypeOrmRefreshTokenStore(dataSource)` from
   * `nest-hybrid-auth/typeorm`, `new MemoryRefreshTokenStore()` for tests, or your own
   * implementation of {@link RefreshTokenStore}.
   */
  store: RefreshTokenStore;
  /**
   * Re-reads the user at every refresh: return `null` to refuse a disabled or deleted user
   * (the session is revoked), or the user with its current roles.
   */
  resolveUser: (
    userId: string,
  ) => AuthSubject | null | undefined | Promise<AuthSubject | null | undefined>;
  /** Called when a spent refresh token is reused after the grace window. */
  onReuseDetected?: (event: RefreshTokenReuseEvent) => void | Promise<void>;
  /**
   * Delete expired and long-revoked rows on this interval (1 s to 24 days, the longest a Node
   * timer holds); `false` disables scheduled pruning.
   * @default false
   */
  pruneInterval?: Duration | false;
  /**
   * Revoked rows are kept this long (forensics, reuse detection) before pruning deletes them.
   * @default '7d'
   */
  pruneRevokedAfter?: Duration;
}

/** Faster-than-expiry revocation of access tokens. */
export interface RevocationOptions {
  /**
   * Where revocations are recorded. The default keeps them in this process only; use
   * `RedisRevocationStore` when several instances must learn of each other's revocations.
   * @default new MemoryRevocationStore()
   */
  store?: RevocationStore;
}

/**
 * Automatic rotation of signing keys: the module generates them, keeps them encrypted in
 * `store`, publishes each one `publishAhead` before it signs, lets it sign for `interval`, and
 * keeps it in the JWKS until the last token it signed has expired.
 */
export interface KeyRotationOptions {
  /** Where the keys are kept, shared by every instance: `new TypeOrmSigningKeyStore(dataSource)`. */
  store: SigningKeyStore;
  /**
   * The key-encryption key of the stored private keys: exactly 32 random bytes, or their
   * base64/base64url encoding (e.g. `openssl rand -base64 32`). Keep it in the environment or a
   * secret manager, never in the database.
   */
  encryptionKey: string | Uint8Array;
  /**
   * How long each key signs. Longer than `publishAhead + checkInterval + accessTokenTtl + 2 * clockTolerance`.
   * @default '30d'
   */
  interval?: Duration;
  /**
   * How long a new key is in the JWKS before it signs: at least the JWKS cache age of every
   * verifier (the JWKS endpoint sends `max-age=300`; jose's remote set defaults to 10 minutes).
   * @default '1h'
   */
  publishAhead?: Duration;
  /**
   * How often each instance reads the store. Shorter than `publishAhead - clockTolerance`, so
   * every instance holds a new key before any instance signs with it.
   * @default '1m'
   */
  checkInterval?: Duration;
}

/** Options of {@link AuthModule}. */
export interface AuthModuleOptions {
  /**
   * Default algorithm of the keys.
   * @default 'ES256'
   */
  algorithm?: AccessTokenAlgorithm;
  /**
   * The key set. `keys[0]` signs new tokens (it needs `privateKey` or `secret`); every key
   * verifies, so older public keys stay here until the tokens they signed have expired.
   */
  keys?: readonly AuthKeyOptions[];
  /** Verify-only mode: public keys from a remote JWKS instead of `keys`. */
  jwks?: RemoteJwksOptions;
  /** The `iss` written into and required of every access token (exact match). */
  issuer: string;
  /**
   * The audiences accepted on verification (any one of them). Tokens issued here carry only the
   * first, as a string: a token names the one API it is for.
   */
  audience: string | readonly string[];
  /**
   * Lifetime of an access token: 1 s to 24 h. Keep users logged in longer with refresh sessions.
   * @default '15m'
   */
  accessTokenTtl?: Duration;
  /**
   * Clock skew tolerated on `exp`, `nbf` and `iat`. At most 60 s.
   * @default '5s'
   */
  clockTolerance?: Duration;
  /**
   * Builds the access token's claims from the application's user. Registered claims
   * (`iss`, `aud`, `sub`, `iat`, `exp`, `nbf`, `jti`, `sid`, `auth_time`) cannot be overridden.
   * @default (user) => ({ roles: user.roles ?? [] })
   */
  claims?: (user: AuthSubject) => CustomClaims | Promise<CustomClaims>;
  /**
   * Accept the access token from this query parameter too. Off by default: tokens in URLs
   * leak through logs and referrers (RFC 6750 section 5.3).
   * @default null
   */
  queryParameter?: string | null;
  /** Replace the token extractors entirely (the default reads `Authorization: Bearer`). */
  extractors?: readonly TokenExtractor[];
  /**
   * Cache of verified access tokens, keyed by the exact token string; an entry never outlives
   * its token, nor the key that verified it. Revocation is still checked on every request.
   * A token is cached the second time it verifies (`admitOnFirstSight: false`), so traffic of
   * tokens seen once costs nothing. Bounded by `maxEntries` and by `maxBytes`, an estimate of
   * twice the token length plus 512 bytes per entry; the default (16 MiB) suits a small server:
   * about 10,000 tokens of 800 bytes, or 1,000 tokens of 7.5 kB.
   * @default { enabled: true, maxEntries: 10000, maxBytes: 16777216, admitOnFirstSight: false }
   */
  cache?: {
    enabled?: boolean;
    maxEntries?: number;
    maxBytes?: number;
    admitOnFirstSight?: boolean;
  };
  /** Refresh-token sessions; `false` (or omitted) for a service that only issues/verifies access tokens. */
  refresh?: RefreshTokenOptions | false;
  /** Faster-than-expiry revocation of access tokens. */
  revocation?: RevocationOptions;
  /**
   * Automatic key rotation (opt-in). The generated keys sign; `keys`, when given, only verify
   * and stay published (e.g. the key used before rotation was turned on).
   */
  rotation?: KeyRotationOptions;
}

/** Options fully defaulted and validated; every duration in seconds. Frozen. */
export interface ResolvedAuthOptions {
  readonly algorithm: AccessTokenAlgorithm;
  readonly keys: readonly AuthKeyOptions[];
  readonly jwks: {
    readonly url: URL;
    readonly cacheMaxAge: number;
    readonly cooldownDuration: number;
    readonly timeoutDuration: number;
  } | null;
  /** `true` when `keys[0]` has private material, i.e. this instance can issue tokens. */
  readonly canSign: boolean;
  readonly issuer: string;
  readonly audience: readonly string[];
  readonly accessTokenTtl: number;
  readonly clockTolerance: number;
  readonly claims: (user: AuthSubject) => CustomClaims | Promise<CustomClaims>;
  readonly extractors: readonly TokenExtractor[];
  readonly cache: {
    readonly enabled: boolean;
    readonly maxEntries: number;
    readonly maxBytes: number;
    readonly admitOnFirstSight: boolean;
  };
  readonly refresh: ResolvedRefreshTokenOptions | null;
  readonly revocation: { readonly store: RevocationStore | null };
  /** `null` unless automatic rotation is on. */
  readonly rotation?: ResolvedKeyRotationOptions | null;
}

/** Rotation options fully defaulted; durations in seconds, the key-encryption key as bytes. */
export type ResolvedKeyRotationOptions = KeyRotationConfig;

/** Refresh options fully defaulted; durations in seconds. */
export interface ResolvedRefreshTokenOptions {
  readonly ttl: number;
  readonly idleTtl: number;
  readonly reuseGracePeriod: number;
  readonly maxSessionsPerUser: number;
  /** `null`: derive from the active signing key at start-up. */
  readonly secret: Uint8Array | null;
  readonly store: RefreshTokenStore;
  readonly resolveUser: RefreshTokenOptions['resolveUser'];
  readonly onReuseDetected: RefreshTokenOptions['onReuseDetected'] | null;
  readonly pruneInterval: number | null;
  readonly pruneRevokedAfter: number;
}
