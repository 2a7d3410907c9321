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
    // A socket (and a GraphQL subscription connection) outlives its messages, and the guard
    // verifies none of a @Public() one: claims a guarded message attached earlier to the
    // connection's request may have been revoked since. An HTTP request is never shared.
    if (context.getType() !== 'http' && routes.of(context).isPublic) return undefined;
    const user = getRequest(context)?.user;
    return claim === undefined ? user : user?.[claim];
  },
);
