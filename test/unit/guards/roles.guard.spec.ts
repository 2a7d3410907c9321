import { HttpException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { describe, expect, it } from 'vitest';
import { Public, Roles, RolesGuard } from '../../../lib/index.js';
import { fakeExecutionContext } from '../../support/fake-execution-context.js';

@Roles('admin')
class AdminController {
  list(): void {}
  @Roles('support')
  tickets(): void {}
  @Public()
  open(): void {}
}

function run(user: unknown, handler: keyof AdminController) {
  const headers: Record<string, string> = {};
  const response = { setHeader: (name: string, value: string) => (headers[name] = value) };
  const context = fakeExecutionContext('http', [{ headers: {}, user }, response], {
    handler: AdminController.prototype[handler],
    cls: AdminController,
  });
  try {
    return { result: new RolesGuard(new Reflector()).canActivate(context), headers };
  } catch (error) {
    return { error: error as HttpException, headers };
  }
}

describe('RolesGuard', () => {
  it('accepts a user holding the class role', () => {
    expect(run({ roles: ['admin'] }, 'list').result).toBe(true);
  });

  it('lets the method roles replace the class roles', () => {
    expect(run({ roles: ['admin'] }, 'tickets').error?.getStatus()).toBe(403);
    expect(run({ roles: ['support'] }, 'tickets').result).toBe(true);
  });

  it('answers 403 with insufficient_scope to an authenticated user without the role', () => {
    const { error, headers } = run({ roles: ['user'] }, 'list');
    expect(error?.getStatus()).toBe(403);
    expect(headers['WWW-Authenticate']).toBe('Bearer error="insufficient_scope"');
  });

  it('never checks roles before authentication: no user is 401', () => {
    const { error, headers } = run(undefined, 'list');
    expect(error?.getStatus()).toBe(401);
    expect(headers['WWW-Authenticate']).toBe('Bearer');
  });

  it('treats a roles claim that is not an array as no role', () => {
    expect(run({ roles: 'admin' }, 'list').error?.getStatus()).toBe(403);
  });

  it('never lets a method-level @Public() open a route of a role-protected controller', () => {
    expect(run(undefined, 'open').error?.getStatus()).toBe(401);
    expect(run({ roles: ['user'] }, 'open').error?.getStatus()).toBe(403);
    expect(run({ roles: ['admin'] }, 'open').result).toBe(true);
  });

  it('refuses with 401 a user an authenticator left null or false', () => {
    expect(run(null, 'list').error?.getStatus()).toBe(401);
    expect(run(false, 'list').error?.getStatus()).toBe(401);
  });

  it('refuses @Roles() without a role, which on a method would drop the class roles', () => {
    expect(() => Roles()).toThrow(
      new TypeError('@Roles() needs at least one role, each a non-empty string'),
    );
    expect(() => Roles('admin', '')).toThrow(TypeError);
  });

  it('reads the route metadata once per handler and class, not on every request', () => {
    let reads = 0;
    const reflector = new Reflector();
    const read = reflector.getAllAndOverride.bind(reflector);
    reflector.getAllAndOverride = ((...args: Parameters<typeof read>) => {
      reads += 1;
      return read(...args);
    }) as typeof reflector.getAllAndOverride;
    const guard = new RolesGuard(reflector);
    const context = fakeExecutionContext(
      'http',
      [{ headers: {}, user: { roles: ['admin'] } }, {}],
      {
        handler: AdminController.prototype.list,
        cls: AdminController,
      },
    );
    expect(guard.canActivate(context)).toBe(true);
    const afterFirst = reads;
    for (let request = 0; request < 3; request++) expect(guard.canActivate(context)).toBe(true);
    expect(reads).toBe(afterFirst);
  });
});
