import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { AccessTokenClaims } from '../access-token/access-token-claims.js';
import { getRequest } from '../guards/get-request.js';
import { RouteAuthMetadataCache } from '../guards/route-auth-metadata.js';

// Decorator metadata is static, so a Reflector outside DI reads the same as the guard's.
const routes = new RouteAuthMetadataCache(new Reflector());

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
    // A socket outlives its messages, and the guard verifies none of a @Public() message: the
    // claims a guarded message attached earlier may have been revoked since.
    if (context.getType() === 'ws' && routes.of(context).isPublic) return undefined;
    const user = getRequest(context)?.user;
    return claim === undefined ? user : user?.[claim];
  },
);
