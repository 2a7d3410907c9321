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
  handshake?: TokenCarrier & { auth?: unknown };
  request?: TokenCarrier;
}

const socketCarriers = new WeakMap<object, AuthenticatableRequest>();

/**
 * The token carrier of a socket: its handshake (socket.io) or upgrade request (`ws`), with
 * socket.io's `auth.token` (what browsers send: they cannot set headers on a WebSocket) as
 * its `Authorization` header. One per socket and not the handshake itself, so the claims a
 * guard attaches never land on an object the app or socket.io hands around.
 */
export function socketCarrier(client: WsClient): AuthenticatableRequest | undefined {
  let carrier = socketCarriers.get(client);
  if (carrier !== undefined) return carrier;
  const source = client.handshake ?? client.request;
  if (source === undefined) return undefined;
  const token = (client.handshake?.auth as { token?: unknown } | undefined)?.token;
  const headers = { ...source.headers };
  if (typeof token === 'string' && token.length > 0) {
    const header = /^bearer\s/i.test(token) ? token : `Bearer ${token}`;
    // RFC 6750 section 2: one method only. Two different tokens leave no readable header, so
    // the socket is refused instead of one of them being picked.
    const sent = headers.authorization;
    headers.authorization = sent === undefined || sent === header ? header : [String(sent), header];
  }
  carrier = { headers, query: source.query };
  socketCarriers.set(client, carrier);
  return carrier;
}

/**
 * The request of any execution context: HTTP (Express or Fastify), GraphQL (the context's `req`,
 * as `@nestjs/graphql` sets it on Express; `request`, or `reply.request` with Mercurius, on
 * Fastify) or WebSocket (a carrier per socket built from socket.io's `handshake`, its
 * `auth.token` included, or `client.request` for `ws`). Reading the context by position keeps
 * GraphQL and WebSocket packages optional.
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
    case 'ws':
      return socketCarrier(context.getArgByIndex<WsClient>(0));
    default:
      return undefined;
  }
}
