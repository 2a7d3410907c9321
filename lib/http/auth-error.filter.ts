import { STATUS_CODES } from 'node:http';
import { createRequire } from 'node:module';
import {
  Catch,
  HttpException,
  Logger,
  type ArgumentsHost,
  type ExceptionFilter,
} from '@nestjs/common';
import { authErrorToHttp, type AuthHttpError } from './auth-error-to-http.js';
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

/** The body of every error this filter renders. */
type ErrorBody = AuthHttpError['body'];

// Errors raised by the HTTP engine itself (body parser, content-type parser) reach the filter
// as HttpExceptions with the engine's error as `cause`; their text can quote the body.
const ENGINE_MESSAGES: Readonly<Record<number, string>> = {
  400: 'Malformed request body',
  413: 'Request body too large',
  415: 'Unsupported media type',
};

/**
 * The error filter an app registers once: every failure becomes `{ statusCode, error, message }`
 * with `message` one string, and nothing else leaks (no stack, no SQL, no token).
 *
 * - the module's errors, by `code` ({@link authErrorToHttp}), with `WWW-Authenticate` and
 *   `Retry-After` (also when a guard wrapped one in an `HttpException` as `cause`);
 * - Nest `HttpException`s with their status: validation messages joined with `; `, the
 *   engine's body-parser errors and Nest's "Cannot GET /path" (it would echo a query string)
 *   as fixed messages, any 5xx as `Internal server error`;
 * - anything else: a bare 500, logged once by name and `code`, never by message or stack.
 *
 * Apps map their own errors by overriding {@link AuthErrorFilter.mapException}. In GraphQL
 * it throws an {@link AuthGraphqlError} (`extensions.code` `UNAUTHENTICATED`...) for the
 * module's errors and lets the driver report the rest; on a gateway
 * (`@UseFilters(AuthErrorFilter)`: Nest applies no global filter to gateways) it emits the
 * `exception` event a `WsException` would, with `statusCode` and `code`, and leaves other
 * errors to Nest's `BaseWsExceptionFilter`.
 *
 * @example
 * ```ts
 * providers: [{ provide: APP_FILTER, useClass: AuthErrorFilter }]
 * ```
 */
@Catch()
export class AuthErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('AuthErrorFilter');

  catch(thrown: unknown, host: ArgumentsHost): void {
    const exception = this.mapException(thrown);
    const type = host.getType<string>();
    const mapped = authErrorToHttp(exception);
    // The driver reports what a resolver's filter throws as a GraphQL error.
    if (type === 'graphql') {
      if (mapped === null) throw exception;
      throw new AuthGraphqlError(mapped, { cause: exception });
    }
    if (type === 'ws') {
      if (mapped === null) defaultWsFilter().catch(exception, host);
      else emitToSocket(host.switchToWs().getClient<SocketLike>(), authWsErrorPayload(mapped));
      return;
    }
    if (type !== 'http') throw exception;
    const http = host.switchToHttp();
    const response = http.getResponse<ReplyCapable>();
    const rendered =
      mapped ??
      (exception instanceof HttpException ? authErrorToHttp(exception.cause) : null) ??
      renderOther(exception);
    if (rendered.status >= 500) {
      const request = http.getRequest<{ method?: string; url?: string }>();
      const line = `${request.method ?? '?'} ${pathOf(request.url)} failed: ${describe(exception)}`;
      // A 503 is an outage the client is told to retry (a database or Redis away), not a bug.
      if (rendered.status === 503) this.logger.warn(line);
      else this.logger.error(line);
    }
    if (rendered.wwwAuthenticate !== null)
      setResponseHeader(response, 'WWW-Authenticate', rendered.wwwAuthenticate);
    if (rendered.retryAfter !== null)
      setResponseHeader(response, 'Retry-After', String(rendered.retryAfter));
    if (typeof response.code === 'function') {
      response.code(rendered.status).send(rendered.body);
    } else if (typeof response.status === 'function' && typeof response.json === 'function') {
      response.status(rendered.status);
      response.json(rendered.body);
    }
  }

  /**
   * The hook for an app's own errors: return an `AuthError` (or anything with an `ERR_AUTH_*`
   * `code`) or an `HttpException` to have it rendered as such; return `exception` unchanged to
   * keep the default. Called first, for every exception and context.
   *
   * @example
   * ```ts
   * @Catch()
   * export class AppErrorFilter extends AuthErrorFilter {
   *   // A database that is down answers 503 with Retry-After, not 500.
   *   protected override mapException(exception: unknown): unknown {
   *     return toStoreUnavailable(exception);
   *   }
   * }
   * ```
   */
  protected mapException(exception: unknown): unknown {
    return exception;
  }
}

function renderOther(exception: unknown): AuthHttpError {
  if (!(exception instanceof HttpException)) return render(500, 'Internal server error');
  const status = exception.getStatus();
  if (status >= 500) return render(status, 'Internal server error');
  if (exception.cause !== undefined && !(exception.cause instanceof HttpException))
    return render(status, ENGINE_MESSAGES[status] ?? 'Invalid request');
  // The throttler's own message names its class; Retry-After is set by ThrottlerGuard.
  if (status === 429) return render(429, 'Too many requests, retry later');
  // Nest's "Cannot GET /path?query" would echo the query string, possibly a token.
  if (status === 404 && exception.message.startsWith('Cannot '))
    return render(404, 'Route not found');
  return render(status, messageOf(exception));
}

function render(status: number, message: string): AuthHttpError {
  const body: ErrorBody = { statusCode: status, error: STATUS_CODES[status] ?? 'Error', message };
  return { status, body, wwwAuthenticate: null, retryAfter: null };
}

function messageOf(exception: HttpException): string {
  const body = exception.getResponse();
  if (typeof body === 'string') return body;
  const message = (body as { message?: unknown }).message;
  // ValidationPipe lists one message per failed constraint; one string keeps `message` a string.
  if (Array.isArray(message))
    return message.filter((item): item is string => typeof item === 'string').join('; ');
  return typeof message === 'string' ? message : exception.message;
}

function pathOf(url: string | undefined): string {
  return (url ?? '').split('?')[0] ?? '';
}

// Name and code only: a message can quote SQL, a token or a password.
function describe(exception: unknown): string {
  const name = exception instanceof Error ? exception.name : typeof exception;
  const code = (exception as { code?: unknown } | null)?.code;
  return `${name}${typeof code === 'string' ? ` (${code})` : ''}`;
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

interface WsFilter {
  catch(exception: unknown, host: ArgumentsHost): void;
}
let wsFilter: WsFilter | undefined;

// Loaded on the first failure in a gateway: a WebSocket context means `@nestjs/websockets` is
// installed, and apps without gateways never load it.
function defaultWsFilter(): WsFilter {
  if (wsFilter === undefined) {
    const require = createRequire(import.meta.url);
    const { BaseWsExceptionFilter } = require('@nestjs/websockets') as {
      BaseWsExceptionFilter: new () => WsFilter;
    };
    wsFilter = new BaseWsExceptionFilter();
  }
  return wsFilter;
}
