import { Controller, Get, Injectable, Module, UseGuards } from '@nestjs/common';
import { AuthGuard, PassportModule } from '@nestjs/passport';
import { Test } from '@nestjs/testing';
import { exportPKCS8, generateKeyPair, SignJWT } from 'jose';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import {
  AuthConfigurationError,
  AuthModule,
  CurrentUser,
  Roles,
  RolesGuard,
  TokenService,
  type AccessTokenClaims,
  type AuthModuleOptions,
  type AuthOptionsFactory,
} from '../../../lib/index.js';
import { JwtPassportStrategy } from '../../../lib/passport/index.js';

const { privateKey } = await generateKeyPair('EdDSA', { extractable: true });
const pem = await exportPKCS8(privateKey);

@Injectable()
class AppConfig {
  readonly issuer = 'https://issuer.test';
}

@Module({ providers: [AppConfig], exports: [AppConfig] })
class AppConfigModule {}

@Injectable()
class AuthOptionsFromConfig implements AuthOptionsFactory {
  constructor(private readonly config: AppConfig) {}
  createAuthOptions(): AuthModuleOptions {
    return {
      issuer: this.config.issuer,
      audience: 'api',
      algorithm: 'EdDSA',
      keys: [{ privateKey: pem }],
    };
  }
}

async function roundTrip(tokens: TokenService): Promise<AccessTokenClaims> {
  const { token } = await tokens.issueAccessToken({ id: 7, roles: ['user'] });
  return tokens.verifyAccessToken(token);
}

describe('AuthModule set-up', () => {
  it('builds from forRootAsync with useFactory and inject', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        AuthModule.forRootAsync({
          imports: [AppConfigModule],
          inject: [AppConfig],
          useFactory: async (config: AppConfig) => ({
            issuer: config.issuer,
            audience: 'api',
            algorithm: 'EdDSA',
            keys: [{ privateKey: pem }],
          }),
        }),
      ],
    }).compile();
    const claims = await roundTrip(moduleRef.get(TokenService));
    expect(claims).toMatchObject({ iss: 'https://issuer.test', sub: '7', roles: ['user'] });
    await moduleRef.close();
  });

  it('builds from forRootAsync with useClass', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        AuthModule.forRootAsync({ imports: [AppConfigModule], useClass: AuthOptionsFromConfig }),
      ],
    }).compile();
    expect((await roundTrip(moduleRef.get(TokenService))).iss).toBe('https://issuer.test');
    await moduleRef.close();
  });

  it('refuses to start with invalid options, listing every problem at once', async () => {
    const attempt = Test.createTestingModule({
      imports: [
        AuthModule.forRoot({
          issuer: '',
          audience: [],
          accessTokenTtl: '900',
          keys: [{ algorithm: 'HS256', secret: 'too-short' }],
        }),
      ],
    }).compile();
    const error = await attempt.then(
      () => null,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(AuthConfigurationError);
    const problems = (error as AuthConfigurationError).problems.join('\n');
    expect((error as AuthConfigurationError).code).toBe('ERR_AUTH_CONFIGURATION');
    expect(problems).toMatch(/issuer/);
    expect(problems).toMatch(/audience/);
    expect(problems).toMatch(/accessTokenTtl/);
    expect(problems).toMatch(/secret/);
  });

  it('serves AuthGuard("jwt") through the same jose verification, with RolesGuard after it', async () => {
    @Controller()
    class PassportController {
      @UseGuards(AuthGuard('jwt'))
      @Get('me')
      me(@CurrentUser('sub') sub: string): { sub: string } {
        return { sub };
      }

      @UseGuards(AuthGuard('jwt'), RolesGuard)
      @Roles('admin')
      @Get('admin')
      admin(): { ok: true } {
        return { ok: true };
      }
    }
    const moduleRef = await Test.createTestingModule({
      imports: [
        PassportModule,
        AuthModule.forRoot({
          issuer: 'https://issuer.test',
          audience: 'api',
          algorithm: 'EdDSA',
          keys: [{ privateKey: pem }],
        }),
      ],
      controllers: [PassportController],
      providers: [JwtPassportStrategy],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    try {
      const tokens = app.get(TokenService);
      const user = (await tokens.issueAccessToken({ id: 'u1', roles: ['user'] })).token;
      await request(app.getHttpServer())
        .get('/me')
        .auth(user, { type: 'bearer' })
        .expect(200, { sub: 'u1' });
      await request(app.getHttpServer()).get('/me').expect(401);
      // Correctly signed, but typed "JWT": passport-jwt's jsonwebtoken check would accept it;
      // the jose path requires at+jwt (RFC 9068 section 4).
      const claims = await tokens.verifyAccessToken(user);
      const untyped = await new SignJWT({ ...claims, aud: 'api' })
        .setProtectedHeader({ alg: 'EdDSA', typ: 'JWT', kid: tokens.getJwks().keys[0]!.kid! })
        .sign(privateKey);
      await request(app.getHttpServer()).get('/me').auth(untyped, { type: 'bearer' }).expect(401);
      await request(app.getHttpServer()).get('/admin').auth(user, { type: 'bearer' }).expect(403);
      const admin = (await tokens.issueAccessToken({ id: 'a1', roles: ['admin'] })).token;
      await request(app.getHttpServer()).get('/admin').auth(admin, { type: 'bearer' }).expect(200);
    } finally {
      await app.close();
    }
  });
});
