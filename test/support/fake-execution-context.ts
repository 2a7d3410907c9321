import type { ExecutionContext } from '@nestjs/common';

/** A minimal ExecutionContext of the given type, for guard and decorator unit tests. */
export function fakeExecutionContext(
  type: 'http' | 'graphql' | 'ws' | 'rpc',
  args: unknown[],
  target: { handler?: () => unknown; cls?: new () => unknown } = {},
): ExecutionContext {
  const handler = target.handler ?? function handler() {};
  const cls = target.cls ?? class Target {};
  return {
    getType: () => type,
    getArgs: () => args,
    getArgByIndex: (index: number) => args[index],
    getHandler: () => handler,
    getClass: () => cls,
    switchToHttp: () => ({
      getRequest: () => args[0],
      getResponse: () => args[1],
      getNext: () => args[2],
    }),
    switchToWs: () => ({ getClient: () => args[0], getData: () => args[1], getPattern: () => '' }),
    switchToRpc: () => ({ getContext: () => args[1], getData: () => args[0] }),
  } as unknown as ExecutionContext;
}
