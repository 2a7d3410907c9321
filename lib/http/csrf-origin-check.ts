import { z } from 'zod';
import { AuthConfigurationError, CrossSiteRequestError } from '../auth.errors.js';
import { requestsCookieTransport, type HeaderCarrier } from './refresh-transport-header.js';

/** Options of {@link CsrfOriginCheck}. */
export interface CsrfOriginCheckOptions {
  /**
   * Origins other than the app's own whose pages may send cookie-carried requests, each a
   * serialized origin such as `'https://app.example.com'` (scheme, host, port; no path).
   * @default []
   */
  readonly allowedOrigins?: readonly string[];
}

/** The part of an Express or Fastify request the check reads. */
export interface OriginCheckRequest extends HeaderCarrier {
  /** `'http'` or `'https'`: Express `req.protocol`, Fastify `request.protocol`. */
  readonly protocol?: string;
  readonly socket?: { readonly encrypted?: boolean } | null;
}

/** The verdict of {@link CsrfOriginCheck.check}. */
export type CsrfVerdict =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly reason: CrossSiteRequestError['reason'] };

function serializedOrigin(text: string): string | null {
  try {
    const url = new URL(text);
    return url.origin === 'null' ? null : url.origin;
  } catch {
    return null;
  }
}

const optionsSchema = z.strictObject({
  allowedOrigins: z
    .array(
      z
        .string()
        .refine(
          (origin) => serializedOrigin(origin) === origin,
          "must be a serialized origin such as 'https://app.example.com' (no path, no trailing '/')",
        ),
    )
    .optional(),
});

/**
 * The CSRF defence of requests that the refresh cookie authenticates, after OWASP's CSRF
 * Prevention Cheat Sheet: a custom request header (`X-Refresh-Transport: cookie`, which a
 * cross-origin page can send only through a CORS preflight) plus verification of the `Origin`
 * header against the app's own origin (the scheme and the `Host` of the request) and the
 * configured ones. `Origin: null` (sandboxed frames, some redirects) is refused. A request
 * without `Origin` passes on the header alone: browsers send `Origin` on every cross-origin
 * `fetch`, so its absence means a same-origin or non-browser client. `SameSite=Strict` on the
 * cookie is the third layer. Run it before the token is used, so a refused request spends nothing.
 *
 * @example
 * ```ts
 * const csrf = new CsrfOriginCheck({ allowedOrigins: ['https://app.example.com'] });
 * csrf.assert(request); // throws CrossSiteRequestError (403) before tokens.refresh(...)
 * ```
 */
export class CsrfOriginCheck {
  /** The configured extra origins. */
  readonly allowedOrigins: ReadonlySet<string>;

  /** @throws {AuthConfigurationError} listing every invalid origin */
  constructor(options: CsrfOriginCheckOptions = {}) {
    const result = optionsSchema.safeParse(options);
    if (!result.success) {
      throw new AuthConfigurationError(
        result.error.issues.map((issue) =>
          issue.code === 'unrecognized_keys'
            ? `csrf: ${issue.keys.join(', ')} is not a known option`
            : `csrf.${issue.path.join('.')}: ${issue.message}`,
        ),
      );
    }
    this.allowedOrigins = new Set(result.data.allowedOrigins ?? []);
    Object.freeze(this);
  }

  /**
   * Judges a cookie-carried request.
   *
   * @example if (!csrf.check(request).allowed) reply.code(403);
   */
  check(request: OriginCheckRequest): CsrfVerdict {
    if (!requestsCookieTransport(request)) return { allowed: false, reason: 'missing-header' };
    const origin = request.headers.origin;
    if (origin === undefined) return { allowed: true };
    if (typeof origin !== 'string' || origin.trim() === 'null') {
      return { allowed: false, reason: 'null-origin' };
    }
    if (this.allowedOrigins.has(origin) || origin === ownOrigin(request)) {
      return { allowed: true };
    }
    return { allowed: false, reason: 'foreign-origin' };
  }

  /**
   * Throws unless {@link check} allows the request.
   *
   * @example csrf.assert(request);
   * @throws {CrossSiteRequestError} rendered as 403 by `authErrorToHttp`
   */
  assert(request: OriginCheckRequest): void {
    const verdict = this.check(request);
    if (!verdict.allowed) throw new CrossSiteRequestError(verdict.reason);
  }
}

// The origin the request was addressed to: the scheme the server saw and the Host header
// (RFC 9110 section 7.2). Behind a TLS-terminating proxy, let the engine trust it (Express
// `trust proxy`, Fastify `trustProxy`) so `protocol` is 'https', or list the public origin.
function ownOrigin(request: OriginCheckRequest): string | null {
  const host = request.headers.host;
  // A Host with user info, a path or a query is not a host name: it names no origin.
  if (typeof host !== 'string' || host === '' || /[/\\@?#\s]/.test(host)) return null;
  const encrypted = request.protocol === undefined && request.socket?.encrypted === true;
  const scheme = request.protocol === 'https' || encrypted ? 'https' : 'http';
  return serializedOrigin(`${scheme}://${host}`);
}
