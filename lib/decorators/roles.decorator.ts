import { SetMetadata } from '@nestjs/common';
import { ROLES_KEY } from '../auth.constants.js';

/**
 * Requires any one of `roles` in the access token's `roles` claim. On a method it replaces
 * the controller's `@Roles()`. Checked only after the token is authenticated: a caller without
 * a valid token gets 401, a caller without the role 403. A role requirement wins over
 * `@Public()` and `@OptionalAuth()` on the method or its class (see the README's table).
 *
 * @throws TypeError without a role, or with a role that is not a non-empty string: an empty
 * `@Roles()` on a method would otherwise replace the controller's roles with none.
 *
 * @example
 * ```ts
 * @Roles('admin')
 * @Controller('admin')
 * export class AdminController {
 *   @Roles('admin', 'support')
 *   @Get('tickets') tickets() { ... }
 * }
 * ```
 */
export const Roles = (...roles: string[]): MethodDecorator & ClassDecorator => {
  if (roles.length === 0 || roles.some((role) => typeof role !== 'string' || role === '')) {
    throw new TypeError('@Roles() needs at least one role, each a non-empty string');
  }
  return SetMetadata(ROLES_KEY, Object.freeze([...roles]));
};
