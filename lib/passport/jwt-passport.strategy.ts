import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { AccessTokenClaims } from '../access-token/access-token-claims.js';
import { AUTH_OPTIONS } from '../auth.constants.js';
import type { ResolvedAuthOptions } from '../options/auth-module-options.js';
import { AccessTokenAuthenticator } from '../access-token/access-token-authenticator.js';
import { JoseJwtStrategy } from './jose-jwt.strategy.js';

/**
 * Registers the `jwt` passport strategy for apps that keep `@UseGuards(AuthGuard('jwt'))`.
 * It verifies through the same jose path as `AccessTokenGuard`. Provide it in a module that
 * imports `AuthModule` (or make `AuthModule` global); override `validate` to map the claims.
 *
 * @example
 * ```ts
 * import { JwtPassportStrategy } from 'nest-hybrid-auth/passport';
 * @Module({ imports: [PassportModule, AuthModule.forRoot(options)], providers: [JwtPassportStrategy] })
 * export class AppModule {}
 * ```
 */
@Injectable()
export class JwtPassportStrategy extends PassportStrategy(JoseJwtStrategy, 'jwt') {
  constructor(
    authenticator: AccessTokenAuthenticator,
    @Inject(AUTH_OPTIONS) options: ResolvedAuthOptions,
  ) {
    super({
      verify: (token: string) => authenticator.authenticate(token),
      extractors: options.extractors,
    });
  }

  /** The user passport attaches to the request: the verified claims by default. */
  validate(claims: AccessTokenClaims): unknown {
    return claims;
  }
}
