import { parseSetCookie } from 'cookie';
import { describe, expect, it } from 'vitest';
import type { TokenPair } from '../../../lib/access-token/access-token-claims.js';
import { RefreshCookie } from '../../../lib/http/refresh-cookie.js';

const TOKEN = 'rt3zn0jXLoCuwxLE9vE_FMWnjNO0fPLHPfZCkYVw-JX';

/** Express's `res.append`: keeps earlier values of the header. */
function expressResponse(): { append(name: string, value: string): void; headers: string[][] } {
  const headers: string[][] = [];
  return { headers, append: (name, value) => void headers.push([name, value]) };
}

/** Fastify's `reply.header`: accumulates set-cookie, replaces anything else. */
function fastifyReply(): { header(name: string, value: string): void; cookies: string[] } {
  const cookies: string[] = [];
  return {
    cookies,
    header: (name, value) => {
      if (name.toLowerCase() === 'set-cookie') cookies.push(value);
    },
  };
}

describe('RefreshCookie', () => {
  it('defaults to a __Secure- cookie: HttpOnly, Secure, SameSite=Strict, Path=/auth, Max-Age', () => {
    const cookie = new RefreshCookie();
    const header = cookie.serialize(TOKEN, 1_209_600);
    expect(header).toBe(
      `__Secure-refresh_token=${TOKEN}; Max-Age=1209600; Path=/auth; HttpOnly; Secure; SameSite=Strict`,
    );
    expect(parseSetCookie(header)).toMatchObject({
      name: '__Secure-refresh_token',
      value: TOKEN,
      httpOnly: true,
      secure: true,
      sameSite: 'strict',
      path: '/auth',
      maxAge: 1_209_600,
    });
    expect(header).not.toMatch(/Domain=/i);
  });

  it('takes the __Host- prefix when the path is / and no domain is set', () => {
    expect(new RefreshCookie({ path: '/' }).name).toBe('__Host-refresh_token');
    expect(new RefreshCookie({ path: '/', domain: 'example.com' }).name).toBe(
      '__Secure-refresh_token',
    );
  });

  it('keeps a configured name, path and domain', () => {
    const cookie = new RefreshCookie({ name: 'rt', path: '/api/auth', domain: 'example.com' });
    expect(cookie.serialize(TOKEN, 60)).toBe(
      `rt=${TOKEN}; Max-Age=60; Domain=example.com; Path=/api/auth; HttpOnly; Secure; SameSite=Strict`,
    );
  });

  it.each<[string, object, RegExp]>([
    ['a __Host- name with another path', { name: '__Host-rt' }, /refreshCookie\.name: a '__Host-'/],
    [
      'a __Host- name with a domain',
      { name: '__Host-rt', path: '/', domain: 'example.com' },
      /refreshCookie\.name/,
    ],
    [
      'a name with a space',
      { name: 'refresh token' },
      /refreshCookie\.name: must be a cookie name/,
    ],
    ['a name with =', { name: 'a=b' }, /refreshCookie\.name/],
    ['a relative path', { path: 'auth' }, /refreshCookie\.path/],
    ['a path with ;', { path: '/auth;Domain=evil.test' }, /refreshCookie\.path/],
    ['a domain with ;', { domain: 'example.com; SameSite=None' }, /refreshCookie\.domain/],
    ['an unknown option', { secure: false }, /refreshCookie: secure is not a known option/],
  ])('refuses %s at construction', (_case, options, message) => {
    expect(() => new RefreshCookie(options)).toThrow(message);
    expect(() => new RefreshCookie(options)).toThrow(
      expect.objectContaining({ code: 'ERR_AUTH_CONFIGURATION' }),
    );
  });

  it('reads the token from the Cookie header among other cookies', () => {
    const cookie = new RefreshCookie();
    const request = {
      headers: { cookie: `theme=dark; __Secure-refresh_token=${TOKEN}; lang=en` },
    };
    expect(cookie.read(request)).toBe(TOKEN);
  });

  it.each<[string, Record<string, string | string[] | undefined>]>([
    ['no Cookie header', {}],
    ['other cookies only', { cookie: 'theme=dark' }],
    ['an empty value', { cookie: '__Secure-refresh_token=' }],
    ['the name without its prefix', { cookie: `refresh_token=${TOKEN}` }],
    ['a cookie of another name that ends like it', { cookie: `x__Secure-refresh_token=${TOKEN}` }],
  ])('reads null from %s', (_case, headers) => {
    expect(new RefreshCookie().read({ headers })).toBeNull();
  });

  it('sets the cookie on an Express response without dropping other Set-Cookie headers', () => {
    const response = expressResponse();
    response.append('Set-Cookie', 'theme=dark');
    new RefreshCookie().set(response, TOKEN, 30);
    expect(response.headers).toEqual([
      ['Set-Cookie', 'theme=dark'],
      [
        'Set-Cookie',
        `__Secure-refresh_token=${TOKEN}; Max-Age=30; Path=/auth; HttpOnly; Secure; SameSite=Strict`,
      ],
    ]);
  });

  it('sets the cookie on a Fastify reply', () => {
    const reply = fastifyReply();
    new RefreshCookie().set(reply, TOKEN, 30);
    expect(reply.cookies).toEqual([
      `__Secure-refresh_token=${TOKEN}; Max-Age=30; Path=/auth; HttpOnly; Secure; SameSite=Strict`,
    ]);
  });

  it('issue() sets the cookie from the pair and returns the body without refreshToken', () => {
    const reply = fastifyReply();
    const pair: TokenPair = {
      accessToken: 'a.b.c',
      tokenType: 'Bearer',
      expiresIn: 900,
      refreshToken: TOKEN,
      refreshExpiresIn: 3600,
    };
    const body = new RefreshCookie().issue(reply, pair);
    expect(body).toEqual({
      accessToken: 'a.b.c',
      tokenType: 'Bearer',
      expiresIn: 900,
      refreshExpiresIn: 3600,
    });
    expect(reply.cookies[0]).toContain(`=${TOKEN}; Max-Age=3600;`);
  });

  it.each([
    [
      'an Express response',
      expressResponse,
      (r: ReturnType<typeof expressResponse>) => r.headers.map(([, v]) => v),
    ],
    ['a Fastify reply', fastifyReply, (r: ReturnType<typeof fastifyReply>) => r.cookies],
  ] as const)(
    'clears the cookie on %s with the same name, path and domain',
    (_case, make, values) => {
      const response = make();
      new RefreshCookie({ domain: 'example.com' }).clear(response as never);
      const [header] = values(response as never) as string[];
      expect(header).toBe(
        '__Secure-refresh_token=; Max-Age=0; Domain=example.com; Path=/auth; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; Secure; SameSite=Strict',
      );
    },
  );

  it('never writes a negative or fractional Max-Age', () => {
    expect(new RefreshCookie().serialize(TOKEN, -5)).toContain('Max-Age=0;');
    expect(new RefreshCookie().serialize(TOKEN, 59.9)).toContain('Max-Age=59;');
  });

  it('refuses a response it cannot write to', () => {
    expect(() => new RefreshCookie().set({} as never, TOKEN, 1)).toThrow(TypeError);
  });
});
