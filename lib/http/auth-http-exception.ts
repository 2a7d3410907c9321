import { HttpException, type ExecutionContext } from '@nestjs/common';
import { authErrorToHttp } from './auth-error-to-http.js';
import { setResponseHeader } from './set-response-header.js';

/**
 * Turns an auth error raised inside a guard into the HttpException Nest renders, setting
 * `WWW-Authenticate` on HTTP responses first. Returns anything that is not a mapped auth error
 * unchanged, so unexpected failures keep their own handling.
 */
export function toAuthHttpException(context: ExecutionContext, error: unknown): unknown {
  const mapped = authErrorToHttp(error);
  if (mapped === null) return error;
  if (mapped.wwwAuthenticate !== null && context.getType() === 'http') {
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
