import { HttpException, type ExecutionContext } from '@nestjs/common';
import { authErrorToHttp } from './auth-error-to-http.js';
import { AuthGraphqlError } from './auth-graphql-error.js';
import { toAuthWsException } from './auth-ws-exception.js';
import { setResponseHeader } from './set-response-header.js';

/**
 * Turns an auth error raised inside a guard into the exception Nest renders for the context:
 * an HttpException (with `WWW-Authenticate` set on HTTP responses first), an
 * {@link AuthGraphqlError} in GraphQL (`extensions.code` `UNAUTHENTICATED`/`FORBIDDEN`), a
 * `WsException` in a gateway. Returns anything that is not a mapped auth error unchanged, so
 * unexpected failures keep their own handling.
 */
export function toAuthHttpException(context: ExecutionContext, error: unknown): unknown {
  const mapped = authErrorToHttp(error);
  if (mapped === null) return error;
  const type = context.getType<string>();
  if (type === 'graphql') return new AuthGraphqlError(mapped, { cause: error });
  if (type === 'ws') return toAuthWsException(mapped, error);
  if (mapped.wwwAuthenticate !== null && type === 'http') {
    setResponseHeader(
      context.switchToHttp().getResponse(),
      'WWW-Authenticate',
      mapped.wwwAuthenticate,
    );
  }
  if (mapped.retryAfter !== null && context.getType() === 'http') {
    setResponseHeader(
      context.switchToHttp().getResponse(),
      'Retry-After',
      String(mapped.retryAfter),
    );
  }
  return new HttpException(mapped.body, mapped.status, { cause: error });
}
