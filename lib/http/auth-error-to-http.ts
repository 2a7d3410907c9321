import { AuthError } from '../auth.errors.js';

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
  return { status, body: { statusCode: status, error, message }, wwwAuthenticate, retryAfter };
}

/**
 * Maps an error of this module to its HTTP status, body and `WWW-Authenticate` header: the one
 * place where auth errors meet HTTP. Messages are fixed strings: no jose message, no token,
 * no hint of which check failed beyond what a client needs (expired means: refresh).
 * Returns `null` for anything that is not a mapped {@link AuthError}.
 */
export function authErrorToHttp(error: unknown): AuthHttpError | null {
  if (!(error instanceof Error) || !('code' in error) || typeof error.code !== 'string')
    return null;
  switch ((error as AuthError).code) {
    case 'ERR_AUTH_ACCESS_TOKEN_MISSING':
      // RFC 6750 section 3.1: no error code when the request carried no credentials.
      return render(401, 'Unauthorized', 'Missing access token', 'Bearer');
    case 'ERR_AUTH_ACCESS_TOKEN_EXPIRED':
      return render(
        401,
        'Unauthorized',
        'Access token expired',
        `${INVALID_TOKEN}, error_description="The access token expired"`,
      );
    case 'ERR_AUTH_ACCESS_TOKEN_INVALID':
    case 'ERR_AUTH_ACCESS_TOKEN_REVOKED':
      return render(401, 'Unauthorized', 'Invalid access token', INVALID_TOKEN);
    case 'ERR_AUTH_INSUFFICIENT_ROLE':
      return render(403, 'Forbidden', 'Insufficient role', 'Bearer error="insufficient_scope"');
    case 'ERR_AUTH_REFRESH_TOKEN_INVALID':
    case 'ERR_AUTH_REFRESH_TOKEN_REUSED':
    case 'ERR_AUTH_USER_REJECTED':
      // One answer for every refresh failure: a thief learns nothing from the difference.
      return render(401, 'Unauthorized', 'Invalid refresh token', null);
    case 'ERR_AUTH_SESSION_NOT_FOUND':
      return render(404, 'Not Found', 'Session not found', null);
    case 'ERR_AUTH_STORE_UNAVAILABLE':
    case 'ERR_AUTH_REVOCATION_UNAVAILABLE':
      // Not the client's fault and not a verdict on its credentials: retry later (RFC 9110
      // section 15.6.4), after the pause that Retry-After names.
      return render(
        503,
        'Service Unavailable',
        'Service temporarily unavailable, retry later',
        null,
        STORE_UNAVAILABLE_RETRY_AFTER,
      );
    case 'ERR_AUTH_CROSS_SITE_REQUEST':
      return render(403, 'Forbidden', 'Cross-site request refused', null);
    default:
      return null;
  }
}
