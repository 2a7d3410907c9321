import type { TokenCarrier, TokenExtractor } from './auth-module-options.js';

// RFC 6750 section 2.1 with passport-jwt's reading of it, which apps migrating from
// AuthGuard('jwt') rely on: the scheme is case-insensitive and only the first
// whitespace-delimited value after it is the token (security catalogue A02, A04).
const AUTH_HEADER = /(\S+)\s+(\S+)/;

// The form every client sends, read without the regex's match array and lower-casing: the same
// answer as AUTH_HEADER when the header starts with 'Bearer ' and a non-space (the fast path
// runs on every guarded request). The token is the run of non-whitespace from there, as \S+;
// a sticky run match is about twice as fast per character as searching for the next \s.
const TOKEN_RUN = /\S*/y;
const FAST_PREFIX = 'Bearer ';

function bearerHeader(request: TokenCarrier): string | null {
  const header = request.headers.authorization;
  // Node keeps the first of duplicated `authorization` headers; an array is not a header we trust.
  if (typeof header !== 'string') return null;
  if (header.startsWith(FAST_PREFIX) && header.length > 7 && !isSpace(header.charCodeAt(7))) {
    TOKEN_RUN.lastIndex = 8;
    TOKEN_RUN.test(header);
    return header.slice(7, TOKEN_RUN.lastIndex);
  }
  const match = AUTH_HEADER.exec(header);
  if (match === null || (match[1] as string).toLowerCase() !== 'bearer') return null;
  return match[2] as string;
}

const SINGLE_WHITESPACE = /\s/;
// What \s matches: ASCII space, tab to carriage return, and (rare, so left to the regex)
// the Unicode spaces above 0x7f.
function isSpace(code: number): boolean {
  return (
    code === 32 ||
    (code >= 9 && code <= 13) ||
    (code > 0x7f && SINGLE_WHITESPACE.test(String.fromCharCode(code)))
  );
}

// A repeated query parameter is an array (or several values): never a token.
function singleValue(value: unknown): string | null {
  return typeof value === 'string' && value.length > 0 ? value : null;
}

function queryParameter(name: string): TokenExtractor {
  return (request) => {
    const query = request.query;
    if (typeof query === 'object' && query !== null) {
      return singleValue((query as Record<string, unknown>)[name]);
    }
    if (typeof request.url !== 'string') return null;
    const values = new URL(request.url, 'http://localhost').searchParams.getAll(name);
    return values.length === 1 ? singleValue(values[0]) : null;
  };
}

/**
 * The default token extractors: `Authorization: Bearer <token>` and, only when a query
 * parameter name is given, that parameter (RFC 6750 section 2.3 discourages it: URLs leak
 * through logs and referrers).
 *
 * @param name - name of the query parameter to read as well, or `null`
 * @returns the extractors, tried in order
 * @example
 * defaultExtractors(null); // [bearer]
 * defaultExtractors('access_token'); // [bearer, ?access_token=]
 */
export function defaultExtractors(name: string | null): readonly TokenExtractor[] {
  const extractors: TokenExtractor[] = [bearerHeader];
  if (name !== null) extractors.push(queryParameter(name));
  return Object.freeze(extractors);
}
