import { Module, type DynamicModule, type INestApplication } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import {
  Args,
  Field,
  ObjectType,
  Parent,
  Query,
  ResolveField,
  Resolver,
  Subscription,
} from '@nestjs/graphql';
import { Test } from '@nestjs/testing';
import {
  AccessTokenGuard,
  AUTH_CLOCK,
  AuthErrorFilter,
  AuthModule,
  CurrentUser,
  MemoryRefreshTokenStore,
  Public,
  Roles,
  TokenService,
  type AccessTokenClaims,
} from '../../../lib/index.js';
import { FixedClock } from '../../support/fixed-clock.js';
import { testAuthOptions } from '../../support/keys.js';

/** Counts resolver runs, so tests can assert a refused operation never reached its resolver. */
export const resolverRuns = { count: 0 };

@ObjectType()
class Viewer {
  @Field(() => String)
  sub!: string;

  @Field(() => [String])
  roles!: string[];
}

@Resolver(() => Viewer)
class ProbeResolver {
  constructor(private readonly tokens: TokenService) {}

  @Public()
  @Query(() => String)
  async refreshWith(@Args('token') token: string): Promise<string> {
    return (await this.tokens.refresh(token)).accessToken;
  }

  @Public()
  @Query(() => String)
  health(): string {
    resolverRuns.count += 1;
    return 'ok';
  }

  @Public()
  @Query(() => String, { nullable: true })
  publicWhoami(@CurrentUser('sub') sub: string | undefined): string | null {
    resolverRuns.count += 1;
    return sub ?? null;
  }

  @Query(() => Viewer)
  me(@CurrentUser() user: AccessTokenClaims): Viewer {
    resolverRuns.count += 1;
    return { sub: user.sub, roles: user.roles as string[] };
  }

  @Roles('admin')
  @Query(() => String)
  adminReport(@CurrentUser('sub') sub: string): string {
    resolverRuns.count += 1;
    return `report for ${sub}`;
  }

  @Roles('admin')
  @ResolveField(() => String)
  auditNote(@Parent() viewer: Viewer, @CurrentUser('sub') sub: string): string {
    resolverRuns.count += 1;
    return `${viewer.sub} audited by ${sub}`;
  }

  @Public()
  @Subscription(() => String)
  publicGreetings(@CurrentUser('sub') sub: string | undefined): AsyncIterator<{
    publicGreetings: string;
  }> {
    async function* one(): AsyncGenerator<{ publicGreetings: string }> {
      yield { publicGreetings: `hello ${sub ?? 'anonymous'}` };
    }
    return one();
  }

  @Subscription(() => String)
  greetings(@CurrentUser('sub') sub: string): AsyncIterator<{ greetings: string }> {
    resolverRuns.count += 1;
    async function* one(): AsyncGenerator<{ greetings: string }> {
      yield { greetings: `hello ${sub}` };
    }
    return one();
  }
}

/** A GraphQL app: AuthModule with refresh sessions in memory, the global guard, the probe. */
export async function createGraphqlApp(
  graphqlModule: DynamicModule,
  clock: FixedClock,
  create: (
    moduleRef: Awaited<ReturnType<ReturnType<typeof Test.createTestingModule>['compile']>>,
  ) => INestApplication,
): Promise<{ app: INestApplication; tokens: TokenService }> {
  @Module({
    imports: [
      AuthModule.forRoot(
        testAuthOptions('ES256', {
          accessTokenTtl: '5m',
          refresh: {
            store: new MemoryRefreshTokenStore(),
            resolveUser: (id) => ({ id, roles: ['user'] }),
          },
        }),
      ),
      graphqlModule,
    ],
    providers: [
      ProbeResolver,
      { provide: APP_GUARD, useClass: AccessTokenGuard },
      { provide: APP_FILTER, useClass: AuthErrorFilter },
    ],
  })
  class GraphqlProbeModule {}

  const moduleRef = await Test.createTestingModule({ imports: [GraphqlProbeModule] })
    .overrideProvider(AUTH_CLOCK)
    .useValue(clock)
    .compile();
  const app = create(moduleRef);
  return { app, tokens: app.get(TokenService) };
}
