import { readFileSync } from 'node:fs';
import { Injectable, type INestApplication, type Type, type CanActivate } from '@nestjs/common';
import { AuthGuard, PassportModule } from '@nestjs/passport';
import { exportPKCS8, generateKeyPair } from 'jose';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RolesGuard, TokenService, type AuthModuleOptions } from '../../../lib/index.js';
import { JwtPassportStrategy } from '../../../lib/passport/index.js';
import {
  CLASS_ROLE,
  decoratorMixControllers,
  METHOD_ROLE,
  mixPath,
} from '../../support/decorator-mix-controllers.js';
import {
  ACCESS_TOKEN_GUARD_STATUS,
  CALLERS,
  DECORATOR_MIXES,
  decoratorRuleTable,
  mixLabel,
  readMarkdownTable,
  routeAccess,
  type Caller,
  type RouteAccess,
} from '../../support/decorator-rule-table.js';
import { createGuardedTestApp, type HttpEngine } from '../../support/guarded-test-app.js';

/** `AuthGuard('jwt')` as apps write it to let anonymous callers on: `user` is then `false`. */
@Injectable()
class AnonymousAdmittingJwtGuard extends AuthGuard('jwt') {
  override handleRequest<T>(error: unknown, user: T): T {
    if (error) throw error;
    return user;
  }
}

/** A guard set under test and what the table says it answers. */
interface GuardStack {
  readonly name: string;
  readonly guards: readonly Type<CanActivate>[] | null;
  status(access: RouteAccess, caller: Caller): number;
  /** Whether the handler sees the caller's claims on a 200. */
  seesUser(access: RouteAccess, caller: Caller): boolean;
}

const table = (access: RouteAccess, caller: Caller): number =>
  ACCESS_TOKEN_GUARD_STATUS[access][caller];

const STACKS: readonly GuardStack[] = [
  {
    name: 'AccessTokenGuard (global)',
    guards: null,
    status: table,
    // A @Public() route is not authenticated: the token is not even read.
    seesUser: (access, caller) => caller !== 'anonymous' && access !== 'public',
  },
  {
    // AuthGuard('jwt') reads no decorator: it refuses every anonymous caller itself.
    name: "@UseGuards(AuthGuard('jwt'), RolesGuard)",
    guards: [AuthGuard('jwt'), RolesGuard],
    status: (access, caller) => (caller === 'anonymous' ? 401 : table(access, caller)),
    seesUser: (_access, caller) => caller !== 'anonymous',
  },
  {
    // RolesGuard alone decides: it admits every caller to a route without a role requirement.
    name: 'an anonymous-admitting AuthGuard("jwt"), then RolesGuard',
    guards: [AnonymousAdmittingJwtGuard, RolesGuard],
    status: (access, caller) => (access === 'role' ? table(access, caller) : 200),
    seesUser: (_access, caller) => caller !== 'anonymous',
  },
];

/** The roles of the caller's token on a route: the route's effective role, or another one. */
function callerRoles(
  classMix: (typeof DECORATOR_MIXES)[number],
  methodMix: (typeof DECORATOR_MIXES)[number],
  caller: Caller,
): string | null {
  if (caller === 'anonymous') return null;
  // The method's @Roles() replaces the class's: the class role alone does not admit.
  const effective = methodMix.includes('R')
    ? METHOD_ROLE
    : classMix.includes('R')
      ? CLASS_ROLE
      : 'user';
  if (caller === 'withRole') return effective;
  return effective === METHOD_ROLE ? CLASS_ROLE : effective === CLASS_ROLE ? METHOD_ROLE : 'user';
}

/** One cell as the test writes it: the status, and on a 200 whose claims the handler saw. */
const cell = (status: number, user: string | null): string =>
  status === 200 ? `200(${user ?? 'no user'})` : String(status);

async function options(): Promise<AuthModuleOptions> {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  return {
    issuer: 'https://auth.test',
    audience: 'test-api',
    keys: [{ kid: 'k1', privateKey: await exportPKCS8(privateKey) }],
  };
}

describe('the decorator rule table', () => {
  it('is the one the README states in "Guards and decorators"', () => {
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    expect(readMarkdownTable(readme)).toEqual(decoratorRuleTable());
  });
});

describe.each<HttpEngine>(['express', 'fastify'])('every decorator mix on %s', (engine) => {
  describe.each(STACKS)('behind $name', (stack) => {
    let app: INestApplication;
    const tokens = new Map<string, string>();

    beforeAll(async () => {
      app = await createGuardedTestApp(await options(), engine, {
        controllers: decoratorMixControllers(stack.guards ?? []),
        ...(stack.guards === null
          ? {}
          : { globalGuard: false, imports: [PassportModule], providers: [JwtPassportStrategy] }),
      });
      const service = app.get(TokenService);
      for (const role of [CLASS_ROLE, METHOD_ROLE, 'user']) {
        tokens.set(role, (await service.issueAccessToken({ id: role, roles: [role] })).token);
      }
    });
    afterAll(async () => {
      await app?.close();
    });

    it.each(DECORATOR_MIXES.map((mix, index) => ({ mix, index, label: mixLabel(mix) })))(
      'answers the table on the row of a controller with $label',
      async ({ mix: classMix, index: classIndex }) => {
        const actual: Record<string, string[]> = {};
        const expected: Record<string, string[]> = {};
        for (const [methodIndex, methodMix] of DECORATOR_MIXES.entries()) {
          const access = routeAccess(classMix, methodMix);
          const label = mixLabel(methodMix);
          actual[label] = [];
          expected[label] = [];
          for (const caller of CALLERS) {
            const role = callerRoles(classMix, methodMix, caller);
            let call = request(app.getHttpServer()).get(mixPath(classIndex, methodIndex));
            if (role !== null) call = call.auth(tokens.get(role)!, { type: 'bearer' });
            const response = await call;
            actual[label].push(cell(response.status, response.body?.user ?? null));
            expected[label].push(
              cell(stack.status(access, caller), stack.seesUser(access, caller) ? role : null),
            );
          }
        }
        expect(actual).toEqual(expected);
      },
    );
  });
});
