import { Module } from '@nestjs/common';
import { AccessTokenAuthenticator } from './access-token/access-token-authenticator.js';
import { createKeyRing, type KeyRing } from './keys/key-ring.js';
import {
  createAccessTokenVerifier,
  type AccessTokenVerifier,
} from './access-token/verify-access-token.js';
import { ACCESS_TOKEN_VERIFIER, AUTH_KEY_RING, AUTH_OPTIONS } from './auth.constants.js';
import { AUTH_MODULE_OPTIONS, ConfigurableAuthModule } from './auth.module-definition.js';
import { AUTH_CLOCK, systemClock, type Clock } from './clock.js';
import { AccessTokenGuard } from './guards/access-token.guard.js';
import { RolesGuard } from './guards/roles.guard.js';
import type { AuthModuleOptions, ResolvedAuthOptions } from './options/auth-module-options.js';
import { resolveAuthOptions } from './options/resolve-auth-options.js';
import { MemoryRevocationStore } from './revocation/memory-revocation.store.js';
import { RevocationStore } from './revocation/revocation.store.js';
import { TokenService } from './token.service.js';

/**
 * JWT authentication with the hybrid scheme: short-lived access tokens signed with jose,
 * rotating opaque refresh tokens kept hashed in your database, revocation and JWKS.
 *
 * @example
 * ```ts
 * AuthModule.forRoot({
 *   isGlobal: true,
 *   issuer: 'https://auth.example.com',
 *   audience: 'api',
 *   keys: [{ privateKey: process.env.AUTH_PRIVATE_KEY }],
 *   refresh: false,
 * })
 * ```
 *
 * @example
 * ```ts
 * AuthModule.forRootAsync({
 *   isGlobal: true,
 *   inject: [ConfigService, DataSource, UsersService],
 *   useFactory: (config: ConfigService, dataSource: DataSource, users: UsersService) => ({
 *     issuer: config.getOrThrow('AUTH_ISSUER'),
 *     audience: 'api',
 *     keys: [{ privateKey: config.getOrThrow('AUTH_PRIVATE_KEY') }],
 *     refresh: { dataSource, resolveUser: (id) => users.findSubject(id) },
 *   }),
 * })
 * ```
 */
@Module({
  providers: [
    { provide: AUTH_CLOCK, useValue: systemClock },
    {
      provide: AUTH_OPTIONS,
      useFactory: (options: AuthModuleOptions) => resolveAuthOptions(options),
      inject: [AUTH_MODULE_OPTIONS],
    },
    {
      provide: AUTH_KEY_RING,
      useFactory: (options: ResolvedAuthOptions, clock: Clock) => createKeyRing(options, clock),
      inject: [AUTH_OPTIONS, AUTH_CLOCK],
    },
    {
      provide: ACCESS_TOKEN_VERIFIER,
      useFactory: (options: ResolvedAuthOptions, keyRing: KeyRing, clock: Clock) =>
        createAccessTokenVerifier(options, keyRing, clock),
      inject: [AUTH_OPTIONS, AUTH_KEY_RING, AUTH_CLOCK],
    },
    {
      provide: RevocationStore,
      useFactory: (options: ResolvedAuthOptions) =>
        options.revocation.store ?? new MemoryRevocationStore(),
      inject: [AUTH_OPTIONS],
    },
    {
      provide: AccessTokenAuthenticator,
      useFactory: (verifier: AccessTokenVerifier, revocations: RevocationStore, clock: Clock) =>
        new AccessTokenAuthenticator(verifier, revocations, clock),
      inject: [ACCESS_TOKEN_VERIFIER, RevocationStore, AUTH_CLOCK],
    },
    TokenService,
    AccessTokenGuard,
    RolesGuard,
  ],
  exports: [
    AUTH_OPTIONS,
    AUTH_CLOCK,
    RevocationStore,
    AccessTokenAuthenticator,
    TokenService,
    AccessTokenGuard,
    RolesGuard,
  ],
})
export class AuthModule extends ConfigurableAuthModule {}
