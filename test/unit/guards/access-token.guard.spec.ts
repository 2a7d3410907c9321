import { HttpException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { describe, expect, it } from 'vitest';
import {
  AccessTokenGuard,
  AccessTokenRevokedError,
  OptionalAuth,
  Public,
  Roles,
  type AccessTokenClaims,
} from '../../../lib/index.js';
import type { AccessTokenAuthenticator } from '../../../lib/access-token/access-token-authenticator.js';
import type { ResolvedAuthOptions } from '../../../lib/options/auth-module-options.js';
import { fakeExecutionContext } from '../../support/fake-execution-context.js';

@OptionalAuth()
class ArticlesController {
  list(): void {}
  @Roles('editor')
  drafts(): void {}
}

class PublicController {
  @Public()
  health(): void {}
}

class ChildArticlesController extends ArticlesController {}

@Public()
class CatalogController {
  list(): void {}
  @Roles('admin')
  edit(): void {}
}

@Roles('admin')
class AdminController {
  @Public()
  status(): void {}
  users(): void {}
}

const claims = { sub: 'u1', roles: ['user'] } as unknown as AccessTokenClaims;

/** A reflector that counts the metadata reads it serves. */
class CountingReflector extends Reflector {
  reads = 0;
  override getAllAndOverride<T>(...args: Parameters<Reflector['getAllAndOverride']>): T {
    this.reads += 1;
    return super.getAllAndOverride(...args) as T;
  }
}

function guardWith(
  reflector: Reflector = new Reflector(),
  authenticate: (token: string) => AccessTokenClaims | Promise<AccessTokenClaims> = async () =>
    claims,
): AccessTokenGuard {
  const authenticator = { authenticate } as unknown as AccessTokenAuthenticator;
  const options = {
    extractors: [
      (request: { headers: Record<string, unknown> }) =>
        (request.headers['x-token'] as string) ?? null,
    ],
  } as unknown as ResolvedAuthOptions;
  return new AccessTokenGuard(reflector, authenticator, options);
}

async function run(
  guard: AccessTokenGuard,
  cls: new () => object,
  handler: string,
  token?: string,
): Promise<{ result?: boolean; status?: number; user?: unknown }> {
  const request: { headers: Record<string, string>; user?: unknown } = {
    headers: token === undefined ? {} : { 'x-token': token },
  };
  const context = fakeExecutionContext('http', [request, { setHeader: () => undefined }], {
    handler: (cls.prototype as Record<string, () => unknown>)[handler],
    cls,
  });
  try {
    return { result: await guard.canActivate(context), user: request.user };
  } catch (error) {
    return { status: (error as HttpException).getStatus() };
  }
}

/** An HTTP context for `handler` of `cls`, with `token` in the request. */
function httpContext(cls: new () => object, handler: string, token: string) {
  const request: { headers: Record<string, string>; user?: unknown } = {
    headers: { 'x-token': token },
  };
  const context = fakeExecutionContext('http', [request, { setHeader: () => undefined }], {
    handler: (cls.prototype as Record<string, () => unknown>)[handler],
    cls,
  });
  return { request, context };
}

describe('AccessTokenGuard', () => {
  it('lets an anonymous caller through @OptionalAuth()', async () => {
    expect(await run(guardWith(), ArticlesController, 'list')).toEqual({
      result: true,
      user: undefined,
    });
  });

  it('refuses an anonymous caller with 401 on a @Roles() route even under @OptionalAuth()', async () => {
    expect(await run(guardWith(), ArticlesController, 'drafts')).toEqual({ status: 401 });
    expect(await run(guardWith(), ArticlesController, 'drafts', 'token')).toEqual({ status: 403 });
  });

  it('never lets a controller-wide @Public() open a method that requires a role', async () => {
    expect(await run(guardWith(), CatalogController, 'list')).toEqual({
      result: true,
      user: undefined,
    });
    expect(await run(guardWith(), CatalogController, 'edit')).toEqual({ status: 401 });
    expect(await run(guardWith(), CatalogController, 'edit', 'token')).toEqual({ status: 403 });
  });

  it('never lets a method-level @Public() open a route of a role-protected controller', async () => {
    expect(await run(guardWith(), AdminController, 'status')).toEqual({ status: 401 });
    expect(await run(guardWith(), AdminController, 'status', 'token')).toEqual({ status: 403 });
    expect(await run(guardWith(), AdminController, 'users')).toEqual({ status: 401 });
  });

  it('reads the route metadata once per handler and class, not on every request', async () => {
    const reflector = new CountingReflector();
    const guard = guardWith(reflector);
    await run(guard, ArticlesController, 'drafts', 'token');
    await run(guard, PublicController, 'health');
    const afterFirstRequests = reflector.reads;
    for (let request = 0; request < 5; request++) {
      await run(guard, ArticlesController, 'drafts', 'token');
      await run(guard, ArticlesController, 'drafts');
      await run(guard, PublicController, 'health');
    }
    expect(reflector.reads).toBe(afterFirstRequests);
  });

  it('keeps the metadata of an inherited handler apart per controller class', async () => {
    @Roles('admin')
    class AdminArticlesController extends ArticlesController {}
    const guard = guardWith();
    expect(await run(guard, ChildArticlesController, 'list')).toEqual({
      result: true,
      user: undefined,
    });
    expect(await run(guard, AdminArticlesController, 'list', 'token')).toEqual({ status: 403 });
    expect(await run(guard, ChildArticlesController, 'list', 'token')).toEqual({
      result: true,
      user: claims,
    });
  });

  describe('on a token the authenticator answers synchronously (a cache hit)', () => {
    it('decides with a boolean, not a promise, and attaches the claims', () => {
      const guard = guardWith(new Reflector(), () => claims);
      const { request, context } = httpContext(ChildArticlesController, 'list', 'token');
      expect(guard.canActivate(context)).toBe(true);
      expect(request.user).toBe(claims);
    });

    it('refuses a missing role with 403 at once', () => {
      const guard = guardWith(new Reflector(), () => claims);
      const { context } = httpContext(ArticlesController, 'drafts', 'token');
      expect(() => guard.canActivate(context)).toThrow(expect.objectContaining({ status: 403 }));
    });

    it('turns an error thrown at once (a revoked cached token) into 401', () => {
      const guard = guardWith(new Reflector(), () => {
        throw new AccessTokenRevokedError();
      });
      const { request, context } = httpContext(ChildArticlesController, 'list', 'token');
      expect(() => guard.canActivate(context)).toThrow(expect.objectContaining({ status: 401 }));
      expect(request.user).toBeUndefined();
    });
  });
});
