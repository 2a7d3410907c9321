/** The request header a browser page sends to ask for, and to use, the refresh cookie. */
export const REFRESH_TRANSPORT_HEADER = 'x-refresh-transport';

/** The value of {@link REFRESH_TRANSPORT_HEADER} that selects cookie mode. */
export const COOKIE_TRANSPORT = 'cookie';

/** The part of an Express or Fastify request the cookie helpers read. */
export interface HeaderCarrier {
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

/**
 * Whether the request asks for cookie mode: `X-Refresh-Transport: cookie`. The header is not a
 * CORS-safelisted one, so a cross-origin page can send it only after a preflight the app would
 * have to approve (OWASP CSRF Prevention Cheat Sheet, "Employing Custom Request Headers for
 * AJAX/API").
 *
 * @example
 * if (requestsCookieTransport(request)) refreshCookie.set(response, pair.refreshToken, pair.refreshExpiresIn);
 */
export function requestsCookieTransport(request: HeaderCarrier): boolean {
  const value = request.headers[REFRESH_TRANSPORT_HEADER];
  return typeof value === 'string' && value.trim().toLowerCase() === COOKIE_TRANSPORT;
}
