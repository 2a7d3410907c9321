import { expect, it } from 'vitest';
import type { TokenService } from '../../../lib/index.js';
import type { FixedClock } from '../../support/fixed-clock.js';
import { resolverRuns } from './graphql-probe.js';
import { expectGraphqlRefusal, type GraphqlBody } from './graphql-refusal.js';

/** What a driver's spec gives the shared cases: its app's HTTP query and token issuing. */
export interface GraphqlDriverUnderTest {
  readonly query: (document: string, token?: string) => Promise<GraphqlBody>;
  readonly issue: (roles: string[]) => Promise<string>;
  readonly tokens: () => TokenService;
  readonly clock: FixedClock;
}

/**
 * The queries and fields every GraphQL driver must answer alike (Apollo on Express, Mercurius
 * on Fastify): one suite, run by each driver's spec.
 */
export function graphqlQueryCases(driver: GraphqlDriverUnderTest): void {
  const { query, issue, clock } = driver;
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
    const pair = await driver.tokens().issueTokens({ id: 'user-1', roles: ['user'] });
    expect(await query('{ me { sub } }', pair.accessToken)).toEqual({
      data: { me: { sub: 'user-1' } },
    });
    await driver.tokens().logout(pair.refreshToken);
    expectGraphqlRefusal(
      await query('{ me { sub } }', pair.accessToken),
      'UNAUTHENTICATED',
      'Invalid access token',
    );
  });
}
