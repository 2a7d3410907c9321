import { describe, expect, it } from 'vitest';
import { getRequest } from '../../../lib/guards/get-request.js';
import { fakeExecutionContext } from '../../support/fake-execution-context.js';

describe('getRequest', () => {
  const request = { headers: { authorization: 'Bearer x' } };

  it('reads the HTTP request', () => {
    expect(getRequest(fakeExecutionContext('http', [request, {}]))).toBe(request);
  });

  it('reads the request GraphQL puts in its context, without @nestjs/graphql', () => {
    expect(getRequest(fakeExecutionContext('graphql', [{}, {}, { req: request }, {}]))).toBe(
      request,
    );
  });

  it('reads the Fastify request GraphQL keeps as `request` (Apollo) or on `reply` (Mercurius)', () => {
    expect(getRequest(fakeExecutionContext('graphql', [{}, {}, { request }, {}]))).toBe(request);
    expect(getRequest(fakeExecutionContext('graphql', [{}, {}, { reply: { request } }, {}]))).toBe(
      request,
    );
  });

  it("reads socket.io's handshake, or the upgrade request a ws client keeps", () => {
    expect(getRequest(fakeExecutionContext('ws', [{ handshake: request }, {}]))).toBe(request);
    expect(getRequest(fakeExecutionContext('ws', [{ request }, {}]))).toBe(request);
  });

  it('has no request in an RPC context', () => {
    expect(getRequest(fakeExecutionContext('rpc', [{}, {}]))).toBeUndefined();
  });
});
