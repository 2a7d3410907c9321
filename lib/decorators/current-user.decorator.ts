import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { AccessTokenClaims } from '../access-token/access-token-claims.js';
import { getRequest } from '../guards/get-request.js';

/**
 * Injects the verified claims of the caller's access token, or one claim of them.
 * `undefined` on a `@Public()` or anonymous `@OptionalAuth()` request.
 *
 * @example
 * ```ts
 * @Get('me')
 * me(@CurrentUser() user: AccessTokenClaims, @CurrentUser('sub') userId: string) { ... }
 * ```
 */
export const CurrentUser = createParamDecorator(
  (claim: keyof AccessTokenClaims | undefined, context: ExecutionContext): unknown => {
    const user = getRequest(context)?.user;
    return claim === undefined ? user : user?.[claim];
  },
);
