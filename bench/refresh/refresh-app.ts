import { Body, Controller, HttpCode, Module, Post, Req, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import type { DataSource } from 'typeorm';
import {
  AccessTokenGuard,
  AuthErrorFilter,
  AuthModule,
  Public,
  TokenService,
  type TokenPair,
} from '../../lib/index.js';
import { TypeOrmRefreshTokenStore } from '../../lib/typeorm/index.js';
import { authModuleOptions } from '../guard/apps/auth-module.app.js';
import type { BenchKeyMaterial } from '../support/bench-keys.js';

@Controller('auth')
class RefreshController {
  constructor(private readonly tokens: TokenService) {}

  @Public()
  @Post('refresh')
  @HttpCode(200)
  refresh(
    @Body() body: { refreshToken?: unknown },
    @Req() request: { headers: Record<string, string | string[] | undefined>; ip?: string },
  ): Promise<TokenPair> {
    const userAgent = request.headers['user-agent'];
    return this.tokens.refresh(typeof body.refreshToken === 'string' ? body.refreshToken : '', {
      userAgent: typeof userAgent === 'string' ? userAgent : null,
      ip: request.ip ?? null,
    });
  }
}

/**
 * The smallest app that rotates refresh tokens as the sample app does: `AuthModule` with
 * `refresh: { store: new TypeOrmRefreshTokenStore(dataSource) }`, the global guard, the error filter and `POST /auth/refresh`.
 */
export function refreshApp(material: BenchKeyMaterial, dataSource: DataSource): DynamicModule {
  @Module({
    imports: [
      AuthModule.forRoot({
        ...authModuleOptions(material),
        refresh: {
          store: new TypeOrmRefreshTokenStore(dataSource),
          resolveUser: (id: string) => ({ id, roles: ['user'] }),
        },
      }),
    ],
    controllers: [RefreshController],
    providers: [
      { provide: APP_GUARD, useClass: AccessTokenGuard },
      { provide: APP_FILTER, useClass: AuthErrorFilter },
    ],
  })
  class RefreshAppModule {}
  return { module: RefreshAppModule };
}
