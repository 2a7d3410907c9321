import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants.js';
import { describe, expect, it } from 'vitest';
import { getRequest } from '../../../lib/guards/get-request.js';
import { CurrentUser, Public } from '../../../lib/index.js';
import { fakeExecutionContext } from '../../support/fake-execution-context.js';

function factoryOf(decorator: ParameterDecorator): (data: unknown, context: unknown) => unknown {
  class Target {
    handler(_user: unknown): void {}
  }
  decorator(Target.prototype, 'handler', 0);
  const metadata = Reflect.getMetadata(ROUTE_ARGS_METADATA, Target, 'handler') as Record<
    string,
    { factory: (data: unknown, context: unknown) => unknown; data: unknown }
  >;
  const entry = Object.values(metadata)[0]!;
  return (_data, context) => entry.factory(entry.data, context);
}

describe('@CurrentUser()', () => {
  const user = { sub: 'u1', roles: ['user'] };

  it('returns the claims attached by the guard, or one claim of them', () => {
    const context = fakeExecutionContext('http', [{ headers: {}, user }, {}]);
    expect(factoryOf(CurrentUser())(undefined, context)).toBe(user);
    expect(factoryOf(CurrentUser('sub'))(undefined, context)).toBe('u1');
  });

  it('works in GraphQL and WebSocket contexts', () => {
    const graphql = fakeExecutionContext('graphql', [{}, {}, { req: { headers: {}, user } }, {}]);
    expect(factoryOf(CurrentUser('sub'))(undefined, graphql)).toBe('u1');
    const ws = fakeExecutionContext('ws', [{ handshake: { headers: {} } }, {}]);
    getRequest(ws)!.user = user as never;
    expect(factoryOf(CurrentUser())(undefined, ws)).toBe(user);
  });

  it('is undefined on a @Public() socket message, whatever an earlier message attached', () => {
    class Gateway {
      @Public()
      open(): void {}
    }
    const client = { handshake: { headers: {} } };
    const guarded = fakeExecutionContext('ws', [client, {}]);
    getRequest(guarded)!.user = user as never;
    const open = fakeExecutionContext('ws', [client, {}], {
      handler: Gateway.prototype.open,
      cls: Gateway,
    });
    expect(factoryOf(CurrentUser())(undefined, open)).toBeUndefined();
    expect(factoryOf(CurrentUser())(undefined, guarded)).toBe(user);
  });

  it('is undefined on an anonymous request', () => {
    const context = fakeExecutionContext('http', [{ headers: {} }, {}]);
    expect(factoryOf(CurrentUser())(undefined, context)).toBeUndefined();
  });
});
