import type { INestApplication } from '@nestjs/common';
import { GraphQLModule } from '@nestjs/graphql';
import { MercuriusDriver, type MercuriusDriverConfig } from '@nestjs/mercurius';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { graphqlAuthContext } from '../../../lib/graphql/index.js';
import type { TokenService } from '../../../lib/index.js';
import { FixedClock } from '../../support/fixed-clock.js';
import { createGraphqlApp, resolverRuns } from './graphql-probe.js';
import { expectGraphqlRefusal, type GraphqlBody } from './graphql-refusal.js';

describe('GraphQL on the Mercurius driver (Fastify)', () => {
  const clock = new FixedClock(Date.now());
  let app: INestApplication;
  let tokens: TokenService;

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
      }),
      clock,
      (moduleRef) =>
        moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter(), {
          logger: false,
        }),
    ));
    await app.init();
    await (app as NestFastifyApplication).getHttpAdapter().getInstance().ready();
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
});
