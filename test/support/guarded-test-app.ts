import {
  Controller,
  Get,
  Module,
  type DynamicModule,
  type INestApplication,
  type Provider,
  type Type,
} from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import {
  AccessTokenGuard,
  AUTH_CLOCK,
  AuthModule,
  CurrentUser,
  JwksController,
  OptionalAuth,
  Public,
  Roles,
  type AccessTokenClaims,
  type AuthModuleOptions,
  type Clock,
} from '../../lib/index.js';

/** Counts handler runs, so tests can assert a refused request never reached its handler. */
export const handlerRuns = { count: 0 };

@Controller()
class ProbeController {
  @Public()
  @Get('health')
  health(): { status: string } {
    handlerRuns.count += 1;
    return { status: 'ok' };
  }

  @Get('me')
  me(@CurrentUser() user: AccessTokenClaims): AccessTokenClaims {
    handlerRuns.count += 1;
    return user;
  }

  @Get('me/sub')
  sub(@CurrentUser('sub') sub: string): { sub: string } {
    handlerRuns.count += 1;
    return { sub };
  }

  @OptionalAuth()
  @Get('maybe')
  maybe(@CurrentUser() user: AccessTokenClaims | undefined): { user: string | null } {
    handlerRuns.count += 1;
    return { user: user?.sub ?? null };
  }
}

@Roles('admin')
@Controller('admin')
class AdminProbeController {
  @Get()
  admin(): { ok: true } {
    handlerRuns.count += 1;
    return { ok: true };
  }

  @Roles('support', 'auditor')
  @Get('tickets')
  tickets(): { ok: true } {
    handlerRuns.count += 1;
    return { ok: true };
  }
}

/** Which HTTP engine a test app runs on. */
export type HttpEngine = 'express' | 'fastify';

/**
 * Boots AuthModule with a global AccessTokenGuard and probe routes (`/health` public, `/me`,
 * `/me/sub`, `/maybe` optional, `/admin` role admin, `/admin/tickets` support or auditor,
 * `/.well-known/jwks.json`) on the given engine. `extra.globalGuard: false` leaves the guards to
 * the `@UseGuards()` of `extra.controllers` (the probe routes are then unguarded).
 */
export async function createGuardedTestApp(
  options: AuthModuleOptions,
  engine: HttpEngine = 'express',
  extra: {
    clock?: Clock;
    providers?: Provider[];
    imports?: (Type | DynamicModule)[];
    controllers?: Type[];
    globalGuard?: boolean;
  } = {},
): Promise<INestApplication> {
  const globalGuard: Provider[] =
    extra.globalGuard === false ? [] : [{ provide: APP_GUARD, useClass: AccessTokenGuard }];
  @Module({
    imports: [AuthModule.forRoot(options), ...(extra.imports ?? [])],
    controllers: [
      ProbeController,
      AdminProbeController,
      JwksController,
      ...(extra.controllers ?? []),
    ],
    providers: [...globalGuard, ...(extra.providers ?? [])],
  })
  class GuardedTestModule {}

  let builder = Test.createTestingModule({ imports: [GuardedTestModule] });
  if (extra.clock) builder = builder.overrideProvider(AUTH_CLOCK).useValue(extra.clock);
  const moduleRef = await builder.compile();
  const app =
    engine === 'fastify'
      ? moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter(), {
          logger: false,
        })
      : moduleRef.createNestApplication({ logger: false });
  await app.init();
  if (engine === 'fastify')
    await (app as NestFastifyApplication).getHttpAdapter().getInstance().ready();
  return app;
}
