import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { KeyRing } from '../../lib/keys/key-ring.js';
import { refreshSessionsConfig } from '../../lib/auth.providers.js';
import type {
  ResolvedAuthOptions,
  ResolvedRefreshTokenOptions,
} from '../../lib/options/auth-module-options.js';
import { MemoryRefreshTokenStore } from '../../lib/refresh-token/memory-refresh-token.store.js';
import { RefreshSessions } from '../../lib/refresh-token/refresh-sessions.js';
import { FixedClock } from '../support/fixed-clock.js';

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

describe('refreshSessionsConfig', () => {
  it('is null when refresh tokens are off or the module cannot sign', () => {
    expect(refreshSessionsConfig(withRefresh(null), signingKeyRing)).toBeNull();
    const verifyOnly = { signer: null } as unknown as KeyRing;
    expect(refreshSessionsConfig(withRefresh(refresh), verifyOnly)).toBeNull();
  });

  it('holds the session rules only, with the secret derived from the signing key', async () => {
    const config = refreshSessionsConfig(withRefresh(refresh), signingKeyRing)!;
    expect(Object.keys(config).toSorted()).toEqual([
      'idleTtl',
      'maxSessionsPerUser',
      'pruneRevokedAfter',
      'reuseGracePeriod',
      'secret',
      'ttl',
    ]);
    expect(config.secret).toBeInstanceOf(Uint8Array);
    const sessions = new RefreshSessions(refresh.store, config, new FixedClock());
    const opened = await sessions.open('u1');
    const rotated = await sessions.rotate(opened.refreshToken, {}, async () => true);
    const replayed = await sessions.rotate(opened.refreshToken, {}, async () => true);
    expect(replayed).toMatchObject({ replayed: true, refreshToken: rotated.refreshToken });
  });

  it('keeps a configured secret', () => {
    const secret = new Uint8Array(32).fill(9);
    expect(refreshSessionsConfig(withRefresh({ ...refresh, secret }), signingKeyRing)?.secret).toBe(
      secret,
    );
  });
});
