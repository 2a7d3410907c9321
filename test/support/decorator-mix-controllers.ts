import { Controller, Get, Req, UseGuards, type CanActivate, type Type } from '@nestjs/common';
import { OptionalAuth, Public, Roles } from '../../lib/index.js';
import { DECORATOR_MIXES, type AuthDecorator } from './decorator-rule-table.js';

/** The role `@Roles()` requires on a controller of the table. */
export const CLASS_ROLE = 'admin';
/** The role `@Roles()` requires on a method of the table (it replaces the controller's). */
export const METHOD_ROLE = 'editor';

/** The path of the route with `classMix` on its controller and `methodMix` on its method. */
export function mixPath(classIndex: number, methodIndex: number): string {
  return `/mix/c${classIndex}/m${methodIndex}`;
}

function decorator(letter: AuthDecorator, role: string): ClassDecorator & MethodDecorator {
  if (letter === 'P') return Public();
  if (letter === 'O') return OptionalAuth();
  return Roles(role);
}

/**
 * One controller per class mix of the table, each with one route per method mix
 * (`mixPath(i, j)`), answering `{ user: sub | null }`. `guards` are put on every controller with
 * `@UseGuards()`, as apps do with `AuthGuard('jwt')` and `RolesGuard`.
 */
export function decoratorMixControllers(guards: readonly Type<CanActivate>[] = []): Type[] {
  return DECORATOR_MIXES.map((classMix, classIndex) => {
    class MixController {}
    Object.defineProperty(MixController, 'name', { value: `Mix${classIndex}Controller` });
    DECORATOR_MIXES.forEach((methodMix, methodIndex) => {
      const name = `m${methodIndex}`;
      Object.defineProperty(MixController.prototype, name, {
        value: (request: { user?: { sub?: string } | false }) => ({
          user: (request.user && request.user.sub) || null,
        }),
        writable: true,
        configurable: true,
      });
      const descriptor = Object.getOwnPropertyDescriptor(MixController.prototype, name)!;
      for (const letter of methodMix) {
        decorator(letter, METHOD_ROLE)(MixController.prototype, name, descriptor);
      }
      Get(name)(MixController.prototype, name, descriptor);
      Req()(MixController.prototype, name, 0);
    });
    for (const letter of classMix) decorator(letter, CLASS_ROLE)(MixController);
    if (guards.length > 0) UseGuards(...guards)(MixController);
    Controller(`mix/c${classIndex}`)(MixController);
    return MixController;
  });
}
