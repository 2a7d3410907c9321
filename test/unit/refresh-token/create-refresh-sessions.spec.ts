import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { KeyRing } from '../../../lib/keys/key-ring.js';
import type {
  ResolvedAuthOptions,
  ResolvedRefreshTokenOptions,
} from '../../../lib/options/auth-module-options.js';
import { createRefreshSessions } from '../../../lib/refresh-token/create-refresh-sessions.js';
import { MemoryRefreshTokenStore } from '../../../lib/refresh-token/memory-refresh-token.store.js';
import { FixedClock } from '../../support/fixed-clock.js';

const refresh: ResolvedRefreshTokenOptions = {
  ttl: 3600,
  idleTtl: 600,
  reuseGracePeriod: 10,
  maxSessionsPerUser: 0,
  secret: null,
  store: new MemoryRefreshTokenStore(),
  resolveUser: () => null,
  onReuseDetected: null,
  pruneInterval: null,
  pruneRevokedAfter: 3600,
};

const signingKeyRing = {
  signer: {
    kid: 'k1',
    alg: 'ES256',
    key: generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey,
  },
} as unknown as KeyRing;

const withRefresh = (value: ResolvedRefreshTokenOptions | null) =>
  ({ refresh: value }) as ResolvedAuthOptions;

describe('createRefreshSessions', () => {
  it('returns null when refresh tokens are off or the module cannot sign', () => {
    expect(
      createRefreshSessions(withRefresh(null), signingKeyRing, new FixedClock(), () => undefined),
    ).toBeNull();
    const verifyOnly = { signer: null } as unknown as KeyRing;
    expect(
      createRefreshSessions(withRefresh(refresh), verifyOnly, new FixedClock(), () => undefined),
    ).toBeNull();
  });

  it('derives the secret from the signing key when none is configured', async () => {
    const sessions = createRefreshSessions(
      withRefresh(refresh),
      signingKeyRing,
      new FixedClock(),
      () => undefined,
    );
    const opened = await sessions!.open('u1');
    const rotated = await sessions!.rotate(opened.refreshToken, {}, async () => true);
    const replayed = await sessions!.rotate(opened.refreshToken, {}, async () => true);
    expect(replayed).toMatchObject({ replayed: true, refreshToken: rotated.refreshToken });
  });
});
