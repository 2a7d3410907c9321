import { HttpException, type ExecutionContext } from '@nestjs/common';
import { authErrorToHttp, isInternalAuthHttpError } from './auth-error-to-http.js';
import { AuthGraphqlError } from './auth-graphql-error.js';
import { toAuthWsException } from './auth-ws-exception.js';
import { setResponseHeader } from './set-response-header.js';

/**
 * Turns an auth error raised inside a guard into the exception Nest renders for the context:
 * an HttpException (with `WWW-Authenticate` set on HTTP responses first), an
 * {@link AuthGraphqlError} in GraphQL (`extensions.code` `UNAUTHENTICATED`/`FORBIDDEN`), a
 * `WsException` in a gateway. Returns anything that is not a mapped auth error, and programmer
 * errors (a bare 500), unchanged, so unexpected failures keep their own handling and logging.
 */
export function toAuthHttpException(context: ExecutionContext, error: unknown): unknown {
  const mapped = authErrorToHttp(error);
  if (mapped === null || isInternalAuthHttpError(mapped)) return error;
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
