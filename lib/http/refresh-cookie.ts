import { parseCookie, stringifySetCookie } from 'cookie';
import { z } from 'zod';
import type { TokenPair } from '../access-token/access-token-claims.js';
import { AuthConfigurationError } from '../auth.errors.js';
import type { HeaderCarrier } from './refresh-transport-header.js';

/** Options of {@link RefreshCookie}. */
export interface RefreshCookieOptions {
  /**
   * Cookie name. A `__Host-` name needs `path: '/'` and no `domain`; a `__Secure-` name is
   * always allowed (the cookie is always `Secure`).
   * @default '__Host-refresh_token' when `path` is `'/'` and no `domain` is set, otherwise '__Secure-refresh_token'
   */
  readonly name?: string;
  /**
   * `Path` attribute: the browser sends the cookie only to URLs under it. Keep it to the routes
   * that read the refresh token, so no other request carries it.
   * @default '/auth'
   */
  readonly path?: string;
  /**
   * `Domain` attribute. Unset, the cookie is host-only (safer: subdomains never see it).
   * @default undefined
   */
  readonly domain?: string;
}

/** The part of an Express response or a Fastify reply the helper writes to. */
export type CookieResponse =
  | { append(name: string, value: string): unknown }
  | { header(name: string, value: string): unknown }
  | { appendHeader(name: string, value: string): unknown };

// RFC 6265 section 4.1.1 cookie-name (a token) and path-value (no CTL, no ';').
const COOKIE_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const PATH = /^\/[\u0021-\u003A\u003C-\u007E]*$/;
const DOMAIN =
  /^\.?[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

const optionsSchema = z
  .strictObject({
    name: z.string().regex(COOKIE_NAME, 'must be a cookie name (RFC 6265 token)').optional(),
    path: z.string().regex(PATH, "must start with '/' and hold no ';' or spaces").optional(),
    domain: z.string().regex(DOMAIN, 'must be a host name').optional(),
  })
  .superRefine((options, context) => {
    // RFC 6265bis section 4.1.3.2: browsers drop a __Host- cookie with a Domain or another Path.
    if (options.name?.startsWith('__Host-') && (options.path !== '/' || options.domain)) {
      context.addIssue({
        code: 'custom',
        path: ['name'],
        message: "a '__Host-' name needs path '/' and no domain; use a '__Secure-' name",
      });
    }
  });

/**
 * Sets, reads and clears the refresh-token cookie on Express and Fastify: `HttpOnly` (no script
 * reads it, so an XSS cannot carry the session away), `Secure`, `SameSite=Strict`, scoped to
 * `path`, with `Max-Age` following the session's expiry. Parsing and serialising are the
 * `cookie` package's. Pair it with {@link CsrfOriginCheck} on every route that reads it.
 *
 * @example
 * ```ts
 * const cookie = new RefreshCookie(); // __Secure-refresh_token; Path=/auth
 * const pair = await tokens.refresh(cookie.read(request) ?? '', context);
 * return cookie.issue(response, pair); // the body, without refreshToken
 * ```
 */
export class RefreshCookie {
  /** The cookie name in use. */
  readonly name: string;
  /** The `Path` attribute in use. */
  readonly path: string;
  /** The `Domain` attribute, or `undefined` for a host-only cookie. */
  readonly domain: string | undefined;

  /** @throws {AuthConfigurationError} listing every invalid option */
  constructor(options: RefreshCookieOptions = {}) {
    const result = optionsSchema.safeParse(options);
    if (!result.success) {
      throw new AuthConfigurationError(
        result.error.issues.map((issue) =>
          issue.code === 'unrecognized_keys'
            ? `refreshCookie: ${issue.keys.join(', ')} is not a known option`
            : `refreshCookie.${issue.path.join('.')}: ${issue.message}`,
        ),
      );
    }
    this.path = result.data.path ?? '/auth';
    this.domain = result.data.domain;
    this.name =
      result.data.name ??
      (this.path === '/' && this.domain === undefined
        ? '__Host-refresh_token'
        : '__Secure-refresh_token');
    Object.freeze(this);
  }

  /**
   * The refresh token the request's `Cookie` header carries, or `null` when there is none.
   *
   * @example const token = cookie.read(request);
   */
  read(request: HeaderCarrier): string | null {
    const header = request.headers.cookie;
    if (typeof header !== 'string') return null;
    const value = parseCookie(header)[this.name];
    return value === undefined || value === '' ? null : value;
  }

  /**
   * The `Set-Cookie` value that stores `refreshToken` for `maxAgeSeconds`.
   *
   * @example cookie.serialize(pair.refreshToken, pair.refreshExpiresIn)
   */
  serialize(refreshToken: string, maxAgeSeconds: number): string {
    return stringifySetCookie(this.name, refreshToken, {
      ...this.attributes(),
      maxAge: Math.max(0, Math.floor(maxAgeSeconds)),
    });
  }

  /**
   * Appends the cookie holding `refreshToken` to the response (other `Set-Cookie` headers stay).
   *
   * @example cookie.set(response, pair.refreshToken, pair.refreshExpiresIn);
   */
  set(response: CookieResponse, refreshToken: string, maxAgeSeconds: number): void {
    appendSetCookie(response, this.serialize(refreshToken, maxAgeSeconds));
  }

  /**
   * Sets the cookie from a token pair and returns the body to send: the pair without
   * `refreshToken`, which only the cookie carries.
   *
   * @example return cookie.issue(response, await tokens.issueTokens(user));
   */
  issue(response: CookieResponse, pair: TokenPair): Omit<TokenPair, 'refreshToken'> {
    this.set(response, pair.refreshToken, pair.refreshExpiresIn);
    const { refreshToken: _carriedByCookie, ...body } = pair;
    return body;
  }

  /**
   * Tells the browser to delete the cookie (same name, `Path` and `Domain`, expired).
   *
   * @example cookie.clear(response); // on logout
   */
  clear(response: CookieResponse): void {
    appendSetCookie(
      response,
      stringifySetCookie(this.name, '', {
        ...this.attributes(),
        maxAge: 0,
        expires: new Date(0),
      }),
    );
  }

  private attributes(): {
    httpOnly: true;
    secure: true;
    sameSite: 'strict';
    path: string;
    domain?: string;
  } {
    return {
      httpOnly: true,
      // Chromium and Firefox treat http://localhost and 127.0.0.1 as secure contexts, so a
      // Secure cookie works in local development too (W3C Secure Contexts section 3.2).
      secure: true,
      sameSite: 'strict',
      path: this.path,
      ...(this.domain === undefined ? {} : { domain: this.domain }),
    };
  }
}

function appendSetCookie(response: CookieResponse, value: string): void {
  if ('append' in response && typeof response.append === 'function') {
    // Express: `append` keeps the Set-Cookie headers already set.
    response.append('Set-Cookie', value);
  } else if ('header' in response && typeof response.header === 'function') {
    // Fastify: `reply.header('set-cookie', ...)` accumulates instead of replacing.
    response.header('Set-Cookie', value);
  } else if ('appendHeader' in response && typeof response.appendHeader === 'function') {
    response.appendHeader('Set-Cookie', value);
  } else {
    throw new TypeError('RefreshCookie: not an Express, Fastify or Node HTTP response');
  }
}
