import type { AuthenticatableRequest } from '../guards/get-request.js';

/** What a GraphQL context built by {@link graphqlAuthContext} holds: the request to authenticate. */
export interface GraphqlAuthContext {
  readonly req: AuthenticatableRequest;
  readonly res?: unknown;
}

interface HttpContextInput {
  req: AuthenticatableRequest;
  res?: unknown;
}

interface GraphqlWsContextInput {
  connectionParams?: Readonly<Record<string, unknown>>;
}

/**
 * The token carrier of a graphql-ws operation: `connectionParams.authorization` (or
 * `Authorization`), else `connectionParams.token` as a Bearer token. The upgrade request's
 * headers are not read: browsers cannot set them on a WebSocket.
 */
export function connectionParamsCarrier(
  connectionParams: Readonly<Record<string, unknown>> | undefined,
): AuthenticatableRequest {
  const header = connectionParams?.authorization ?? connectionParams?.Authorization;
  const token = connectionParams?.token;
  let authorization: string | undefined;
  if (typeof header === 'string') authorization = header;
  else if (typeof token === 'string' && token.length > 0)
    authorization = /^bearer\s/i.test(token) ? token : `Bearer ${token}`;
  return { headers: authorization === undefined ? {} : { authorization } };
}

/**
 * The `context` option of `GraphQLModule` that lets `AccessTokenGuard`, `@Roles()` and
 * `@CurrentUser()` work for queries, mutations and graphql-ws subscriptions alike: HTTP
 * operations keep their request (`{ req, res }` on Express, the Fastify request on Fastify);
 * a subscription gets a request of its own built from the connection parameters, fresh for
 * every operation, so claims never carry over from one operation to the next.
 *
 * @example
 * ```ts
 * GraphQLModule.forRoot<ApolloDriverConfig>({
 *   driver: ApolloDriver,
 *   autoSchemaFile: true,
 *   subscriptions: { 'graphql-ws': true },
 *   context: graphqlAuthContext,
 * })
 * ```
 */
export function graphqlAuthContext(input: unknown): GraphqlAuthContext {
  const value = input as Partial<HttpContextInput> & GraphqlWsContextInput;
  if (value.req !== undefined) return { req: value.req, res: value.res };
  if ('connectionParams' in value || !('headers' in value))
    return { req: connectionParamsCarrier(value.connectionParams) };
  return { req: input as AuthenticatableRequest };
}
