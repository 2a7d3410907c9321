import {
  Inject,
  Injectable,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { AccessTokenClaims } from '../access-token/access-token-claims.js';
import { AUTH_OPTIONS, IS_OPTIONAL_AUTH_KEY, IS_PUBLIC_KEY, ROLES_KEY } from '../auth.constants.js';
import { AccessTokenMissingError, InsufficientRoleError } from '../auth.errors.js';
import { toAuthHttpException } from '../http/auth-http-exception.js';
import type { ResolvedAuthOptions } from '../options/auth-module-options.js';
import { TokenService } from '../token.service.js';
import { getRequest, type AuthenticatableRequest } from './get-request.js';

/**
 * Authenticates the access token of every request it guards and enforces `@Roles()`.
 * `@Public()` routes pass untouched; `@OptionalAuth()` routes let anonymous callers through.
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
  constructor(
    protected readonly reflector: Reflector,
    protected readonly tokens: TokenService,
    @Inject(AUTH_OPTIONS) protected readonly options: ResolvedAuthOptions,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (this.isPublic(context)) return true;
    const request = getRequest(context);
    try {
      const token = request === undefined ? null : this.extractToken(request);
      if (token === null) {
        if (this.isOptional(context)) return true;
        throw new AccessTokenMissingError();
      }
      const claims = await this.tokens.verifyAccessToken(token);
      request!.user = claims;
      this.checkRoles(context, claims);
      return true;
    } catch (error) {
      throw toAuthHttpException(context, error);
    }
  }

  /** Whether the route is `@Public()`. */
  protected isPublic(context: ExecutionContext): boolean {
    return this.metadata<boolean>(IS_PUBLIC_KEY, context) === true;
  }

  /** Whether the route is `@OptionalAuth()`. */
  protected isOptional(context: ExecutionContext): boolean {
    return this.metadata<boolean>(IS_OPTIONAL_AUTH_KEY, context) === true;
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
   * Enforces `@Roles()`: any one of the listed roles suffices; the method's list replaces the class's.
   * @throws InsufficientRoleError
   */
  protected checkRoles(context: ExecutionContext, claims: AccessTokenClaims): void {
    const required = this.metadata<readonly string[]>(ROLES_KEY, context);
    if (required === undefined || required.length === 0) return;
    if (!required.some((role) => claims.roles.includes(role))) throw new InsufficientRoleError(required);
  }

  private metadata<T>(key: string, context: ExecutionContext): T | undefined {
    return this.reflector.getAllAndOverride<T>(key, [context.getHandler(), context.getClass()]);
  }
}
