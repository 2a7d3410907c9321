import { randomUUID } from 'node:crypto';
import { SignJWT, type JWTPayload } from 'jose';
import { SigningNotConfiguredError } from '../auth.errors.js';
import type { CustomClaims } from './access-token-claims.js';
import type { KeyRing } from '../keys/key-ring.js';

/** The RFC 9068 media type of an access token, written into the `typ` header. */
export const ACCESS_TOKEN_TYPE = 'at+jwt';

/** Claims the module sets itself; `claims` callbacks cannot override them. */
export const REGISTERED_CLAIMS: ReadonlySet<string> = new Set([
  'iss',
  'aud',
  'sub',
  'iat',
  'exp',
  'nbf',
  'jti',
  'sid',
  'auth_time',
]);

/** Who the token is for. */
export interface AccessTokenInput {
  /** The user id. */
  readonly sub: string;
  /** The refresh-token session the token belongs to. */
  readonly sid?: string;
  /** When the user last authenticated with credentials, in seconds since the epoch. */
  readonly authTime?: number;
  /** From the `claims` option; `roles` must be an array of strings. */
  readonly claims: CustomClaims;
}

/** Issuer, audience, lifetime and time of a signing operation. */
export interface SigningContext {
  readonly issuer: string;
  /**
   * The configured audiences: only the first is written into `aud`, as a string. A token names
   * the one resource server it is for (RFC 9068 section 3), so it cannot be replayed at another
   * one that happens to be listed (RFC 8725 section 3.9); verification accepts any listed one.
   */
  readonly audience: readonly string[];
  /** Lifetime in seconds. */
  readonly ttl: number;
  /** The current time in milliseconds since the epoch. */
  readonly nowMs: number;
}

/** A freshly signed access token. */
export interface SignedAccessToken {
  readonly token: string;
  readonly jti: string;
  /** `iat`, in seconds since the epoch. */
  readonly issuedAt: number;
  /** `exp`, in seconds since the epoch. */
  readonly expiresAt: number;
}

function assertRoles(roles: unknown): readonly string[] {
  if (roles === undefined) return [];
  if (!Array.isArray(roles) || !roles.every((role) => typeof role === 'string')) {
    throw new TypeError('claims.roles must be an array of strings');
  }
  return [...roles];
}

/**
 * Signs an RFC 9068 access token with the key ring's signer: header `{ alg, kid, typ: 'at+jwt' }`,
 * claims `iss`, `aud` (the first audience), `sub`, `iat`, `exp`, `jti`, `roles`, `sid` and
 * `auth_time` when given, plus the custom claims.
 *
 * @param keyRing - the module's keys
 * @param input - subject, session and custom claims
 * @param context - issuer, audience, lifetime (seconds) and current time (ms)
 * @returns the token with its `jti`, `iat` and `exp`
 * @throws {SigningNotConfiguredError} when the module verifies only
 * @throws {TypeError} when `sub` is empty, `roles` is not an array of strings, or a custom
 *   claim tries to set a registered claim (a programming error)
 * @example
 * const { token } = await signAccessToken(keyRing, { sub: '42', claims: { roles: ['admin'] } },
 *   { issuer: 'https://auth.example.com', audience: ['api'], ttl: 900, nowMs: Date.now() });
 */
export async function signAccessToken(
  keyRing: KeyRing,
  input: AccessTokenInput,
  context: SigningContext,
): Promise<SignedAccessToken> {
  const { signer } = keyRing;
  if (signer === null) throw new SigningNotConfiguredError();
  if (typeof input.sub !== 'string' || input.sub === '') {
    throw new TypeError('sub must be a non-empty string');
  }
  const { roles, ...custom } = input.claims;
  for (const [name, value] of Object.entries(custom)) {
    if (REGISTERED_CLAIMS.has(name) && value !== undefined) {
      throw new TypeError(`the claims callback cannot set the registered claim "${name}"`);
    }
  }
  if (context.audience.length === 0) throw new TypeError('audience must not be empty');

  const issuedAt = Math.floor(context.nowMs / 1000);
  const expiresAt = issuedAt + Math.floor(context.ttl);
  const jti = randomUUID();
  const payload: JWTPayload = {
    ...custom,
    iss: context.issuer,
    aud: context.audience[0],
    sub: input.sub,
    iat: issuedAt,
    exp: expiresAt,
    jti,
    ...(input.sid === undefined ? {} : { sid: input.sid }),
    ...(input.authTime === undefined ? {} : { auth_time: Math.floor(input.authTime) }),
    roles: assertRoles(roles),
  };
  const token = await new SignJWT(payload)
    .setProtectedHeader({ alg: signer.alg, kid: signer.kid, typ: ACCESS_TOKEN_TYPE })
    .sign(signer.key);
  return { token, jti, issuedAt, expiresAt };
}
