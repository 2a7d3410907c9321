import { describe, expect, it } from 'vitest';
import { CsrfOriginCheck, type OriginCheckRequest } from '../../../lib/http/csrf-origin-check.js';
import { requestsCookieTransport } from '../../../lib/http/refresh-transport-header.js';

const ALLOWED = 'https://app.example.com';

/** An Express request: `protocol` is a getter on the request (trust-proxy aware). */
function expressRequest(headers: Record<string, string>, protocol = 'http'): OriginCheckRequest {
  const request = Object.create({
    get protocol() {
      return protocol;
    },
  }) as { headers: Record<string, string> };
  request.headers = headers;
  return request as OriginCheckRequest;
}

/** A Fastify request: `protocol` is a plain property; `socket` is the raw socket. */
function fastifyRequest(headers: Record<string, string>, protocol = 'http'): OriginCheckRequest {
  return { headers, protocol, socket: { encrypted: protocol === 'https' } };
}

const SHAPES = [
  ['Express', expressRequest],
  ['Fastify', fastifyRequest],
] as const;

describe.each(SHAPES)('CsrfOriginCheck on %s requests', (_adapter, make) => {
  const check = new CsrfOriginCheck({ allowedOrigins: [ALLOWED] });
  const cookieMode = { host: 'api.example.com', 'x-refresh-transport': 'cookie' };

  it.each<[string, Record<string, string>, string | undefined, string]>([
    ['no X-Refresh-Transport header', { host: 'api.example.com' }, undefined, 'missing-header'],
    [
      'a header with another value',
      { host: 'api.example.com', 'x-refresh-transport': 'body' },
      undefined,
      'missing-header',
    ],
    [
      'the header but a foreign Origin',
      { ...cookieMode, origin: 'https://evil.example' },
      undefined,
      'foreign-origin',
    ],
    ['Origin: null', { ...cookieMode, origin: 'null' }, undefined, 'null-origin'],
    [
      'a sibling subdomain',
      { ...cookieMode, origin: 'https://evil.app.example.com' },
      undefined,
      'foreign-origin',
    ],
    [
      'the own host on another scheme',
      { ...cookieMode, origin: 'https://api.example.com' },
      'http',
      'foreign-origin',
    ],
    [
      'the own host on another port',
      { ...cookieMode, origin: 'http://api.example.com:8080' },
      undefined,
      'foreign-origin',
    ],
    [
      'an allowed origin with a trailing slash',
      { ...cookieMode, origin: `${ALLOWED}/` },
      undefined,
      'foreign-origin',
    ],
    [
      'an Origin that matches a forged Host with a path',
      { 'x-refresh-transport': 'cookie', host: 'evil.example/x', origin: 'http://evil.example' },
      undefined,
      'foreign-origin',
    ],
    [
      'an Origin that matches a Host with user info',
      { 'x-refresh-transport': 'cookie', host: 'x@evil.example', origin: 'http://evil.example' },
      undefined,
      'foreign-origin',
    ],
    ['an empty Origin', { ...cookieMode, origin: '' }, undefined, 'foreign-origin'],
  ])('refuses %s', (_case, headers, protocol, reason) => {
    const request = make(headers, protocol);
    expect(check.check(request)).toEqual({ allowed: false, reason });
    expect(() => check.assert(request)).toThrow(
      expect.objectContaining({ code: 'ERR_AUTH_CROSS_SITE_REQUEST', reason }),
    );
  });

  it.each<[string, Record<string, string>, string | undefined]>([
    ['the header and no Origin (same-origin or non-browser client)', cookieMode, undefined],
    ['the own origin', { ...cookieMode, origin: 'http://api.example.com' }, 'http'],
    ['the own origin over https', { ...cookieMode, origin: 'https://api.example.com' }, 'https'],
    [
      'the own origin with a port',
      { ...cookieMode, host: '127.0.0.1:3000', origin: 'http://127.0.0.1:3000' },
      undefined,
    ],
    [
      'the own origin when Host spells the default port',
      { ...cookieMode, host: 'api.example.com:443', origin: 'https://api.example.com' },
      'https',
    ],
    [
      'a Host in capitals',
      { ...cookieMode, host: 'API.example.com', origin: 'http://api.example.com' },
      'http',
    ],
    ['an allowed origin', { ...cookieMode, origin: ALLOWED }, undefined],
    [
      'the header value in capitals',
      { host: 'a.test', 'x-refresh-transport': 'Cookie' },
      undefined,
    ],
  ])('accepts %s', (_case, headers, protocol) => {
    const request = make(headers, protocol);
    expect(check.check(request)).toEqual({ allowed: true });
    expect(() => check.assert(request)).not.toThrow();
  });
});

describe('CsrfOriginCheck options', () => {
  it('allows no other origin by default', () => {
    const request = fastifyRequest({
      host: 'api.example.com',
      'x-refresh-transport': 'cookie',
      origin: ALLOWED,
    });
    expect(new CsrfOriginCheck().check(request)).toEqual({
      allowed: false,
      reason: 'foreign-origin',
    });
  });

  it.each([
    ['a path', 'https://app.example.com/login'],
    ['a trailing slash', 'https://app.example.com/'],
    ['no scheme', 'app.example.com'],
    ['null', 'null'],
    ['a wildcard', '*'],
    ['a file URL', 'file:///tmp/page.html'],
  ])('refuses an allowed origin with %s, naming the option', (_case, origin) => {
    expect(() => new CsrfOriginCheck({ allowedOrigins: [origin] })).toThrow(
      /csrf\.allowedOrigins\.0: must be a serialized origin/,
    );
  });
});

describe('requestsCookieTransport', () => {
  it.each<[Record<string, string | string[]>, boolean]>([
    [{ 'x-refresh-transport': 'cookie' }, true],
    [{ 'x-refresh-transport': ' COOKIE ' }, true],
    [{ 'x-refresh-transport': 'cookie, cookie' }, false],
    [{ 'x-refresh-transport': ['cookie'] }, false],
    [{}, false],
  ])('%j -> %s', (headers, expected) => {
    expect(requestsCookieTransport({ headers })).toBe(expected);
  });
});
