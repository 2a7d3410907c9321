import type { ExecutionContext } from '@nestjs/common';
import type { AccessTokenClaims } from '../access-token/access-token-claims.js';
import type { TokenCarrier } from '../options/auth-module-options.js';

/** The object a guard reads the token from and attaches the user to. */
export type AuthenticatableRequest = TokenCarrier & { user?: AccessTokenClaims };

interface WsClient {
  handshake?: AuthenticatableRequest;
  request?: AuthenticatableRequest;
}

/**
 * The request of any execution context: HTTP (Express or Fastify), GraphQL (the context's `req`,
 * as `@nestjs/graphql` sets it) or WebSocket (socket.io's `handshake`, or `client.request` for
 * `ws`). Reading the context by position keeps GraphQL and WebSocket packages optional.
 */
export function getRequest(context: ExecutionContext): AuthenticatableRequest | undefined {
  switch (context.getType<string>()) {
    case 'http':
      return context.switchToHttp().getRequest<AuthenticatableRequest>();
    case 'graphql': {
      const graphqlContext = context.getArgByIndex<{ req?: AuthenticatableRequest } | undefined>(2);
      return graphqlContext?.req;
    }
    case 'ws': {
      const client = context.switchToWs().getClient<WsClient>();
      return client.handshake ?? client.request;
    }
    default:
      return undefined;
  }
}
