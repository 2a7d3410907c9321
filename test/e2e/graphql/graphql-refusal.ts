import { expect } from 'vitest';

/** The JSON body of a GraphQL response. */
export interface GraphqlBody {
  data?: Record<string, unknown> | null;
  errors?: { message: string; path?: unknown[]; extensions?: Record<string, unknown> }[];
}

/**
 * The refusal a GraphQL client relies on: one error with the fixed message and
 * `extensions.code`, and nothing a client should not see (no stack frame, no jose message).
 */
export function expectGraphqlRefusal(
  body: GraphqlBody,
  code: 'UNAUTHENTICATED' | 'FORBIDDEN',
  message: string,
  { partial = false } = {},
): void {
  expect(body.errors).toHaveLength(1);
  const [error] = body.errors!;
  expect(error!.message).toBe(message);
  expect(error!.extensions?.code).toBe(code);
  if (!partial) expect(body.data ?? null).toBeNull();
  const text = JSON.stringify(body);
  expect(text).not.toMatch(/\s+at\s|\.ts:\d|\.js:\d|node_modules/);
  expect(text).not.toMatch(/ERR_JW|JWS|JWT|signature|exp" claim/i);
  expect(text).not.toContain('ERR_AUTH');
}

/** What a refused subscription yields: one result holding the error, no data. */
export function subscriptionRefusal(message: string): unknown[] {
  return [
    {
      errors: [
        {
          message,
          locations: expect.any(Array) as unknown,
          path: ['greetings'],
          extensions: { code: 'UNAUTHENTICATED' },
        },
      ],
    },
  ];
}
