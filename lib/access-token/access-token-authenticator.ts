import { AccessTokenRevokedError } from '../auth.errors.js';
import type { Clock } from '../clock.js';
import type { RevocationStore } from '../revocation/revocation.store.js';
import type { AccessTokenClaims } from './access-token-claims.js';
import type { AccessTokenVerifier } from './verify-access-token.js';

/**
 * The one authentication of an access token: verification (jose, pinned algorithms, every
 * claim, the verified-token cache) and the revocation check. `AccessTokenGuard`, the passport
 * strategy and `TokenService.verifyAccessToken` all go through it.
 *
 * It runs on every guarded request, so a token found in the cache and not revoked is answered
 * synchronously: no promise, no allocation beyond what the checks need. Everything else (a
 * token not cached yet, an asynchronous revocation store) returns a promise.
 */
export class AccessTokenAuthenticator {
  /**
   * @param verifier - the access-token verifier (and its cache)
   * @param revocations - the revocation store
   * @param clock - the time source of the revocation check
   */
  constructor(
    private readonly verifier: AccessTokenVerifier,
    private readonly revocations: RevocationStore,
    private readonly clock: Clock,
  ) {}

  /**
   * Authenticates `token`: its verified claims, frozen; synchronously when the answer is known
   * at once (a cached, unrevoked token, or a revoked cached one, which throws at once).
   *
   * @throws {AccessTokenInvalidError} | {AccessTokenExpiredError} | {AccessTokenRevokedError},
   *   synchronously or as the rejection of the promise
   * @example
   * const result = authenticator.authenticate(token);
   * const claims = result instanceof Promise ? await result : result;
   */
  authenticate(token: string): AccessTokenClaims | Promise<AccessTokenClaims> {
    // One clock read serves the cache's expiry check and the revocation check.
    const nowMs = this.clock.now();
    const cached = this.verifier.verifyCached(token, nowMs);
    if (cached !== undefined) return this.unlessRevoked(cached, nowMs);
    return this.verifier
      .verify(token)
      .then((claims) => this.unlessRevoked(claims, this.clock.now()));
  }

  private unlessRevoked(claims: AccessTokenClaims, nowMs: number): AccessTokenClaims {
    // The contract is a synchronous boolean; only `false` admits, so a store that breaks it
    // (a promise, `undefined`) fails closed.
    if (this.revocations.isRevoked(claims, nowMs) !== false) throw new AccessTokenRevokedError();
    return claims;
  }
}
