import { Module, type DynamicModule } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import {
  AccessTokenGuard,
  AuthModule,
  CsrfOriginCheck,
  JwksController,
  RefreshCookie,
  type AuthModuleOptions,
} from '../../lib/index.js';
import { TypeOrmRefreshTokenStore } from '../../lib/typeorm/index.js';
import { AdminBootstrap } from './admin/admin-bootstrap.js';
import { AdminController } from './admin/admin.controller.js';
import { AuthController } from './auth/auth.controller.js';
import { PasswordController } from './auth/password.controller.js';
import { DATABASE_TIMEOUT_MS, databaseOptions } from './database/database-options.js';
import { DemoPageController } from './demo/demo-page.controller.js';
import { HealthController } from './http/health.controller.js';
import { HttpErrorFilter } from './http/http-error.filter.js';
import type { SampleSigningKey } from './keys/resolve-signing-key.js';
import { MeController } from './me/me.controller.js';
import { SampleRevocation } from './revocation/sample-revocation.service.js';
import type { SampleConfig } from './sample-config.js';
import { UsersModule } from './users/users.module.js';
import { UsersService } from './users/users.service.js';

/** Provides {@link SampleRevocation} to the `AuthModule` factory. */
@Module({ providers: [SampleRevocation], exports: [SampleRevocation] })
class SampleRevocationModule {}

/**
 * The sample app: users, the auth routes of the contract, JWKS, a global `AccessTokenGuard`
 * (routes are protected unless `@Public()`), and the library's error filter for every failure
 * (with the sample app's database errors as 503).
 */
@Module({})
export class SampleAppModule {
  /**
   * @param config validated configuration (`loadSampleConfig`)
   * @param signingKey the key access tokens are signed with (`resolveSigningKey`)
   * @example NestFactory.create(SampleAppModule.forRoot(config, await resolveSigningKey(config)))
   */
  static forRoot(config: SampleConfig, signingKey: SampleSigningKey): DynamicModule {
    return {
      module: SampleAppModule,
      imports: [
        // The environment was validated by loadSampleConfig (one error listing every bad
        // variable) before the HTTP engine was chosen; ConfigService serves the result.
        ConfigModule.forRoot({
          isGlobal: true,
          ignoreEnvFile: true,
          skipProcessEnv: true,
          load: [() => config],
        }),
        TypeOrmModule.forRoot(databaseOptions(config)),
        ThrottlerModule.forRoot({
          throttlers: [{ ttl: config.throttle.ttl * 1000, limit: config.throttle.limit }],
        }),
        UsersModule,
        AuthModule.forRootAsync({
          imports: [UsersModule, SampleRevocationModule],
          inject: [ConfigService, DataSource, UsersService, SampleRevocation],
          useFactory: (
            settings: ConfigService<SampleConfig, true>,
            dataSource: DataSource,
            users: UsersService,
            revocation: SampleRevocation,
          ): AuthModuleOptions => ({
            algorithm: signingKey.algorithm,
            // keys[0] signs; previous keys only verify, and stay in the JWKS (key rotation).
            keys: [
              { privateKey: signingKey.privateKey },
              ...(signingKey.previousKeys ?? []).map(({ kid, algorithm, publicKey }) => ({
                kid,
                algorithm,
                publicKey,
              })),
            ],
            issuer: settings.get('auth.issuer', { infer: true }),
            audience: settings.get('auth.audience', { infer: true }),
            accessTokenTtl: settings.get('auth.accessTokenTtl', { infer: true }),
            refresh: {
              store: new TypeOrmRefreshTokenStore(dataSource, { timeout: DATABASE_TIMEOUT_MS }),
              ttl: settings.get('auth.refreshTtl', { infer: true }),
              idleTtl: settings.get('auth.refreshIdleTtl', { infer: true }),
              reuseGracePeriod: settings.get('auth.refreshGrace', { infer: true }),
              resolveUser: (userId) => users.findById(userId),
            },
            revocation: { store: revocation.store },
          }),
        }),
      ],
      controllers: [
        HealthController,
        AuthController,
        PasswordController,
        MeController,
        AdminController,
        JwksController,
        DemoPageController,
      ],
      providers: [
        AdminBootstrap,
        // Cookie mode for browser pages (contract, "Browser clients"): the default cookie is
        // __Secure-refresh_token; HttpOnly; Secure; SameSite=Strict; Path=/auth.
        { provide: RefreshCookie, useValue: new RefreshCookie() },
        {
          provide: CsrfOriginCheck,
          useValue: new CsrfOriginCheck({ allowedOrigins: config.allowedOrigins }),
        },
        // An alias of the module's guard, so e2e tests can override it (nest-hybrid-auth/testing).
        { provide: APP_GUARD, useExisting: AccessTokenGuard },
        { provide: APP_FILTER, useClass: HttpErrorFilter },
      ],
    };
  }
}
