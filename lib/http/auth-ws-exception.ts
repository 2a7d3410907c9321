import { createRequire } from 'node:module';
import { HttpException } from '@nestjs/common';
import type { AuthHttpError } from './auth-error-to-http.js';
import { AuthGraphqlError, type AuthGraphqlErrorCode } from './auth-graphql-error.js';

/** What a socket client receives in its `exception` event when auth refuses a message. */
export interface AuthWsErrorPayload {
  readonly status: 'error';
  /** The HTTP status the same failure gets over HTTP (401, 403...). */
  readonly statusCode: number;
  /** The same codes as GraphQL: `UNAUTHENTICATED`, `FORBIDDEN`... */
  readonly code: AuthGraphqlErrorCode;
  /** The fixed HTTP message: `Access token expired`, `Invalid access token`... */
  readonly message: string;
}

/** The payload of a refused message or connection, from the HTTP rendering of the error. */
export function authWsErrorPayload(mapped: AuthHttpError | null): AuthWsErrorPayload {
  return Object.freeze({
    status: 'error',
    statusCode: mapped?.status ?? 500,
    code: new AuthGraphqlError(mapped).extensions.code,
    message: mapped?.body.message ?? 'Internal server error',
  });
}

type WsExceptionConstructor = new (error: object) => Error;
let wsException: WsExceptionConstructor | null | undefined;

/**
 * Nest's `BaseWsExceptionFilter` renders only `instanceof WsException` and answers everything
 * else with "Internal server error", so a guard must throw the app's own `WsException`. It is
 * loaded on the first refused message: a WebSocket context means `@nestjs/websockets` is
 * installed, and apps without gateways never load it.
 */
export function toAuthWsException(mapped: AuthHttpError, cause: unknown): Error {
  if (wsException === undefined) {
    try {
      const require = createRequire(import.meta.url);
      wsException = (require('@nestjs/websockets') as { WsException: WsExceptionConstructor })
        .WsException;
    } catch {
      wsException = null;
    }
  }
  const payload = authWsErrorPayload(mapped);
  if (wsException === null) return new HttpException(mapped.body, mapped.status, { cause });
  return new wsException({ ...payload });
}
