import type { RevocationEntry } from './revocation.store.js';

/**
 * The entry that revokes every access token of a session issued up to now.
 *
 * `issuedBefore` is now plus the clock tolerance: another instance whose clock runs ahead by up
 * to the tolerance, or a rotation in flight, may have signed a token whose `iat` is that far
 * ahead of this clock. The entry lives until every token it names is refused by `exp` anyway:
 * a token with `iat <= issuedBefore` expires at `issuedBefore + ttl` at the latest and is
 * accepted up to the tolerance beyond, so the entry is kept one second longer than that. Its
 * lifetime thus follows from the tokens it names, not from a fixed span after the revocation.
 */
export function sessionRevocation(
  sessionId: string,
  nowMs: number,
  limits: { readonly accessTokenTtl: number; readonly clockTolerance: number },
): Extract<RevocationEntry, { kind: 'session' }> {
  const issuedBefore = Math.floor(nowMs / 1000) + limits.clockTolerance;
  return {
    kind: 'session',
    id: sessionId,
    issuedBefore,
    expiresAt: (issuedBefore + limits.accessTokenTtl + limits.clockTolerance + 1) * 1000,
  };
}
