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
import { expectGraphqlRefusal, subscriptionRefusal, type GraphqlBody } from './graphql-refusal.js';

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

  it('answers a @Public() query without a token, with no user', async () => {
    expect(await query('{ health publicWhoami }')).toEqual({
      data: { health: 'ok', publicWhoami: null },
    });
  });

  it('gives @CurrentUser() the verified claims on a query and on a field', async () => {
    const token = await issue(['user', 'admin']);
    expect(await query('{ me { sub roles auditNote } adminReport }', token)).toEqual({
      data: {
        me: { sub: 'user-1', roles: ['user', 'admin'], auditNote: 'user-1 audited by user-1' },
        adminReport: 'report for user-1',
      },
    });
  });

  it('refuses a query without a token with UNAUTHENTICATED', async () => {
    expectGraphqlRefusal(await query('{ me { sub } }'), 'UNAUTHENTICATED', 'Missing access token');
    expect(resolverRuns.count).toBe(0);
  });

  it('refuses a forged token with UNAUTHENTICATED "Invalid access token"', async () => {
    const token = await issue(['user']);
    const forged = `${token.slice(0, -4)}AAAA`;
    expectGraphqlRefusal(
      await query('{ me { sub } }', forged),
      'UNAUTHENTICATED',
      'Invalid access token',
    );
    expectGraphqlRefusal(
      await query('{ me { sub } }', 'not-a-jwt'),
      'UNAUTHENTICATED',
      'Invalid access token',
    );
  });

  it('tells an expired token apart: "Access token expired"', async () => {
    const token = await issue(['user']);
    clock.advance(6 * 60);
    try {
      expectGraphqlRefusal(
        await query('{ me { sub } }', token),
        'UNAUTHENTICATED',
        'Access token expired',
      );
    } finally {
      clock.advance(-6 * 60);
    }
  });

  it('refuses a missing role with FORBIDDEN, on a query and on a field', async () => {
    const token = await issue(['user']);
    expectGraphqlRefusal(await query('{ adminReport }', token), 'FORBIDDEN', 'Insufficient role');
    const field = await query('{ me { sub auditNote } }', token);
    expectGraphqlRefusal(field, 'FORBIDDEN', 'Insufficient role', { partial: true });
    expect(field.errors?.[0]?.path).toEqual(['me', 'auditNote']);
  });

  it('renders the AuthErrors a resolver lets through AuthErrorFilter', async () => {
    expectGraphqlRefusal(
      await query('{ refreshWith(token: "not-a-refresh-token") }'),
      'UNAUTHENTICATED',
      'Invalid refresh token',
    );
  });

  it('refuses the token of a logged-out session', async () => {
    const pair = await tokens.issueTokens({ id: 'user-1', roles: ['user'] });
    expect(await query('{ me { sub } }', pair.accessToken)).toEqual({
      data: { me: { sub: 'user-1' } },
    });
    await tokens.logout(pair.refreshToken);
    expectGraphqlRefusal(
      await query('{ me { sub } }', pair.accessToken),
      'UNAUTHENTICATED',
      'Invalid access token',
    );
  });

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
