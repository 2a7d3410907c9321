import type { RevocationEntry, RevocationStoreContext } from './revocation.store.js';

/** Longest id a shared backend may hand us (a `jti`, `sid` or `sub`). */
const MAX_ID_LENGTH = 1024;

/**
 * Bounds an entry read from a shared backend by what this module could have written: an
 * `issuedBefore` at most the clock tolerance ahead of now (what {@link sessionRevocation} writes),
 * an expiry at most one access-token lifetime plus the tolerance after that. So a forged or
 * corrupted entry can deny a user for one access-token lifetime at worst, never until a restart,
 * and cannot deny tokens issued later. Returns `null` for an entry that is already over or
 * malformed (non-integer times, an oversized id).
 */
export function clampRevocationEntry(
  entry: RevocationEntry,
  limits: Pick<RevocationStoreContext, 'accessTokenTtl' | 'clockTolerance'>,
  nowMs: number,
): RevocationEntry | null {
  if (entry.id.length === 0 || entry.id.length > MAX_ID_LENGTH) return null;
  if (!Number.isSafeInteger(entry.expiresAt) || entry.expiresAt <= nowMs) return null;
  const latestIssuedBefore = Math.floor(nowMs / 1000) + limits.clockTolerance;
  const latestExpiry =
    (latestIssuedBefore + limits.accessTokenTtl + limits.clockTolerance + 1) * 1000;
  const expiresAt = Math.min(entry.expiresAt, latestExpiry);
  if (entry.kind === 'token') return { kind: 'token', id: entry.id, expiresAt };
  if (!Number.isSafeInteger(entry.issuedBefore)) return null;
  return {
    kind: entry.kind,
    id: entry.id,
    issuedBefore: Math.min(entry.issuedBefore, latestIssuedBefore),
    expiresAt,
  };
}
