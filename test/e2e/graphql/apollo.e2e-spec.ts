import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import type { INestApplication } from '@nestjs/common';
import { GraphQLModule } from '@nestjs/graphql';
import { createClient, type Client } from 'graphql-ws';
import request from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { graphqlAuthContext } from '../../../lib/graphql/index.js';
import type { TokenService } from '../../../lib/index.js';
import { FixedClock } from '../../support/fixed-clock.js';
import { createGraphqlApp, resolverRuns } from './graphql-probe.js';
import { graphqlQueryCases } from './graphql-query-cases.js';
import { subscriptionRefusal, type GraphqlBody } from './graphql-refusal.js';

describe('GraphQL on the Apollo driver (Express)', () => {
  const clock = new FixedClock(Date.now());
  let app: INestApplication;
  let tokens: TokenService;
  let url: string;

  const query = async (document: string, token?: string): Promise<GraphqlBody> => {
    const call = request(app.getHttpServer()).post('/graphql').send({ query: document });
    if (token !== undefined) call.set('Authorization', `Bearer ${token}`);
    const response = await call;
    expect(response.headers['www-authenticate']).toBeUndefined();
    return response.body as GraphqlBody;
  };
  const issue = async (roles: string[]): Promise<string> =>
    (await tokens.issueAccessToken({ id: 'user-1', roles })).token;

  beforeAll(async () => {
    ({ app, tokens } = await createGraphqlApp(
      GraphQLModule.forRoot<ApolloDriverConfig>({
        driver: ApolloDriver,
        autoSchemaFile: true,
        subscriptions: { 'graphql-ws': true },
        context: graphqlAuthContext,
        fieldResolverEnhancers: ['guards'],
        // What a developer sees (Apollo's default outside NODE_ENV production and test).
        includeStacktraceInErrorResponses: true,
      }),
      clock,
      (moduleRef) => moduleRef.createNestApplication({ logger: false }),
    ));
    await app.listen(0, '127.0.0.1');
    url = `ws://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}/graphql`;
  });
  afterAll(async () => {
    await app.close();
  });
  beforeEach(() => {
    resolverRuns.count = 0;
  });

  graphqlQueryCases({ query, issue, tokens: () => tokens, clock });

  describe('subscriptions over graphql-ws', () => {
    const clients: Client[] = [];
    const subscribe = async (connectionParams: Record<string, unknown>): Promise<unknown[]> => {
      const client = createClient({
        url,
        webSocketImpl: WebSocket,
        connectionParams,
        retryAttempts: 0,
      });
      clients.push(client);
      const results: unknown[] = [];
      for await (const result of client.iterate({ query: 'subscription { greetings }' }))
        results.push(result);
      return results;
    };
    afterAll(async () => {
      await Promise.all(clients.map((client) => client.dispose()));
    });

    it('authenticates from connectionParams.authorization and .token', async () => {
      const token = await issue(['user']);
      expect(await subscribe({ authorization: `Bearer ${token}` })).toEqual([
        { data: { greetings: 'hello user-1' } },
      ]);
      expect(await subscribe({ token })).toEqual([{ data: { greetings: 'hello user-1' } }]);
    });

    it('refuses a subscription without a token, with a bad or expired token, or after logout', async () => {
      await expect(subscribe({})).resolves.toEqual(subscriptionRefusal('Missing access token'));
      await expect(subscribe({ token: 'not-a-jwt' })).resolves.toEqual(
        subscriptionRefusal('Invalid access token'),
      );
      const pair = await tokens.issueTokens({ id: 'user-1', roles: ['user'] });
      await tokens.logout(pair.refreshToken);
      await expect(subscribe({ token: pair.accessToken })).resolves.toEqual(
        subscriptionRefusal('Invalid access token'),
      );
      const token = await issue(['user']);
      clock.advance(6 * 60);
      try {
        await expect(subscribe({ token })).resolves.toEqual(
          subscriptionRefusal('Access token expired'),
        );
      } finally {
        clock.advance(-6 * 60);
      }
      expect(resolverRuns.count).toBe(0);
    });
  });
});
