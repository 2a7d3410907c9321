import { jwtVerify, type JWTPayload, type JWTVerifyOptions } from 'jose';
import { AccessTokenExpiredError, AccessTokenInvalidError } from '../auth.errors.js';
import type { Clock } from '../clock.js';
import type { AccessTokenClaims } from './access-token-claims.js';
import type { KeyMaterial, KeyRing } from '../keys/key-ring.js';
import { ACCESS_TOKEN_TYPE } from './sign-access-token.js';
import {
  createVerifiedTokenCache,
  type VerifiedTokenCache,
  type VerifiedTokenCacheConfig,
} from './verified-token-cache.js';

/** Longest token string the verifier looks at; anything longer is refused before parsing. */
export const MAX_ACCESS_TOKEN_LENGTH = 8 * 1024;

// Compact JWS and nothing else (RFC 7515 section 7.1): three non-empty base64url segments.
// Refuses JSON serialization, JWE (five segments), unsecured tokens with an empty signature
// and padding or '+' '/' variants before any JSON is parsed.
const COMPACT_JWS = /^[\w-]+\.[\w-]+\.[\w-]+$/;

/** Claims jose must find in every token (RFC 9068 section 2.2). */
const REQUIRED_CLAIMS = ['iss', 'aud', 'sub', 'exp', 'iat', 'jti'];

/** What the verifier pins; durations in seconds. Built by the module from its resolved options. */
export interface AccessTokenVerifierConfig {
  /** The only `iss` accepted (exact match). */
  readonly issuer: string;
  /** The audiences accepted, any one of them. */
  readonly audience: readonly string[];
  /** Lifetime of the tokens issued; with the tolerance, the oldest token accepted. */
  readonly accessTokenTtl: number;
  /** Clock skew tolerated on `exp`, `nbf` and `iat`. */
  readonly clockTolerance: number;
  /** The verified-token cache. */
  readonly cache: VerifiedTokenCacheConfig;
}

/** Verifies access tokens; failures are {@link AccessTokenInvalidError} or {@link AccessTokenExpiredError}. */
export interface AccessTokenVerifier {
  /**
   * Verifies a compact JWS access token and returns its claims, frozen.
   * @throws {AccessTokenExpiredError} when the token is correctly signed but expired
   * @throws {AccessTokenInvalidError} for every other failure; the jose error is the `cause`
   */
  verify(token: string): Promise<AccessTokenClaims>;
  /**
   * The claims of `token` when it is in the verified-token cache (and still within `exp`, and
   * its key still in the key set), synchronously; otherwise `undefined`, and `verify` decides.
   * Never throws. `nowMs` saves a clock read when the caller has one.
   */
  verifyCached(token: string, nowMs?: number): AccessTokenClaims | undefined;
}

function invalid(reason: string): AccessTokenInvalidError {
  return new AccessTokenInvalidError({ cause: new Error(reason) });
}

// jose errors are matched by their stable `code`, never by class: another copy of jose in the
// dependency tree would defeat `instanceof`. The message is never passed on (it names claims).
function mapJoseError(error: unknown): AccessTokenInvalidError | AccessTokenExpiredError {
  const { code, claim } =
    typeof error === 'object' && error !== null
      ? (error as { code?: unknown; claim?: unknown })
      : {};
  // jose checks claims only after the signature verified, so "expired" is never said of a
  // forgery. jose also reports an iat older than maxTokenAge as expired; with exp still ahead
  // that is a lifetime this module never issues, so it is invalid instead.
  return code === 'ERR_JWT_EXPIRED' && claim === 'exp'
    ? new AccessTokenExpiredError({ cause: error })
    : new AccessTokenInvalidError({ cause: error });
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

/** Deepest nesting of objects and arrays accepted in a claims set. */
const MAX_CLAIMS_DEPTH = 32;

// JSON.parse accepts nesting that JSON.stringify cannot write back (about 2,500 levels fit in
// 8 KiB): an application echoing such claims would answer 500 (security catalogue D09).
function deepFreeze<T>(value: T, depth = 0): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    if (depth > MAX_CLAIMS_DEPTH)
      throw invalid(`claims nested deeper than ${MAX_CLAIMS_DEPTH} levels`);
    Object.freeze(value);
    for (const member of Object.values(value)) deepFreeze(member, depth + 1);
  }
  return value;
}

