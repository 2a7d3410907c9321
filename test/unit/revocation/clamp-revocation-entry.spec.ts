import { describe, expect, it } from 'vitest';
import { clampRevocationEntry } from '../../../lib/revocation/clamp-revocation-entry.js';

const now = Date.UTC(2026, 0, 1);
const limits = { accessTokenTtl: 600, clockTolerance: 5 };
/** The furthest expiry this module ever writes: see sessionRevocation. */
const latestExpiry = now + (600 + 2 * 5 + 1) * 1000;

describe('clampRevocationEntry (entries read from a shared backend)', () => {
  it('keeps what this module writes unchanged', () => {
    const entry = {
      kind: 'session',
      id: 's',
      issuedBefore: now / 1000 + 5,
      expiresAt: latestExpiry,
    } as const;
    expect(clampRevocationEntry(entry, limits, now)).toEqual(entry);
  });

  it('cuts an expiry beyond one access-token lifetime plus tolerance down to it', () => {
    const clamped = clampRevocationEntry(
      { kind: 'token', id: 'j', expiresAt: now + 10 * 365 * 86_400_000 },
      limits,
      now,
    );
    expect(clamped).toEqual({ kind: 'token', id: 'j', expiresAt: latestExpiry });
  });

  it('never lets an issuedBefore reach tokens issued later than the tolerance ahead', () => {
    const clamped = clampRevocationEntry(
      { kind: 'subject', id: 'u', issuedBefore: now / 1000 + 86_400, expiresAt: now + 60_000 },
      limits,
      now,
    );
    expect(clamped).toEqual({
      kind: 'subject',
      id: 'u',
      issuedBefore: now / 1000 + 5,
      expiresAt: now + 60_000,
    });
  });

  it('drops expired and malformed entries', () => {
    expect(
      clampRevocationEntry({ kind: 'token', id: 'j', expiresAt: now }, limits, now),
    ).toBeNull();
    expect(
      clampRevocationEntry({ kind: 'token', id: 'j', expiresAt: Number.NaN }, limits, now),
    ).toBeNull();
    expect(
      clampRevocationEntry({ kind: 'token', id: 'j', expiresAt: now + 0.5 }, limits, now),
    ).toBeNull();
    expect(
      clampRevocationEntry({ kind: 'token', id: '', expiresAt: now + 1000 }, limits, now),
    ).toBeNull();
    expect(
      clampRevocationEntry(
        { kind: 'token', id: 'x'.repeat(1025), expiresAt: now + 1000 },
        limits,
        now,
      ),
    ).toBeNull();
    expect(
      clampRevocationEntry(
        { kind: 'session', id: 's', issuedBefore: Number.POSITIVE_INFINITY, expiresAt: now + 1000 },
        limits,
        now,
      ),
    ).toBeNull();
  });
});
