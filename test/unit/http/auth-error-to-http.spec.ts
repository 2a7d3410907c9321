import { describe, expect, it } from 'vitest';
import { authErrorToHttp } from '../../../lib/http/auth-error-to-http.js';
import {
  AccessTokenExpiredError,
  AccessTokenInvalidError,
  AccessTokenMissingError,
  AccessTokenRevokedError,
  AuthConfigurationError,
  CrossSiteRequestError,
  InsufficientRoleError,
  RefreshNotConfiguredError,
  RefreshTokenInvalidError,
  RefreshTokenReuseError,
  RevocationUnavailableError,
  SessionNotFoundError,
  SigningNotConfiguredError,
  StoreUnavailableError,
  UserRejectedError,
  type AuthError,
  type AuthErrorCode,
} from '../../../lib/index.js';

const INVALID_TOKEN = 'Bearer error="invalid_token"';

// One instance of every AuthError subclass, keyed by its code: the `satisfies` makes the
// compiler refuse a code that has no instance here.
const ONE_OF_EACH = {
  ERR_AUTH_CONFIGURATION: new AuthConfigurationError(['x: bad']),
  ERR_AUTH_ACCESS_TOKEN_MISSING: new AccessTokenMissingError(),
  ERR_AUTH_ACCESS_TOKEN_INVALID: new AccessTokenInvalidError(),
  ERR_AUTH_ACCESS_TOKEN_EXPIRED: new AccessTokenExpiredError(),
  ERR_AUTH_ACCESS_TOKEN_REVOKED: new AccessTokenRevokedError(),
  ERR_AUTH_INSUFFICIENT_ROLE: new InsufficientRoleError(['admin']),
  ERR_AUTH_REFRESH_TOKEN_INVALID: new RefreshTokenInvalidError(),
  ERR_AUTH_REFRESH_TOKEN_REUSED: new RefreshTokenReuseError('s', 'u'),
  ERR_AUTH_USER_REJECTED: new UserRejectedError(),
  ERR_AUTH_SESSION_NOT_FOUND: new SessionNotFoundError(),
  ERR_AUTH_SIGNING_NOT_CONFIGURED: new SigningNotConfiguredError(),
  ERR_AUTH_REFRESH_NOT_CONFIGURED: new RefreshNotConfiguredError(),
  ERR_AUTH_REVOCATION_UNAVAILABLE: new RevocationUnavailableError(),
  ERR_AUTH_STORE_UNAVAILABLE: new StoreUnavailableError(),
  ERR_AUTH_CROSS_SITE_REQUEST: new CrossSiteRequestError('null-origin'),
} satisfies Record<AuthErrorCode, AuthError>;

// [status, message, WWW-Authenticate, Retry-After], as the README's Errors table states.
const EXPECTED: Record<AuthErrorCode, [number, string, string | null, number | null]> = {
  ERR_AUTH_ACCESS_TOKEN_MISSING: [401, 'Missing access token', 'Bearer', null],
  ERR_AUTH_ACCESS_TOKEN_EXPIRED: [
    401,
    'Access token expired',
    `${INVALID_TOKEN}, error_description="The access token expired"`,
    null,
  ],
  ERR_AUTH_ACCESS_TOKEN_INVALID: [401, 'Invalid access token', INVALID_TOKEN, null],
  ERR_AUTH_ACCESS_TOKEN_REVOKED: [401, 'Invalid access token', INVALID_TOKEN, null],
  ERR_AUTH_INSUFFICIENT_ROLE: [403, 'Insufficient role', 'Bearer error="insufficient_scope"', null],
  ERR_AUTH_REFRESH_TOKEN_INVALID: [401, 'Invalid refresh token', null, null],
  ERR_AUTH_REFRESH_TOKEN_REUSED: [401, 'Invalid refresh token', null, null],
  ERR_AUTH_USER_REJECTED: [401, 'Invalid refresh token', null, null],
  ERR_AUTH_SESSION_NOT_FOUND: [404, 'Session not found', null, null],
  ERR_AUTH_STORE_UNAVAILABLE: [503, 'Service temporarily unavailable, retry later', null, 5],
  ERR_AUTH_REVOCATION_UNAVAILABLE: [503, 'Service temporarily unavailable, retry later', null, 5],
  ERR_AUTH_CROSS_SITE_REQUEST: [403, 'Cross-site request refused', null, null],
  ERR_AUTH_CONFIGURATION: [500, 'Internal server error', null, null],
  ERR_AUTH_SIGNING_NOT_CONFIGURED: [500, 'Internal server error', null, null],
  ERR_AUTH_REFRESH_NOT_CONFIGURED: [500, 'Internal server error', null, null],
};

const REASONS: Record<number, string> = {
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

describe('authErrorToHttp: one rendering per AuthErrorCode', () => {
  it.each(Object.entries(ONE_OF_EACH))('renders %s', (code, error) => {
    expect(error.code).toBe(code);
    const [status, message, wwwAuthenticate, retryAfter] = EXPECTED[code as AuthErrorCode];
    expect(authErrorToHttp(error)).toEqual({
      status,
      body: { statusCode: status, error: REASONS[status], message },
      wwwAuthenticate,
      retryAfter,
    });
  });

  it('matches by code, so an AuthError from another copy of the package renders the same', () => {
    const foreign = Object.assign(new Error('other copy'), { code: 'ERR_AUTH_SESSION_NOT_FOUND' });
    expect(authErrorToHttp(foreign)?.status).toBe(404);
  });

  it.each([
    ['an unknown code', Object.assign(new Error('x'), { code: 'ERR_AUTH_NOPE' })],
    ['a code from Object.prototype', Object.assign(new Error('x'), { code: 'toString' })],
    ['a driver error', Object.assign(new Error('x'), { code: 'ECONNREFUSED' })],
    ['a plain Error', new Error('x')],
    ['a non-error', { code: 'ERR_AUTH_SESSION_NOT_FOUND' }],
  ])('returns null for %s', (_name, error) => {
    expect(authErrorToHttp(error)).toBeNull();
  });
});
