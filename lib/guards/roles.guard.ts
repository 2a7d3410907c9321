import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AccessTokenMissingError, InsufficientRoleError } from '../auth.errors.js';
import { toAuthHttpException } from '../http/auth-http-exception.js';
import { getRequest } from './get-request.js';
import { hasAnyRole, RouteAuthMetadataCache } from './route-auth-metadata.js';

/**
 * Enforces `@Roles()` after another guard has authenticated the request (for example
 * `AuthGuard('jwt')` of `@nestjs/passport`). A request that reaches it unauthenticated is
 * refused with 401: roles are never checked before authentication. `AccessTokenGuard` already
 * enforces roles itself.
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
    const route = this.routes.of(context);
    const required = route.roles;
    if (required === null) return true;
    const user = getRequest(context)?.user;
    if (user === undefined) {
      if (route.isPublic) return true;
      throw toAuthHttpException(context, new AccessTokenMissingError());
    }
    if (hasAnyRole(user.roles, required)) return true;
    throw toAuthHttpException(context, new InsufficientRoleError(required));
  }
}
