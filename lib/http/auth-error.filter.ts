import { Catch, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { AuthError } from '../auth.errors.js';
import { authErrorToHttp } from './auth-error-to-http.js';
import { AuthGraphqlError } from './auth-graphql-error.js';
import { authWsErrorPayload } from './auth-ws-exception.js';
import { setResponseHeader } from './set-response-header.js';

interface SocketLike {
  readyState?: unknown;
  send?(data: string): unknown;
  emit?(event: string, payload: unknown): unknown;
}

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
 * `TokenService`. Errors it does not map become a bare 500 without details. In GraphQL it
 * throws an {@link AuthGraphqlError} (`extensions.code` `UNAUTHENTICATED`...); on a gateway
 * (`@UseFilters(AuthErrorFilter)`: Nest applies no global filter to gateways) it emits the
 * `exception` event a `WsException` would, with `statusCode` and `code`.
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
    const type = host.getType<string>();
    // The driver reports what a resolver's filter throws as a GraphQL error.
    if (type === 'graphql') throw new AuthGraphqlError(mapped, { cause: exception });
    if (type === 'ws') {
      emitToSocket(host.switchToWs().getClient<SocketLike>(), authWsErrorPayload(mapped));
      return;
    }
    if (type !== 'http') throw exception;
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

// As Nest's BaseWsExceptionFilter: `ws` clients (a numeric `readyState`) get a JSON frame,
// socket.io clients an event.
function emitToSocket(client: SocketLike, payload: object): void {
  if (typeof client.readyState === 'number' && typeof client.send === 'function') {
    client.send(JSON.stringify({ event: 'exception', data: payload }));
  } else if (typeof client.emit === 'function') {
    client.emit('exception', payload);
  }
}
