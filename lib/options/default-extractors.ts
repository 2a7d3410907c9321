import passportJwt from 'passport-jwt';
import type { TokenCarrier, TokenExtractor } from './auth-module-options.js';

// passport-jwt is CommonJS: its named exports are not statically visible to Node's ESM loader.
const { ExtractJwt } = passportJwt;

// A repeated query parameter arrives as an array; only a single string can be a token.
function stringOnly(extract: (request: TokenCarrier) => unknown): TokenExtractor {
  return (request) => {
    const token = extract(request);
    return typeof token === 'string' && token.length > 0 ? token : null;
  };
}

/**
 * The default token extractors: `Authorization: Bearer <token>` and, only when a query
 * parameter name is given, that parameter (RFC 6750 section 2.3 discourages it: URLs leak
 * through logs and referrers).
 *
 * @param queryParameter - name of the query parameter to read as well, or `null`
 * @returns the extractors, tried in order
 * @example
 * defaultExtractors(null); // [bearer]
 * defaultExtractors('access_token'); // [bearer, ?access_token=]
 */
export function defaultExtractors(queryParameter: string | null): readonly TokenExtractor[] {
  const extractors = [stringOnly(ExtractJwt.fromAuthHeaderAsBearerToken())];
  if (queryParameter !== null) {
    extractors.push(stringOnly(ExtractJwt.fromUrlQueryParameter(queryParameter)));
  }
  return Object.freeze(extractors);
}
