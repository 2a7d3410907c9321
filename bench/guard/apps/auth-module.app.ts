import { Controller, Get, Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import {
  AccessTokenGuard,
  AuthModule,
  CurrentUser,
  Public,
  type AccessTokenClaims,
  type AuthModuleOptions,
} from '../../../lib/index.js';
import { BENCH_AUDIENCE, BENCH_ISSUER, type BenchKeyMaterial } from '../../support/bench-keys.js';

@Controller()
class AuthModuleController {
  @Public()
  @Get('health')
  health(): { status: string } {
    return { status: 'ok' };
  }

  @Get('me')
  me(@CurrentUser() claims: AccessTokenClaims): AccessTokenClaims {
    return claims;
  }
}

/** The options an application of this module would write for `material`. */
export function authModuleOptions(
  material: BenchKeyMaterial,
  cache?: AuthModuleOptions['cache'],
): AuthModuleOptions {
  return {
    algorithm: material.algorithm,
    keys: [
      material.secret === undefined
        ? { kid: material.kid, privateKey: material.privateKeyPem! }
        : { kid: material.kid, secret: material.secret },
    ],
    issuer: BENCH_ISSUER,
    audience: BENCH_AUDIENCE,
    ...(cache === undefined ? {} : { cache }),
  };
}

/** (a) This module: `AuthModule.forRoot` and the global `AccessTokenGuard`. */
export function authModuleApp(
  material: BenchKeyMaterial,
  cache?: AuthModuleOptions['cache'],
): DynamicModule {
  @Module({
    imports: [AuthModule.forRoot(authModuleOptions(material, cache))],
    controllers: [AuthModuleController],
    providers: [{ provide: APP_GUARD, useClass: AccessTokenGuard }],
  })
  class AuthModuleAppModule {}
  return { module: AuthModuleAppModule };
}
