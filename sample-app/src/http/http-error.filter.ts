import {
  Catch,
  HttpException,
  Logger,
  type ArgumentsHost,
  type ExceptionFilter,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { authErrorToHttp } from '../../../lib/index.js';
import { toStoreUnavailable } from '../../../lib/typeorm/index.js';
import { errorResponse, type ErrorResponse } from './error-body.js';

// Errors raised by the HTTP engine itself (body parser, content-type parser) carry the
// original as `cause`; their text can quote the body, so it is replaced.
const FRAMEWORK_MESSAGES: Readonly<Record<number, string>> = {
  400: 'Malformed request body',
  413: 'Request body too large',
  415: 'Unsupported media type',
};

/**
 * Answers every exception with `{ statusCode, error, message }`: Nest HTTP exceptions, the
 * library's `AuthError`s (by `code`), body-parser errors, and anything else as a generic 500
 * logged without its message (it may hold SQL or a token).
 */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpError');

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') {
      throw exception;
    }
    const http = host.switchToHttp();
    const request = http.getRequest<{ method?: string; url?: string }>();
    const response: unknown = http.getResponse();
    const mapped = this.map(exception);
    if (mapped.body.statusCode >= 500) {
      const path = (request.url ?? '').split('?')[0];
      const name = exception instanceof Error ? exception.name : typeof exception;
      const code = (exception as { code?: unknown } | null)?.code;
      this.logger.error(
        `${request.method ?? '?'} ${path} failed: ${name}${typeof code === 'string' ? ` (${code})` : ''}`,
      );
    }
    const { httpAdapter } = this.adapterHost;
    for (const [name, value] of Object.entries(mapped.headers)) {
      httpAdapter.setHeader(response, name, value);
    }
    httpAdapter.reply(response, mapped.body, mapped.body.statusCode);
  }

  private map(exception: unknown): ErrorResponse {
    // AuthErrors from TokenService, and the HttpExceptions AccessTokenGuard makes of them
    // (with the AuthError as `cause`): the library's own mapping, by `code`. A database error
    // that escaped the guarded calls gets the store's classification: down is 503, not 500.
    const auth =
      authErrorToHttp(exception) ??
      (exception instanceof HttpException ? authErrorToHttp(exception.cause) : null) ??
      authErrorToHttp(toStoreUnavailable(exception));
    if (auth !== null) {
      const headers: Record<string, string> = {};
      if (auth.wwwAuthenticate !== null) headers['WWW-Authenticate'] = auth.wwwAuthenticate;
      if (auth.retryAfter !== null) headers['Retry-After'] = String(auth.retryAfter);
      return errorResponse(auth.status, auth.body.message, headers);
    }
    if (!(exception instanceof HttpException)) {
      return errorResponse(500, 'Internal server error');
    }
    const status = exception.getStatus();
    if (status >= 500) {
      return errorResponse(status, 'Internal server error');
    }
    if (exception.cause !== undefined && !(exception.cause instanceof HttpException)) {
      return errorResponse(status, FRAMEWORK_MESSAGES[status] ?? 'Invalid request');
    }
    if (status === 429) {
      return errorResponse(429, 'Too many requests, retry later');
    }
    if (status === 404 && exception.message.startsWith('Cannot ')) {
      // Nest's "Cannot GET /path?query" would echo the query string, possibly a token.
      return errorResponse(404, 'Route not found');
    }
    return errorResponse(status, messageOf(exception));
  }
}

function messageOf(exception: HttpException): string {
  const body = exception.getResponse();
  if (typeof body === 'string') {
    return body;
  }
  const message = (body as { message?: unknown }).message;
  if (Array.isArray(message)) {
    // ValidationPipe lists one message per failed constraint; one string keeps `message` a string.
    return message.filter((item): item is string => typeof item === 'string').join('; ');
  }
  return typeof message === 'string' ? message : exception.message;
}
