import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AccessTokenMissingError, InsufficientRoleError } from '../auth.errors.js';
import { toAuthHttpException } from '../http/auth-http-exception.js';
import { getRequest } from './get-request.js';
import { hasAnyRole, RouteAuthMetadataCache } from './route-auth-metadata.js';

/**
 * Enforces `@Roles()` after another guard has authenticated the request (for example
 * `AuthGuard('jwt')` of `@nestjs/passport`). A request that reaches it unauthenticated is
 * refused with 401: roles are never checked before authentication, and `@Public()` or
 * `@OptionalAuth()` beside `@Roles()` does not change that. Routes without `@Roles()` pass.
 * `AccessTokenGuard` already enforces roles itself.
 *
 * @example
 * ```ts
 * @UseGuards(AuthGuard('jwt'), RolesGuard)
 * @Roles('admin')
 * @Get('admin/users') users() { ... }
 * ```
 */
@Injectable()
export class RolesGuard implements CanActivate {
  private readonly routes: RouteAuthMetadataCache;

  constructor(protected readonly reflector: Reflector) {
    this.routes = new RouteAuthMetadataCache(reflector);
  }

  /**
   * `true` when the route requires no role or the user holds one of them.
   * @throws HttpException 401 when no user was authenticated, 403 when the user lacks every role
   */
  canActivate(context: ExecutionContext): boolean {
    const required = this.routes.of(context).roles;
    if (required === null) return true;
    // Fail closed: `@Public()` or `@OptionalAuth()` beside `@Roles()` opens nothing, and an
    // authenticator that let an anonymous caller through may leave `user` unset, `false` (as
    // passport does from `handleRequest`) or `null`.
    const user: unknown = getRequest(context)?.user;
    if (typeof user !== 'object' || user === null) {
      throw toAuthHttpException(context, new AccessTokenMissingError());
    }
    if (hasAnyRole((user as { roles?: unknown }).roles, required)) return true;
    throw toAuthHttpException(context, new InsufficientRoleError(required));
  }
}
