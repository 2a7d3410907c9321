import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { IS_PUBLIC_KEY, ROLES_KEY } from '../auth.constants.js';
import { AccessTokenMissingError, InsufficientRoleError } from '../auth.errors.js';
import { toAuthHttpException } from '../http/auth-http-exception.js';
import { getRequest } from './get-request.js';

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
  constructor(protected readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const targets = [context.getHandler(), context.getClass()];
    const required = this.reflector.getAllAndOverride<readonly string[]>(ROLES_KEY, targets);
    if (required === undefined || required.length === 0) return true;
    const user = getRequest(context)?.user;
    if (user === undefined) {
      if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC_KEY, targets) === true) return true;
      throw toAuthHttpException(context, new AccessTokenMissingError());
    }
    const roles: unknown = user.roles;
    if (Array.isArray(roles) && required.some((role) => roles.includes(role))) return true;
    throw toAuthHttpException(context, new InsufficientRoleError(required));
  }

}
