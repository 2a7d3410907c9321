import { SetMetadata } from '@nestjs/common';
import { IS_OPTIONAL_AUTH_KEY } from '../auth.constants.js';

/**
 * Authenticates when a token is presented and lets anonymous callers through when none is.
 * An invalid or expired token is still refused with 401, so a client learns it must refresh.
 *
 * @example
 * ```ts
 * @OptionalAuth()
 * @Get('articles')
 * list(@CurrentUser() user?: AccessTokenClaims) { ... }
 * ```
 */
export const OptionalAuth = (): MethodDecorator & ClassDecorator =>
  SetMetadata(IS_OPTIONAL_AUTH_KEY, true);
