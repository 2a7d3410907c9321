import type { ExecutionContext } from '@nestjs/common';
import type { AccessTokenClaims } from '../access-token/access-token-claims.js';
import type { TokenCarrier } from '../options/auth-module-options.js';

/** The object a guard reads the token from and attaches the user to. */
export type AuthenticatableRequest = TokenCarrier & { user?: AccessTokenClaims };

/** The GraphQL context as the drivers build it: `req` (Apollo on Express, the Nest default),
 * `request` (Apollo on Fastify) or only `reply` (Mercurius, whose reply holds the request). */
interface GraphqlContext {
  req?: AuthenticatableRequest;
  request?: AuthenticatableRequest;
  reply?: { request?: AuthenticatableRequest };
}

interface WsClient {
  handshake?: AuthenticatableRequest;
  request?: AuthenticatableRequest;
}

/**
 * The request of any execution context: HTTP (Express or Fastify), GraphQL (the context's `req`,
 * as `@nestjs/graphql` sets it on Express; `request`, or `reply.request` with Mercurius, on
 * Fastify) or WebSocket (socket.io's `handshake`, or `client.request` for `ws`). Reading the
 * context by position keeps GraphQL and WebSocket packages optional.
 *
 * @example
 * const request = getRequest(context); // undefined in an RPC context
 */
export function getRequest(context: ExecutionContext): AuthenticatableRequest | undefined {
  switch (context.getType<string>()) {
    // Arguments read by position: `switchToHttp()`/`switchToWs()` allocate three closures per
    // call, and this runs on every guarded request.
    case 'http':
      return context.getArgByIndex<AuthenticatableRequest>(0);
    case 'graphql': {
      const graphqlContext = context.getArgByIndex<GraphqlContext | undefined>(2);
      return graphqlContext?.req ?? graphqlContext?.request ?? graphqlContext?.reply?.request;
    }
    case 'ws': {
      const client = context.getArgByIndex<WsClient>(0);
      return client.handshake ?? client.request;
    }
    default:
      return undefined;
  }
}