function toClaims(payload: JWTPayload, maxLifetime: number): AccessTokenClaims {
  const { sub, jti, sid, iat, exp, auth_time: authTime, roles } = payload;
  if (typeof sub !== 'string' || sub === '') throw invalid('sub must be a non-empty string');
  if (typeof jti !== 'string' || jti === '') throw invalid('jti must be a non-empty string');
  if (sid !== undefined && (typeof sid !== 'string' || sid === ''))
    throw invalid('sid must be a non-empty string');
  if (authTime !== undefined && (typeof authTime !== 'number' || !Number.isFinite(authTime))) {
    throw invalid('auth_time must be a number');
  }
  if (roles !== undefined && !isStringArray(roles))
    throw invalid('roles must be an array of strings');
  // jose guarantees numbers here (requiredClaims); a lifetime beyond the configured TTL means
  // a mis-issuing or compromised signer (defence in depth, RFC 9068 section 4).
  if (typeof iat !== 'number' || typeof exp !== 'number' || exp - iat > maxLifetime) {
    throw invalid('token lifetime exceeds the configured accessTokenTtl');
  }
  return deepFreeze({ ...payload, roles: roles ?? [] } as AccessTokenClaims);
}

/**
 * Creates the access-token verifier. Every verification pins the algorithms of the key ring,
 * the issuer (exact match), the audience, `typ: at+jwt`, the required claims, the clock
 * tolerance and a maximum token age, and takes the time from `clock`. Verified claims are
 * cached by exact token string until `exp` (see `options.cache`); failures are never cached.
 *
 * @param options - what to pin, and the cache settings
 * @param keyRing - the module's keys
 * @param clock - the time source
 * @param cache - the verified-token cache; by default built from `options.cache`
 * @returns the verifier
 * @example
 * const verifier = createAccessTokenVerifier(options, keyRing, systemClock);
 * const claims = await verifier.verify(token); // claims.sub, claims.roles
 */
export function createAccessTokenVerifier(
  options: AccessTokenVerifierConfig,
  keyRing: KeyRing,
  clock: Clock,
  cache: VerifiedTokenCache | null = createVerifiedTokenCache(options, clock),
): AccessTokenVerifier {
  const maxLifetime = options.accessTokenTtl + options.clockTolerance;
  const baseOptions = {
    algorithms: [...keyRing.algorithms],
    issuer: options.issuer,
    audience: [...options.audience],
    typ: ACCESS_TOKEN_TYPE,
    requiredClaims: REQUIRED_CLAIMS,
    clockTolerance: options.clockTolerance,
    // Refuses a future iat and tokens older than any token this module would issue.
    maxTokenAge: maxLifetime,
  } as const satisfies JWTVerifyOptions;

  return Object.freeze({
    verifyCached(token: string, nowMs?: number): AccessTokenClaims | undefined {
      return cache === null || typeof token !== 'string'
        ? undefined
        : cache.get(token, keyRing.currentKeySet(), nowMs);
    },

    async verify(token: string): Promise<AccessTokenClaims> {
      if (typeof token !== 'string' || token.length > MAX_ACCESS_TOKEN_LENGTH) {
        throw invalid('token is not a string of at most 8 KiB');
      }
      if (cache !== null) {
        const cached = cache.get(token, keyRing.currentKeySet());
        if (cached !== undefined) return cached;
      }
      if (!COMPACT_JWS.test(token)) throw invalid('token is not a compact JWS');

      let payload: JWTPayload;
      let key: unknown;
      try {
        ({ payload, key } = await jwtVerify(token, keyRing.resolveKey, {
          ...baseOptions,
          currentDate: new Date(clock.now()),
        }));
      } catch (error) {
        throw mapJoseError(error);
      }
      const claims = toClaims(payload, maxLifetime);
      if (cache !== null) {
        // The key set is read after verification: a key withdrawn meanwhile is not cached.
        const keySet = keyRing.currentKeySet();
        const keyId = key === undefined ? undefined : keyRing.keyIdOf(key as KeyMaterial);
        if (keyId !== undefined && keySet.ids.has(keyId)) cache.set(token, claims, keyId, keySet);
      }
      return claims;
    },
  });
}
