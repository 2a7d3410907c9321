import { Module } from '@nestjs/common';
import { ConfigurableAuthModule } from './auth.module-definition.js';
import { AUTH_EXPORTS, AUTH_PROVIDERS } from './auth.providers.js';

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
 *     refresh: {
 *       store: new TypeOrmRefreshTokenStore(dataSource), // from nest-hybrid-auth/typeorm
 *       resolveUser: (id) => users.findSubject(id),
 *     },
 *   }),
 * })
 * ```
 */
@Module({
  providers: [...AUTH_PROVIDERS],
  exports: [...AUTH_EXPORTS],
})
export class AuthModule extends ConfigurableAuthModule {}
