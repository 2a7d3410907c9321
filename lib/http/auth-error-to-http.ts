import type { AuthErrorCode } from '../auth.errors.js';

/** The HTTP rendering of an {@link AuthError}. */
export interface AuthHttpError {
  readonly status: number;
  readonly body: { readonly statusCode: number; readonly error: string; readonly message: string };
  /** The `WWW-Authenticate` value to send (RFC 6750 section 3), when the status calls for one. */
  readonly wwwAuthenticate: string | null;
  /** The `Retry-After` value to send, in seconds (RFC 9110 section 10.2.3), or `null`. */
  readonly retryAfter: number | null;
}

/**
 * Seconds a client is asked to wait (`Retry-After`) when the session store is unavailable:
 * long enough for a database fail-over or restart to begin, short enough not to strand users.
 */
export const STORE_UNAVAILABLE_RETRY_AFTER = 5;

const INVALID_TOKEN = 'Bearer error="invalid_token"';

function render(
  status: number,
  error: string,
  message: string,
  wwwAuthenticate: string | null,
  retryAfter: number | null = null,
): AuthHttpError {
  return Object.freeze({
    status,
    body: Object.freeze({ statusCode: status, error, message }),
    wwwAuthenticate,
    retryAfter,
  });
}

// A programmer error (a misconfigured module, a call the configuration does not allow): the
// client gets a bare 500 and nothing of the cause; the guards leave it to Nest, which logs it.
const INTERNAL = render(500, 'Internal Server Error', 'Internal server error', null);

// One answer for every refresh failure: a thief learns nothing from the difference.
const INVALID_REFRESH = render(401, 'Unauthorized', 'Invalid refresh token', null);

// Not the client's fault and not a verdict on its credentials: retry later (RFC 9110
// section 15.6.4), after the pause that Retry-After names.
const UNAVAILABLE = render(
  503,
  'Service Unavailable',
  'Service temporarily unavailable, retry later',
  null,
  STORE_UNAVAILABLE_RETRY_AFTER,
);

const INVALID_ACCESS = render(401, 'Unauthorized', 'Invalid access token', INVALID_TOKEN);

// Every code has a rendering: the compiler refuses a new code without one. Messages are fixed
// strings: no jose message, no token, no hint of which check failed beyond what a client needs
// (expired means: refresh).
const AUTH_ERROR_HTTP: Readonly<Record<AuthErrorCode, AuthHttpError>> = Object.freeze({
  // RFC 6750 section 3.1: no error code when the request carried no credentials.
  ERR_AUTH_ACCESS_TOKEN_MISSING: render(401, 'Unauthorized', 'Missing access token', 'Bearer'),
  ERR_AUTH_ACCESS_TOKEN_EXPIRED: render(
    401,
    'Unauthorized',
    'Access token expired',
    `${INVALID_TOKEN}, error_description="The access token expired"`,
  ),
  ERR_AUTH_ACCESS_TOKEN_INVALID: INVALID_ACCESS,
  ERR_AUTH_ACCESS_TOKEN_REVOKED: INVALID_ACCESS,
  ERR_AUTH_INSUFFICIENT_ROLE: render(
    403,
    'Forbidden',
    'Insufficient role',
    'Bearer error="insufficient_scope"',
  ),
  ERR_AUTH_REFRESH_TOKEN_INVALID: INVALID_REFRESH,
  ERR_AUTH_REFRESH_TOKEN_REUSED: INVALID_REFRESH,
  ERR_AUTH_USER_REJECTED: INVALID_REFRESH,
  ERR_AUTH_SESSION_NOT_FOUND: render(404, 'Not Found', 'Session not found', null),
  ERR_AUTH_STORE_UNAVAILABLE: UNAVAILABLE,
  ERR_AUTH_REVOCATION_UNAVAILABLE: UNAVAILABLE,
  ERR_AUTH_CROSS_SITE_REQUEST: render(403, 'Forbidden', 'Cross-site request refused', null),
  ERR_AUTH_CONFIGURATION: INTERNAL,
  ERR_AUTH_SIGNING_NOT_CONFIGURED: INTERNAL,
  ERR_AUTH_REFRESH_NOT_CONFIGURED: INTERNAL,
});

/**
 * Maps an error of this module, by its `code`, to its HTTP status, body, `WWW-Authenticate`
 * and `Retry-After`: the one place where auth errors meet HTTP. Programmer errors
 * (`ERR_AUTH_CONFIGURATION`, `ERR_AUTH_SIGNING_NOT_CONFIGURED`,
 * `ERR_AUTH_REFRESH_NOT_CONFIGURED`) render as a bare 500 (see {@link isInternalAuthHttpError}).
 * Returns `null` for anything whose `code` is not an {@link AuthErrorCode}.
 *
 * @example
 * const mapped = authErrorToHttp(error);
 * if (mapped) reply.code(mapped.status).send(mapped.body);
 */
export function authErrorToHttp(error: unknown): AuthHttpError | null {
  if (!(error instanceof Error) || !('code' in error) || typeof error.code !== 'string')
    return null;
  return Object.hasOwn(AUTH_ERROR_HTTP, error.code)
    ? AUTH_ERROR_HTTP[error.code as AuthErrorCode]
    : null;
}

/**
 * Whether a rendering is the bare 500 of a programmer error: not a verdict on the client's
 * request, so guards leave the original error to the app's error handling, which logs it.
 */
export function isInternalAuthHttpError(mapped: AuthHttpError): boolean {
  return mapped === INTERNAL;
}
