import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { AccessTokenGuard, AuthErrorFilter, AuthModule } from '../../lib/index.js';
import { HealthController } from '../src/http/health.controller.js';
import { ReportsController, WhoAmIController } from './reports.controller.js';
import type { ResourceServerConfig } from './resource-server-config.js';

/**
 * A service that only accepts the sample app's access tokens: verify-only mode through the
 * issuer's remote JWKS. No database, no private key, no refresh tokens. Rotating the issuer's
 * key reaches it through the JWKS alone (README, "Rotating signing keys").
 */
@Module({})
export class ResourceServerModule {
  /** @example NestFactory.create(ResourceServerModule.forRoot(loadResourceServerConfig())) */
  static forRoot(config: ResourceServerConfig): DynamicModule {
    return {
      module: ResourceServerModule,
      imports: [
        AuthModule.forRoot({
          algorithm: config.algorithm,
          jwks: {
            url: config.jwksUrl,
            cacheMaxAge: config.jwksCacheMaxAge,
            cooldownDuration: config.jwksCooldown,
          },
          issuer: config.issuer,
          audience: config.audience,
          accessTokenTtl: config.accessTokenTtl,
          clockTolerance: config.clockTolerance,
          refresh: false,
        }),
      ],
      controllers: [HealthController, WhoAmIController, ReportsController],
      providers: [
        // An alias of the module's guard, so e2e tests can override it (nest-hybrid-auth/testing).
        { provide: APP_GUARD, useExisting: AccessTokenGuard },
        // No database here: the library's filter as it is (no nest-hybrid-auth/typeorm loaded).
        { provide: APP_FILTER, useClass: AuthErrorFilter },
      ],
    };
  }
}
