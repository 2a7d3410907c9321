import type { z } from 'zod';
import type { AuthSubject, CustomClaims } from '../access-token/access-token-claims.js';
import { AuthConfigurationError } from '../auth.errors.js';
import type {
  AuthKeyOptions,
  AuthModuleOptions,
  ResolvedAuthOptions,
  ResolvedRefreshTokenOptions,
} from './auth-module-options.js';
import {
  authOptionsSchema,
  firstKeyCanSign,
  type ParsedAuthOptions,
} from './auth-options.schema.js';
import { defaultExtractors } from './default-extractors.js';
import type { RefreshTokenStore } from '../refresh-token/refresh-token.store.js';

type ParsedKey = NonNullable<ParsedAuthOptions['keys']>[number];

const DEFAULT_REFRESH_TTL = 30 * 24 * 3600;
const DEFAULT_REFRESH_IDLE_TTL = 14 * 24 * 3600;

/** The default `claims` option: the user's roles, nothing else. */
export function defaultClaims(user: AuthSubject): CustomClaims {
  return { roles: [...(user.roles ?? [])] };
}

function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? String(segment) : `.${String(segment)}`;
  }
  return out === '' ? 'options' : out;
}

function toProblems(issues: readonly z.core.$ZodIssue[]): string[] {
  const problems: string[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        problems.push(
          `${formatPath([...issue.path, key])}: is not a known option; remove it or fix its spelling`,
        );
      }
    } else {
      problems.push(`${formatPath(issue.path)}: ${issue.message}`);
    }
  }
  return problems;
}

function toBytes(secret: string | Uint8Array): Uint8Array {
  return typeof secret === 'string' ? new TextEncoder().encode(secret) : new Uint8Array(secret);
}

// A JWK is copied and frozen; strings and KeyObjects are kept as given.
function copyJwk<T>(material: T): T {
  return typeof material === 'object' &&
    material !== null &&
    !ArrayBuffer.isView(material) &&
    'kty' in material
    ? (Object.freeze({ ...material }) as T)
    : material;
}

// Only containers this function builds are frozen: user-supplied instances (KeyObject,
// DataSource, stores, functions, byte arrays) are shared with the application and must keep working.
function freezeKey(key: ParsedKey, algorithm: ResolvedAuthOptions['algorithm']): AuthKeyOptions {
  const resolved: AuthKeyOptions = {
    algorithm: key.algorithm ?? algorithm,
    ...(key.kid === undefined ? {} : { kid: key.kid }),
    ...(key.privateKey === undefined
      ? {}
      : { privateKey: copyJwk(key.privateKey) as AuthKeyOptions['privateKey'] }),
    ...(key.publicKey === undefined
      ? {}
      : { publicKey: copyJwk(key.publicKey) as AuthKeyOptions['publicKey'] }),
    ...(key.secret === undefined ? {} : { secret: toBytes(key.secret) }),
  };
  return Object.freeze(resolved);
}

function buildRefresh(
  refresh: NonNullable<ParsedAuthOptions['refresh']>,
): ResolvedRefreshTokenOptions {
  const ttl = refresh.ttl ?? DEFAULT_REFRESH_TTL;
  return Object.freeze({
    ttl,
    // An explicit idleTtl longer than ttl is refused; the default simply never exceeds ttl.
    idleTtl: refresh.idleTtl ?? Math.min(DEFAULT_REFRESH_IDLE_TTL, ttl),
    reuseGracePeriod: refresh.reuseGracePeriod,
    maxSessionsPerUser: refresh.maxSessionsPerUser,
    secret: refresh.secret === undefined ? null : toBytes(refresh.secret),
    // The schema refuses a refresh block without a store.
    store: refresh.store as RefreshTokenStore,
    resolveUser: refresh.resolveUser,
    onReuseDetected: refresh.onReuseDetected ?? null,
    pruneInterval: refresh.pruneInterval ?? null,
    pruneRevokedAfter: refresh.pruneRevokedAfter,
  });
}

function build(parsed: ParsedAuthOptions): ResolvedAuthOptions {
  const keys = Object.freeze((parsed.keys ?? []).map((key) => freezeKey(key, parsed.algorithm)));
  const audience = Object.freeze(
    typeof parsed.audience === 'string' ? [parsed.audience] : [...parsed.audience],
  );
  return Object.freeze({
    algorithm: parsed.algorithm,
    keys,
    jwks: parsed.jwks === undefined ? null : Object.freeze({ ...parsed.jwks }),
    canSign: parsed.rotation !== undefined || firstKeyCanSign(keys),
    issuer: parsed.issuer,
    audience,
    accessTokenTtl: parsed.accessTokenTtl,
    clockTolerance: parsed.clockTolerance,
    claims: parsed.claims ?? defaultClaims,
    extractors:
      parsed.extractors === undefined
        ? defaultExtractors(parsed.queryParameter)
        : Object.freeze([...parsed.extractors]),
    cache: Object.freeze({ ...parsed.cache }),
    refresh: parsed.refresh === undefined ? null : buildRefresh(parsed.refresh),
    // The module supplies the in-memory store when none is configured.
    revocation: Object.freeze({ store: parsed.revocation.store ?? null }),
    rotation: parsed.rotation === undefined ? null : Object.freeze({ ...parsed.rotation }),
  });
}

/**
 * Validates the module options once, at start-up, and returns them fully defaulted and frozen,
 * every duration in seconds.
 *
 * @param options - the options given to `AuthModule.forRoot()` / `forRootAsync()`
 * @returns the resolved options
 * @throws {AuthConfigurationError} listing every problem found, each as
 *   `path: what is wrong, how to fix it`
 * @example
 * const resolved = resolveAuthOptions({
 *   issuer: 'https://auth.example.com',
 *   audience: 'api',
 *   keys: [{ privateKey: process.env.AUTH_PRIVATE_KEY }],
 * });
 * resolved.accessTokenTtl; // 900
 */
export function resolveAuthOptions(options: AuthModuleOptions): ResolvedAuthOptions {
  const result = authOptionsSchema.safeParse(options);
  if (!result.success) {
    throw new AuthConfigurationError(toProblems(result.error.issues));
  }
  return build(result.data);
}
