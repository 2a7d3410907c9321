import { describe, expect, it } from 'vitest';
import { authErrorToHttp } from '../../../lib/http/auth-error-to-http.js';
import { RevocationUnavailableError } from '../../../lib/index.js';

describe('authErrorToHttp: revocation store unavailable', () => {
  it('answers 503 with a fixed body and no WWW-Authenticate: the token is not judged', () => {
    expect(authErrorToHttp(new RevocationUnavailableError())).toEqual({
      status: 503,
      body: {
        statusCode: 503,
        error: 'Service Unavailable',
        message: 'Service temporarily unavailable',
      },
      wwwAuthenticate: null,
    });
  });
});
