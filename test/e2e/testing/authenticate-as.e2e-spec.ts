import { Controller, Get, Module, type INestApplication, UseGuards } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AccessTokenGuard,
  AuthModule,
  CurrentUser,
  type AccessTokenClaims,
} from '../../../lib/index.js';
import { authenticateAs, mintAccessToken } from '../../../lib/testing/index.js';
import {
  CLASS_ROLE,
  decoratorMixControllers,
  METHOD_ROLE,
  mixPath,
} from '../../support/decorator-mix-controllers.js';
import {
  ACCESS_TOKEN_GUARD_STATUS,
  DECORATOR_MIXES,
  mixLabel,
  routeAccess,
  type Caller,
} from '../../support/decorator-rule-table.js';
import { testAuthOptions } from '../../support/keys.js';

/** The fake callers: anonymous, and one per role the table's routes require or not. */
const SUBJECTS = [null, 'user', CLASS_ROLE, METHOD_ROLE] as const;

/** The role a route of the table requires: the method's `@Roles()` replaces the class's. */
function requiredRole(
  classMix: (typeof DECORATOR_MIXES)[number],
  methodMix: (typeof DECORATOR_MIXES)[number],
): string | null {
  if (methodMix.includes('R')) return METHOD_ROLE;
  return classMix.includes('R') ? CLASS_ROLE : null;
}

function callerOf(role: string | null, required: string | null): Caller {
  if (role === null) return 'anonymous';
  return required === null || role === required ? 'withRole' : 'withoutRole';
}

@Controller('profile')
class ProfileController {
  @Get()
  profile(@CurrentUser() user: AccessTokenClaims) {
    return { sub: user.sub, roles: user.roles, sid: user.sid ?? null };
  }
}

@Controller('guarded')
@UseGuards(AccessTokenGuard)
class LocallyGuardedController {
  @Get()
  guarded(@CurrentUser() user: AccessTokenClaims) {
    return { sub: user.sub };
  }
}

/** The app, with its global guard replaced by `guard` (`null`: the real AccessTokenGuard). */
async function appWith(
  guard: ReturnType<typeof authenticateAs> | null,
  how: 'overrideProvider' | 'overrideGuard',
): Promise<INestApplication> {
  // As the README tells apps to register the global guard: an alias of the module's provider,
  // so that a test can replace it.
  @Module({
    imports: [AuthModule.forRoot({ ...testAuthOptions(), isGlobal: true })],
    controllers: [
      ...decoratorMixControllers(),
      ...(how === 'overrideProvider' ? [ProfileController] : [LocallyGuardedController]),
    ],
    providers:
      how === 'overrideProvider' ? [{ provide: APP_GUARD, useExisting: AccessTokenGuard }] : [],
  })
  class AppModule {}
  const builder = Test.createTestingModule({ imports: [AppModule] });
  const moduleRef = await (
    guard === null
      ? builder
      : how === 'overrideProvider'
        ? builder.overrideProvider(AccessTokenGuard).useValue(guard)
        : builder.overrideGuard(AccessTokenGuard).useValue(guard)
  ).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  await app.init();
  return app;
}

/** What a caller of the route requiring METHOD_ROLE gets from `app`. */
async function answer(app: INestApplication, token?: string) {
  const call = request(app.getHttpServer()).get(mixPath(0, 3));
  const response = await (token === undefined ? call : call.auth(token, { type: 'bearer' }));
  return {
    status: response.status,
    body: response.body as unknown,
    challenge: response.headers['www-authenticate'],
  };
}

describe('authenticateAs, in place of the global AccessTokenGuard', () => {
  describe.each(SUBJECTS)('as a caller with role %s (null: anonymous)', (role) => {
    let app: INestApplication;

    beforeAll(async () => {
      app = await appWith(
        authenticateAs(role === null ? null : { id: `u-${role}`, roles: [role] }),
        'overrideProvider',
      );
    });

    afterAll(async () => {
      await app.close();
    });

    it('answers every decorator mix as the rule table says, without a token', async () => {
      const expected: string[] = [];
      const actual: string[] = [];
      for (const [classIndex, classMix] of DECORATOR_MIXES.entries()) {
        for (const [methodIndex, methodMix] of DECORATOR_MIXES.entries()) {
          const access = routeAccess(classMix, methodMix);
          const caller = callerOf(role, requiredRole(classMix, methodMix));
          const status = ACCESS_TOKEN_GUARD_STATUS[access][caller];
          // Like the real guard, a public route is not authenticated: no user is attached.
          const user = caller === 'anonymous' || access === 'public' ? null : `u-${role}`;
          const label = `${mixLabel(classMix)} / ${mixLabel(methodMix)}`;
          expected.push(`${label}: ${status === 200 ? `200 ${user}` : status}`);
          const response = await request(app.getHttpServer()).get(mixPath(classIndex, methodIndex));
          actual.push(
            `${label}: ${response.status === 200 ? `200 ${(response.body as { user: string | null }).user}` : response.status}`,
          );
        }
      }
      expect(actual).toEqual(expected);
    });
  });

  it('refuses as the real guard does: the same status, body and WWW-Authenticate', async () => {
    const real = await appWith(null, 'overrideProvider');
    const anonymous = await appWith(authenticateAs(null), 'overrideProvider');
    const user = await appWith(authenticateAs({ id: 'u-1', roles: ['user'] }), 'overrideProvider');
    try {
      expect(await answer(anonymous)).toEqual(await answer(real));
      const userToken = await mintAccessToken(real, { id: 'u-1', roles: ['user'] });
      const refused = await answer(real, userToken);
      expect(refused.status).toBe(403);
      expect(await answer(user)).toEqual(refused);
    } finally {
      for (const app of [real, anonymous, user]) await app.close();
    }
  });

  it('attaches the subject’s claims, with the extra claims given, for @CurrentUser()', async () => {
    const app = await appWith(
      authenticateAs({ id: 42, roles: ['admin'] }, { sid: 'session-1', sub: 'ignored' }),
      'overrideProvider',
    );
    try {
      const response = await request(app.getHttpServer()).get('/profile').expect(200);
      expect(response.body).toEqual({ sub: '42', roles: ['admin'], sid: 'session-1' });
    } finally {
      await app.close();
    }
  });

  it('replaces a guard put on controllers with @UseGuards through overrideGuard', async () => {
    const app = await appWith(authenticateAs({ id: 'u-7' }), 'overrideGuard');
    try {
      await request(app.getHttpServer()).get('/guarded').expect(200).expect({ sub: 'u-7' });
    } finally {
      await app.close();
    }
  });
});
