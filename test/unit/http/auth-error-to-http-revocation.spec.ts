import { describe, expect, it } from 'vitest';
import {
  authErrorToHttp,
  STORE_UNAVAILABLE_RETRY_AFTER,
} from '../../../lib/http/auth-error-to-http.js';
import { RevocationUnavailableError } from '../../../lib/index.js';

describe('authErrorToHttp: revocation store unavailable', () => {
  it('answers 503 with Retry-After, a fixed body and no WWW-Authenticate: the token is not judged', () => {
    expect(authErrorToHttp(new RevocationUnavailableError())).toEqual({
      status: 503,
      body: {
        statusCode: 503,
        error: 'Service Unavailable',
        message: 'Service temporarily unavailable, retry later',
      },
      wwwAuthenticate: null,
      retryAfter: STORE_UNAVAILABLE_RETRY_AFTER,
    });
  });
});
