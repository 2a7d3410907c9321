import type { INestApplication } from '@nestjs/common';
import { GraphQLModule } from '@nestjs/graphql';
import { MercuriusDriver, type MercuriusDriverConfig } from '@nestjs/mercurius';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { createClient, type Client } from 'graphql-ws';
import { WebSocket } from 'ws';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { graphqlAuthContext } from '../../../lib/graphql/index.js';
import type { TokenService } from '../../../lib/index.js';
import { FixedClock } from '../../support/fixed-clock.js';
import { createGraphqlApp, resolverRuns } from './graphql-probe.js';
import { graphqlQueryCases } from './graphql-query-cases.js';
import { subscriptionRefusal, type GraphqlBody } from './graphql-refusal.js';

/** The results of one subscription; a refusal arrives as graphql-ws `error`, thrown. */
async function subscribe(on: Client, document = 'subscription { greetings }'): Promise<unknown[]> {
  const results: unknown[] = [];
  try {
    for await (const result of on.iterate({ query: document })) results.push(result);
  } catch (errors) {
    results.push({ errors });
  }
  return results;
}

describe('GraphQL on the Mercurius driver (Fastify)', () => {
  const clock = new FixedClock(Date.now());
  let app: INestApplication;
  let tokens: TokenService;
  let url: string;

  const query = async (document: string, token?: string): Promise<GraphqlBody> => {
    const response = await (app as NestFastifyApplication).inject({
      method: 'POST',
      url: '/graphql',
      headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
      payload: { query: document },
    });
    expect(response.headers['www-authenticate']).toBeUndefined();
    return response.json<GraphqlBody>();
  };
  const issue = async (roles: string[]): Promise<string> =>
    (await tokens.issueAccessToken({ id: 'user-1', roles })).token;

  beforeAll(async () => {
    ({ app, tokens } = await createGraphqlApp(
      GraphQLModule.forRoot<MercuriusDriverConfig>({
        driver: MercuriusDriver,
        autoSchemaFile: true,
        context: graphqlAuthContext,
        fieldResolverEnhancers: ['guards'],
        subscription: {
          onConnect: ({ payload }) => graphqlAuthContext({ connectionParams: payload }),
        },
      }),
      clock,
      (moduleRef) =>
        moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter(), {
          logger: false,
        }),
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
    const client = (connectionParams: Record<string, unknown>): Client => {
      const created = createClient({
        url,
        webSocketImpl: WebSocket,
        connectionParams,
        retryAttempts: 0,
        lazy: false,
      });
      clients.push(created);
      return created;
    };
    afterAll(async () => {
      await Promise.all(clients.map((created) => created.dispose()));
    });

    it('authenticates from connectionParams.authorization and .token', async () => {
      const token = await issue(['user']);
      const greeting = [{ data: { greetings: 'hello user-1' } }];
      expect(await subscribe(client({ authorization: `Bearer ${token}` }))).toEqual(greeting);
      expect(await subscribe(client({ token }))).toEqual(greeting);
    });

    it('refuses a subscription without a token, with a bad or expired token, or after logout', async () => {
      expect(await subscribe(client({}))).toEqual(subscriptionRefusal('Missing access token'));
      expect(await subscribe(client({ token: 'not-a-jwt' }))).toEqual(
        subscriptionRefusal('Invalid access token'),
      );
      const pair = await tokens.issueTokens({ id: 'user-1', roles: ['user'] });
      const session = client({ token: pair.accessToken });
      expect(await subscribe(session)).toEqual([{ data: { greetings: 'hello user-1' } }]);
      await tokens.logout(pair.refreshToken);
      expect(await subscribe(session)).toEqual(subscriptionRefusal('Invalid access token'));
      const token = await issue(['user']);
      clock.advance(6 * 60);
      try {
        expect(await subscribe(client({ token }))).toEqual(
          subscriptionRefusal('Access token expired'),
        );
      } finally {
        clock.advance(-6 * 60);
      }
    });

    it('never shows a @Public() subscription the claims an earlier one attached', async () => {
      const pair = await tokens.issueTokens({ id: 'user-1', roles: ['user'] });
      const session = client({ token: pair.accessToken });
      expect(await subscribe(session)).toEqual([{ data: { greetings: 'hello user-1' } }]);
      await tokens.logout(pair.refreshToken);
      expect(await subscribe(session, 'subscription { publicGreetings }')).toEqual([
        { data: { publicGreetings: 'hello anonymous' } },
      ]);
    });
  });
});
