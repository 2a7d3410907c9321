import type { ExecutionContext } from '@nestjs/common';
import type { Reflector } from '@nestjs/core';
import { IS_OPTIONAL_AUTH_KEY, IS_PUBLIC_KEY, ROLES_KEY } from '../auth.constants.js';

/** What the auth decorators declared for one route. */
export interface RouteAuthMetadata {
  /** `@Public()` on the handler or its class. */
  readonly isPublic: boolean;
  /** `@OptionalAuth()` on the handler or its class. */
  readonly isOptional: boolean;
  /** `@Roles()` of the handler, else of its class; `null` when neither requires a role. */
  readonly roles: readonly string[] | null;
}

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
    const get = <T>(key: string): T | undefined =>
      this.reflector.getAllAndOverride<T | undefined>(key, [handler, cls]);
    const roles = get<readonly string[]>(ROLES_KEY);
    // The most specific declaration wins, and at the same level a role requirement beats
    // `@Public()`: a `@Roles()` method in a `@Public()` controller must not open up silently.
    const handlerIsPublic =
      this.reflector.get<boolean | undefined>(IS_PUBLIC_KEY, handler) === true;
    const handlerHasRoles =
      this.reflector.get<readonly string[] | undefined>(ROLES_KEY, handler) !== undefined;
    const classIsPublic = this.reflector.get<boolean | undefined>(IS_PUBLIC_KEY, cls) === true;
    const classHasRoles =
      this.reflector.get<readonly string[] | undefined>(ROLES_KEY, cls) !== undefined;
    return Object.freeze({
      isPublic: handlerIsPublic || (classIsPublic && !handlerHasRoles && !classHasRoles),
      isOptional: get<boolean>(IS_OPTIONAL_AUTH_KEY) === true,
      roles: roles === undefined || roles.length === 0 ? null : roles,
    });
  }
}

/** Whether `roles` (a claim, so possibly not an array) holds any one of `required`. */
export function hasAnyRole(roles: unknown, required: readonly string[]): boolean {
  return Array.isArray(roles) && required.some((role) => roles.includes(role));
}
