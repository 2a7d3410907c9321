import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { AccessTokenClaims } from '../access-token/access-token-claims.js';
import { AUTH_OPTIONS } from '../auth.constants.js';
import { AccessTokenMissingError, InsufficientRoleError } from '../auth.errors.js';
import { toAuthHttpException } from '../http/auth-http-exception.js';
import type { ResolvedAuthOptions } from '../options/auth-module-options.js';
import { TokenService } from '../token.service.js';
import { getRequest, type AuthenticatableRequest } from './get-request.js';
import {
  hasAnyRole,
  RouteAuthMetadataCache,
  type RouteAuthMetadata,
} from './route-auth-metadata.js';

/**
 * Authenticates the access token of every request it guards and enforces `@Roles()`.
 * `@Public()` routes pass untouched; `@OptionalAuth()` routes let anonymous callers through;
 * a `@Roles()` requirement on the method or its class wins over both.
 * Failures are 401 (`WWW-Authenticate: Bearer`, `error="invalid_token"` when a token was sent)
 * or 403 (`error="insufficient_scope"`). Override the `protected` hooks to customise it.
 *
 * @example
 * ```ts
 * providers: [{ provide: APP_GUARD, useClass: AccessTokenGuard }]
 * ```
 */
@Injectable()
export class AccessTokenGuard implements CanActivate {
  private readonly routes: RouteAuthMetadataCache;

  constructor(
    protected readonly reflector: Reflector,
    protected readonly tokens: TokenService,
    @Inject(AUTH_OPTIONS) protected readonly options: ResolvedAuthOptions,
  ) {
    this.routes = new RouteAuthMetadataCache(reflector);
  }

  /**
   * Authenticates the request and checks its roles; `true`, or an `HttpException` (401/403).
   * @throws HttpException 401 without a valid token (unless the route is public or optional), 403 without the role
   */
  async canActivate(context: ExecutionContext): Promise<boolean> {
    const route = this.routeMetadata(context);
    if (route.isPublic) return true;
    const request = getRequest(context);
    try {
      const token = request === undefined ? null : this.extractToken(request);
      if (token === null) {
        // `isOptional` is never set beside a role requirement (route-auth-metadata.ts).
        if (route.isOptional) return true;
        throw new AccessTokenMissingError();
      }
      const claims = await this.tokens.verifyAccessToken(token);
      request!.user = claims;
      if (route.roles !== null) this.checkRoles(claims, route.roles);
      return true;
    } catch (error) {
      throw toAuthHttpException(context, error);
    }
  }

  /**
   * What `@Public()`, `@OptionalAuth()` and `@Roles()` declare for the route, read once per
   * handler and class.
   */
  protected routeMetadata(context: ExecutionContext): RouteAuthMetadata {
    return this.routes.of(context);
  }

  /** The access token of the request, or `null`. The first extractor that finds one wins. */
  protected extractToken(request: AuthenticatableRequest): string | null {
    for (const extract of this.options.extractors) {
      const token = extract(request);
      if (typeof token === 'string' && token.length > 0) return token;
    }
    return null;
  }

  /**
   * Enforces `@Roles()`: any one of the required roles suffices.
   * @throws InsufficientRoleError
   */
  protected checkRoles(claims: AccessTokenClaims, required: readonly string[]): void {
    if (!hasAnyRole(claims.roles, required)) throw new InsufficientRoleError(required);
  }
}
