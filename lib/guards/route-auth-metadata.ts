import type { ExecutionContext } from '@nestjs/common';
import type { Reflector } from '@nestjs/core';
import { IS_OPTIONAL_AUTH_KEY, IS_PUBLIC_KEY, ROLES_KEY } from '../auth.constants.js';

/**
 * What the auth decorators declare for one route, resolved by one rule so that no mix of them
 * fails open: a role requirement wins over `@Public()` and `@OptionalAuth()` wherever they sit,
 * then `@OptionalAuth()` wins over `@Public()`. At most one of `roles`, `isOptional` and
 * `isPublic` is set.
 */
export interface RouteAuthMetadata {
  /** `@Public()` on the handler or its class, and neither `@Roles()` nor `@OptionalAuth()`. */
  readonly isPublic: boolean;
  /** `@OptionalAuth()` on the handler or its class, and no `@Roles()`. */
  readonly isOptional: boolean;
  /** `@Roles()` of the handler, else of its class; `null` when neither requires a role. */
  readonly roles: readonly string[] | null;
}

const PUBLIC: RouteAuthMetadata = Object.freeze({ isPublic: true, isOptional: false, roles: null });
const OPTIONAL: RouteAuthMetadata = Object.freeze({
  isPublic: false,
  isOptional: true,
  roles: null,
});
const AUTHENTICATED: RouteAuthMetadata = Object.freeze({
  isPublic: false,
  isOptional: false,
  roles: null,
});

/**
 * The auth metadata of each route, read with the reflector once per handler and class. The
 * guards run on every request, and decorator metadata is fixed once the application has
 * started. Keyed by handler and class together: an inherited handler serves several
 * controllers, each with its own class decorators.
 */
export class RouteAuthMetadataCache {
  private readonly byHandler = new WeakMap<object, WeakMap<object, RouteAuthMetadata>>();

  constructor(private readonly reflector: Reflector) {}

  /** The metadata of the route `context` is about to run. */
  of(context: ExecutionContext): RouteAuthMetadata {
    const handler = context.getHandler();
    const cls = context.getClass();
    let byClass = this.byHandler.get(handler);
    if (byClass === undefined) {
      byClass = new WeakMap();
      this.byHandler.set(handler, byClass);
    }
    let metadata = byClass.get(cls);
    if (metadata === undefined) {
      metadata = this.read(handler, cls);
      byClass.set(cls, metadata);
    }
    return metadata;
  }

  private read(
    handler: ReturnType<ExecutionContext['getHandler']>,
    cls: ReturnType<ExecutionContext['getClass']>,
  ): RouteAuthMetadata {
    const targets = [handler, cls];
    const roles = this.reflector.getAllAndOverride<readonly string[] | undefined>(
      ROLES_KEY,
      targets,
    );
    // Fail closed: a role requirement on the method or its class is never opened by a
    // `@Public()` or `@OptionalAuth()` beside it, at either level. `@Roles()` refuses an empty
    // list, so a defined list is a requirement (an empty one set by hand admits nobody).
    if (roles !== undefined) return Object.freeze({ isPublic: false, isOptional: false, roles });
    // `@OptionalAuth()` is the stricter of the two: a token that is sent is still verified.
    if (this.reflector.getAllAndOverride<boolean | undefined>(IS_OPTIONAL_AUTH_KEY, targets)) {
      return OPTIONAL;
    }
    return this.reflector.getAllAndOverride<boolean | undefined>(IS_PUBLIC_KEY, targets)
      ? PUBLIC
      : AUTHENTICATED;
  }
}

/** Whether `roles` (a claim, so possibly not an array) holds any one of `required`. */
export function hasAnyRole(roles: unknown, required: readonly string[]): boolean {
  return Array.isArray(roles) && required.some((role) => roles.includes(role));
}
