import { AccessTokenRevokedError } from '../auth.errors.js';
import type { Clock } from '../clock.js';
import type { RevocationStore } from '../revocation/revocation.store.js';
import type { AccessTokenClaims } from './access-token-claims.js';
import type { AccessTokenVerifier } from './verify-access-token.js';

// A store whose `isRevoked` answers with a promise (a backend queried per request) is served
// too, on the slow path; the in-process stores answer synchronously.
type RevocationAnswer = boolean | PromiseLike<boolean>;

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

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
    if (cached !== undefined) {
      const revoked = this.isRevoked(cached, nowMs);
      if (revoked === false) return cached;
      if (revoked === true) throw new AccessTokenRevokedError();
      return this.settle(cached, revoked);
    }
    return this.verifier.verify(token).then((claims) => {
      const revoked = this.isRevoked(claims, this.clock.now());
      if (revoked === false) return claims;
      if (revoked === true) throw new AccessTokenRevokedError();
      return this.settle(claims, revoked);
    });
  }

  /**
   * {@link authenticate}, always as a promise.
   * @throws {AccessTokenInvalidError} | {AccessTokenExpiredError} | {AccessTokenRevokedError}
   */
  async authenticateAsync(token: string): Promise<AccessTokenClaims> {
    return this.authenticate(token);
  }

  private isRevoked(claims: AccessTokenClaims, nowMs: number): RevocationAnswer {
    const answer = this.revocations.isRevoked(claims, nowMs) as RevocationAnswer;
    // Anything but a boolean or a promise is treated as revoked: fail closed.
    return typeof answer === 'boolean' || isThenable(answer) ? answer : true;
  }

  private async settle(
    claims: AccessTokenClaims,
    revoked: PromiseLike<boolean>,
  ): Promise<AccessTokenClaims> {
    if ((await revoked) !== false) throw new AccessTokenRevokedError();
    return claims;
  }
}
