/** JSON values a custom claim may hold. */
export type ClaimValue =
  string | number | boolean | null | readonly ClaimValue[] | { readonly [key: string]: ClaimValue };

/** Claims an application adds to access tokens (besides `roles`). */
export type CustomClaims = { roles?: readonly string[] } & {
  readonly [claim: string]: ClaimValue | undefined;
};

/**
 * The application's user as the module needs it: a stable, never reassigned id and its roles.
 * Application user objects usually fit as they are.
 */
export interface AuthSubject {
  readonly id: string | number;
  readonly roles?: readonly string[];
}

/**
 * The verified claims of an access token (RFC 9068 section 2.2), attached to the request and
 * returned by `@CurrentUser()`.
 */
export interface AccessTokenClaims {
  readonly iss: string;
  readonly aud: string | readonly string[];
  /** The user id, always a string. */
  readonly sub: string;
  readonly iat: number;
  readonly exp: number;
  readonly jti: string;
  /** The refresh-token session this token was issued for, when it was issued with one. */
  readonly sid?: string;
  /** When the user last authenticated with credentials (seconds since the epoch). */
  readonly auth_time?: number;
  readonly roles: readonly string[];
  readonly [claim: string]: unknown;
}

/** What `issueTokens` and `refresh` return: the OAuth 2.0 token response shape. */
export interface TokenPair {
  readonly accessToken: string;
  readonly tokenType: 'Bearer';
  /** Seconds until the access token expires. */
  readonly expiresIn: number;
  readonly refreshToken: string;
  /** Seconds until the refresh token expires (the earlier of idle and absolute expiry). */
  readonly refreshExpiresIn: number;
}
