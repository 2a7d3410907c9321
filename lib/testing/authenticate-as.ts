import { randomUUID } from 'node:crypto';
import type { CanActivate, ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { AccessTokenClaims, AuthSubject } from '../access-token/access-token-claims.js';
import { AccessTokenMissingError, InsufficientRoleError } from '../auth.errors.js';
import { getRequest } from '../guards/get-request.js';
import { hasAnyRole, RouteAuthMetadataCache } from '../guards/route-auth-metadata.js';
import { toAuthHttpException } from '../http/auth-http-exception.js';

/** Claims of the fake caller besides `sub` and `roles`, e.g. `sid` or the app's own claims. */
export type AuthenticateAsClaims = Partial<AccessTokenClaims>;

/** Lifetime written into the fake caller's `exp`, in seconds; nothing checks it. */
const FAKE_TOKEN_TTL = 900;

/**
 * A stand-in for `AccessTokenGuard` in an app's e2e tests: every request is made by `subject`,
 * as if it had sent a valid access token, and no token is read or verified. `@Public()`,
 * `@OptionalAuth()` and `@Roles()` are honoured exactly as `AccessTokenGuard` honours them
 * (the same rule, so no mix of them opens a route the real guard would refuse): a public route
 * sees no user; a route requiring a role the subject lacks answers 403. `authenticateAs(null)`
 * is an anonymous caller: 401 on every route that needs a token.
 *
 * The claims carry `iss` and `aud` `'nest-hybrid-auth/testing'` unless `claims` sets them.
 * Replace the global guard with it where the app registers it with `useExisting`:
 *
 * @example
 * ```ts
 * // AppModule: providers: [{ provide: APP_GUARD, useExisting: AccessTokenGuard }]
 * const moduleRef = await Test.createTestingModule({ imports: [AppModule] })
 *   .overrideProvider(AccessTokenGuard)
 *   .useValue(authenticateAs({ id: 'u1', roles: ['admin'] }))
 *   .compile();
 * ```
 * For a guard put on controllers with `@UseGuards(AccessTokenGuard)`, use
 * `.overrideGuard(AccessTokenGuard).useValue(authenticateAs(...))`.
 */
export function authenticateAs(
  subject: AuthSubject | null,
  claims: AuthenticateAsClaims = {},
): CanActivate {
  return new SubjectGuard(subject === null ? null : claimsOf(subject, claims));
}

function claimsOf(subject: AuthSubject, extra: AuthenticateAsClaims): AccessTokenClaims {
  const now = Math.floor(Date.now() / 1000);
  return Object.freeze({
    iss: 'nest-hybrid-auth/testing',
    aud: 'nest-hybrid-auth/testing',
    iat: now,
    exp: now + FAKE_TOKEN_TTL,
    jti: randomUUID(),
    ...extra,
    sub: String(subject.id),
    roles: Object.freeze([...(subject.roles ?? [])]),
  });
}

class SubjectGuard implements CanActivate {
  // Decorator metadata is plain reflect-metadata: a Reflector of its own reads it as Nest's does.
  private readonly routes = new RouteAuthMetadataCache(new Reflector());

  constructor(private readonly claims: AccessTokenClaims | null) {}

  canActivate(context: ExecutionContext): boolean {
    const route = this.routes.of(context);
    if (route.isPublic) return true;
    try {
      if (this.claims === null) {
        if (route.isOptional) return true;
        throw new AccessTokenMissingError();
      }
      const request = getRequest(context);
      if (request !== undefined) request.user = this.claims;
      if (route.roles !== null && !hasAnyRole(this.claims.roles, route.roles))
        throw new InsufficientRoleError(route.roles);
      return true;
    } catch (error) {
      throw toAuthHttpException(context, error);
    }
  }
}
