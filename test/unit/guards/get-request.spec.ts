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

  it("reads socket.io's handshake, or the upgrade request a ws client keeps, into one carrier per socket", () => {
    const client = { handshake: { ...request, query: { a: '1' } } };
    const carrier = getRequest(fakeExecutionContext('ws', [client, {}]));
    expect(carrier).toEqual({ headers: request.headers, query: { a: '1' } });
    expect(carrier).not.toBe(client.handshake);
    expect(getRequest(fakeExecutionContext('ws', [client, {}]))).toBe(carrier);
    expect(getRequest(fakeExecutionContext('ws', [{ request }, {}]))).toEqual({
      headers: request.headers,
    });
  });

  it("takes socket.io's auth.token as the Bearer token, and refuses two different tokens", () => {
    const token = (handshake: object) =>
      getRequest(fakeExecutionContext('ws', [{ handshake }, {}]))?.headers.authorization;
    expect(token({ headers: {}, auth: { token: 'abc' } })).toBe('Bearer abc');
    expect(token({ headers: {}, auth: { token: 'Bearer abc' } })).toBe('Bearer abc');
    expect(token({ headers: { authorization: 'Bearer abc' }, auth: { token: 'abc' } })).toBe(
      'Bearer abc',
    );
    // Not a string: the default extractor finds no token in it.
    expect(token({ headers: { authorization: 'Bearer xyz' }, auth: { token: 'abc' } })).toEqual([
      'Bearer xyz',
      'Bearer abc',
    ]);
  });

  it('has no request in an RPC context', () => {
    expect(getRequest(fakeExecutionContext('rpc', [{}, {}]))).toBeUndefined();
  });
});
