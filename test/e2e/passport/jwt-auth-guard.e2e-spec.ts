import { Controller, Get, Module, UseGuards, type INestApplication } from '@nestjs/common';
import { AuthGuard, PassportModule } from '@nestjs/passport';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AUTH_CLOCK,
  AuthModule,
  CurrentUser,
  MemoryRefreshTokenStore,
  Roles,
  RolesGuard,
  TokenService,
} from '../../../lib/index.js';
import { JwtAuthGuard, JwtPassportStrategy } from '../../../lib/passport/index.js';
import { FixedClock } from '../../support/fixed-clock.js';
import { testAuthOptions } from '../../support/keys.js';

@Controller()
class PassportProbeController {
  @UseGuards(JwtAuthGuard)
  @Get('me')
  me(@CurrentUser('sub') sub: string): { sub: string } {
    return { sub };
  }

  @UseGuards(JwtAuthGuard, RolesGuard)
  @Roles('admin')
  @Get('admin')
  admin(): { ok: true } {
    return { ok: true };
  }

  @UseGuards(AuthGuard('jwt'))
  @Get('plain')
  plain(): { ok: true } {
    return { ok: true };
  }
}

/** The refusal a client relies on: status, RFC 6750 challenge, one body shape. */
function expectRefusal(
  response: request.Response,
  status: number,
  message: string,
  challenge: string,
): void {
  expect(response.status).toBe(status);
  expect(response.headers['www-authenticate']).toBe(challenge);
  expect(response.body).toEqual({
    statusCode: status,
    error: status === 401 ? 'Unauthorized' : 'Forbidden',
    message,
  });
}

describe("JwtAuthGuard: AuthGuard('jwt') with the module's refusals", () => {
  const clock = new FixedClock(Date.now());
  let app: INestApplication;
  let tokens: TokenService;
  const get = (path: string, token?: string) => {
    const call = request(app.getHttpServer()).get(path);
    return token === undefined ? call : call.set('Authorization', `Bearer ${token}`);
  };
  beforeAll(async () => {
    @Module({
      imports: [
        PassportModule,
        AuthModule.forRoot(
          testAuthOptions('ES256', {
            accessTokenTtl: '5m',
            refresh: {
              store: new MemoryRefreshTokenStore(),
              resolveUser: (id) => ({ id, roles: ['user'] }),
            },
          }),
        ),
      ],
      controllers: [PassportProbeController],
      providers: [JwtPassportStrategy],
    })
    class PassportProbeModule {}
    const moduleRef = await Test.createTestingModule({ imports: [PassportProbeModule] })
      .overrideProvider(AUTH_CLOCK)
      .useValue(clock)
      .compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    tokens = app.get(TokenService);
  });
  afterAll(async () => {
    await app.close();
  });

  it('lets a valid token through and attaches its claims', async () => {
    const { token } = await tokens.issueAccessToken({ id: 'user-1', roles: ['user'] });
    const response = await get('/me', token);
    expect({ status: response.status, body: response.body }).toEqual({
      status: 200,
      body: { sub: 'user-1' },
    });
  });

  it('answers no token with 401 and a bare Bearer challenge', async () => {
    expectRefusal(await get('/me'), 401, 'Missing access token', 'Bearer');
  });

  it('answers a bad token with error="invalid_token"', async () => {
    const { token } = await tokens.issueAccessToken({ id: 'user-1', roles: ['user'] });
    for (const bad of ['not-a-jwt', `${token.slice(0, -4)}AAAA`]) {
      expectRefusal(
        await get('/me', bad),
        401,
        'Invalid access token',
        'Bearer error="invalid_token"',
      );
    }
  });

  it('tells an expired token apart', async () => {
    const { token } = await tokens.issueAccessToken({ id: 'user-1', roles: ['user'] });
    clock.advance(6 * 60);
    try {
      expectRefusal(
        await get('/me', token),
        401,
        'Access token expired',
        'Bearer error="invalid_token", error_description="The access token expired"',
      );
    } finally {
      clock.advance(-6 * 60);
    }
  });

  it('refuses the token of a logged-out session', async () => {
    const pair = await tokens.issueTokens({ id: 'user-1', roles: ['user'] });
    await get('/me', pair.accessToken).expect(200);
    await tokens.logout(pair.refreshToken);
    expectRefusal(
      await get('/me', pair.accessToken),
      401,
      'Invalid access token',
      'Bearer error="invalid_token"',
    );
  });

  it('answers a missing role with 403 insufficient_scope through RolesGuard', async () => {
    const { token } = await tokens.issueAccessToken({ id: 'user-1', roles: ['user'] });
    expectRefusal(
      await get('/admin', token),
      403,
      'Insufficient role',
      'Bearer error="insufficient_scope"',
    );
    const admin = await tokens.issueAccessToken({ id: 'user-2', roles: ['admin'] });
    await get('/admin', admin.token).expect(200, { ok: true });
  });

  it("is what the plain AuthGuard('jwt') lacks: a bare 401 without a challenge", async () => {
    const response = await get('/plain', 'not-a-jwt');
    expect(response.status).toBe(401);
    expect(response.headers['www-authenticate']).toBeUndefined();
    expect(response.body).toEqual({ statusCode: 401, message: 'Unauthorized' });
  });
});
