import { describe, expect, it } from 'vitest';
import {
  AccessTokenExpiredError,
  AccessTokenInvalidError,
  AccessTokenMissingError,
  InsufficientRoleError,
  SessionNotFoundError,
  authErrorToHttp,
} from '../../../lib/index.js';
import { AuthGraphqlError } from '../../../lib/http/auth-graphql-error.js';
import { authWsErrorPayload } from '../../../lib/http/auth-ws-exception.js';
import { toSocketAuthError } from '../../../lib/websockets/index.js';

describe('auth errors outside HTTP', () => {
  it.each([
    [new AccessTokenMissingError(), 401, 'UNAUTHENTICATED', 'Missing access token'],
    [new AccessTokenInvalidError(), 401, 'UNAUTHENTICATED', 'Invalid access token'],
    [new AccessTokenExpiredError(), 401, 'UNAUTHENTICATED', 'Access token expired'],
    [new InsufficientRoleError(['admin']), 403, 'FORBIDDEN', 'Insufficient role'],
    [new SessionNotFoundError(), 404, 'NOT_FOUND', 'Session not found'],
  ])('renders %o with the HTTP message and its code', (error, statusCode, code, message) => {
    const graphql = new AuthGraphqlError(authErrorToHttp(error), { cause: error });
    expect({ message: graphql.message, extensions: graphql.extensions }).toEqual({
      message,
      extensions: { code },
    });
    expect(graphql.stack).toBe(`AuthGraphqlError: ${message}`);
    expect(authWsErrorPayload(authErrorToHttp(error))).toEqual({
      status: 'error',
      statusCode,
      code,
      message,
    });
  });

  it('hides what it does not know behind a bare internal error', () => {
    const unknown = new Error('ECONNREFUSED 10.0.0.7:6379');
    expect(new AuthGraphqlError(authErrorToHttp(unknown)).message).toBe('Internal server error');
    const refusal = toSocketAuthError(unknown);
    expect({ message: refusal.message, data: refusal.data }).toEqual({
      message: 'Internal server error',
      data: {
        status: 'error',
        statusCode: 500,
        code: 'INTERNAL_SERVER_ERROR',
        message: 'Internal server error',
      },
    });
  });
});
