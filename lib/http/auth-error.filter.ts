import { Catch, HttpException, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { AuthError } from '../auth.errors.js';
import { authErrorToHttp } from './auth-error-to-http.js';
import { setResponseHeader } from './set-response-header.js';

interface ReplyCapable {
  status?(code: number): ReplyCapable;
  code?(code: number): ReplyCapable;
  json?(body: unknown): unknown;
  send(body: unknown): unknown;
}

/**
 * Renders the {@link AuthError}s that `TokenService` throws (invalid refresh token, unknown
 * session...) as JSON `{ statusCode, error, message }` with the right status and
 * `WWW-Authenticate`. Register it globally (`APP_FILTER`) or on the controllers that call
 * `TokenService`. Errors it does not map become a bare 500 without details.
 *
 * @example
 * ```ts
 * providers: [{ provide: APP_FILTER, useClass: AuthErrorFilter }]
 * ```
 */
@Catch(AuthError)
export class AuthErrorFilter implements ExceptionFilter<AuthError> {
  catch(exception: AuthError, host: ArgumentsHost): void {
    const mapped = authErrorToHttp(exception);
    if (host.getType() !== 'http') {
      // GraphQL and WebSocket layers render HttpExceptions themselves.
      throw mapped
        ? new HttpException(mapped.body, mapped.status)
        : new HttpException('Internal server error', 500);
    }
    const response = host.switchToHttp().getResponse<ReplyCapable>();
    const status = mapped?.status ?? 500;
    const body = mapped?.body ?? {
      statusCode: 500,
      error: 'Internal Server Error',
      message: 'Internal server error',
    };
    if (mapped?.wwwAuthenticate)
      setResponseHeader(response, 'WWW-Authenticate', mapped.wwwAuthenticate);
    if (mapped?.retryAfter != null)
      setResponseHeader(response, 'Retry-After', String(mapped.retryAfter));
    if (typeof response.code === 'function') {
      response.code(status).send(body);
    } else if (typeof response.status === 'function' && typeof response.json === 'function') {
      response.status(status);
      response.json(body);
    }
  }
}
