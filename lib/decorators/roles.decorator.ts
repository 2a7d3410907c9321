import { SetMetadata } from '@nestjs/common';
import { ROLES_KEY } from '../auth.constants.js';

/**
 * Requires any one of `roles` in the access token's `roles` claim. On a method it replaces
 * the controller's `@Roles()`. Checked only after the token is authenticated: a caller without
 * a valid token gets 401, a caller without the role 403.
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
export const Roles = (...roles: string[]): MethodDecorator & ClassDecorator =>
  SetMetadata(ROLES_KEY, Object.freeze([...roles]));
