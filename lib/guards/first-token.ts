import type { TokenCarrier, TokenExtractor } from '../options/auth-module-options.js';

/**
 * The token the first extractor finds on `carrier`, or `null`: the one reading of a request
 * shared by the guard, the passport strategy and the socket authenticator.
 */
export function firstToken(
  extractors: readonly TokenExtractor[],
  carrier: TokenCarrier,
): string | null {
  // Indexed: a for-of would allocate an iterator on every request (the guard's hot path).
  for (let index = 0; index < extractors.length; index++) {
    const token = extractors[index]!(carrier);
    if (typeof token === 'string' && token.length > 0) return token;
  }
  return null;
}
