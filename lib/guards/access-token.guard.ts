import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AccessTokenAuthenticator } from '../access-token/access-token-authenticator.js';
import type { AccessTokenClaims } from '../access-token/access-token-claims.js';
import { AUTH_OPTIONS } from '../auth.constants.js';
import { AccessTokenMissingError, InsufficientRoleError } from '../auth.errors.js';
import { toAuthHttpException } from '../http/auth-http-exception.js';
import type { ResolvedAuthOptions } from '../options/auth-module-options.js';
import { firstToken } from './first-token.js';
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
    protected readonly authenticator: AccessTokenAuthenticator,
    @Inject(AUTH_OPTIONS) protected readonly options: ResolvedAuthOptions,
  ) {
    this.routes = new RouteAuthMetadataCache(reflector);
  }

  /**
   * Authenticates the request and checks its roles; `true`, or an `HttpException` (401/403).
   * A token served from the verified-token cache is decided synchronously (a boolean, which
   * Nest takes without awaiting); otherwise the answer is a promise.
   * @throws HttpException 401 without a valid token (unless the route is public or optional), 403 without the role
   */
  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    const route = this.routeMetadata(context);
    if (route.isPublic) return true;
    const request = getRequest(context);
    let claims: AccessTokenClaims | Promise<AccessTokenClaims>;
    try {
      const token = request === undefined ? null : this.extractToken(request);
      if (token === null) {
        // `isOptional` is never set beside a role requirement (route-auth-metadata.ts).
        if (route.isOptional) return true;
        throw new AccessTokenMissingError();
      }
      claims = this.authenticator.authenticate(token);
      if (!(claims instanceof Promise)) return this.admit(request!, claims, route);
    } catch (error) {
      throw toAuthHttpException(context, error);
    }
    return claims.then(
      (verified) => {
        try {
          return this.admit(request!, verified, route);
        } catch (error) {
          throw toAuthHttpException(context, error);
        }
      },
      (error: unknown) => {
        throw toAuthHttpException(context, error);
      },
    );
  }

  private admit(
    request: AuthenticatableRequest,
    claims: AccessTokenClaims,
    route: RouteAuthMetadata,
  ): boolean {
    request.user = claims;
    if (route.roles !== null) this.checkRoles(claims, route.roles);
    return true;
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
    return firstToken(this.options.extractors, request);
  }

  /**
   * Enforces `@Roles()`: any one of the required roles suffices.
   * @throws InsufficientRoleError
   */
  protected checkRoles(claims: AccessTokenClaims, required: readonly string[]): void {
    if (!hasAnyRole(claims.roles, required)) throw new InsufficientRoleError(required);
  }
}
