import { randomBytes } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUTH_KEY_RING } from '../../../lib/auth.constants.js';
import {
  MemoryRefreshTokenStore,
  TokenService,
  type AuthModuleOptions,
  type SigningKeyStore,
} from '../../../lib/index.js';
import type { RotatingKeyRing } from '../../../lib/keys/rotation/rotating-key-ring.js';
import { FixedClock } from '../../support/fixed-clock.js';
import { createGuardedTestApp } from '../../support/guarded-test-app.js';
import { TEST_AUDIENCE, TEST_ISSUER } from '../../support/keys.js';

/** Two stores over one database (one per instance), and how to close them. */
export interface SharedKeyStores {
  readonly stores: readonly [SigningKeyStore, SigningKeyStore];
  readonly close: () => Promise<void>;
}

// The schedule in seconds of the fixed clocks: each key signs 300 s, is published 60 s (plus one
// check) ahead, instances read the store every 20 s; tokens live 60 s, clocks may differ by 5 s.
const TTL = 60;
const TOLERANCE = 5;
const INTERVAL = 300;
const PUBLISH_AHEAD = 60;
const CHECK_INTERVAL = 20;
// Steps of 10 s at 5 s past each ten: every transition falls 0 or 2 s past a ten (whichever
// instance created generation 1), so no step lands between the two clocks, where the instances
// rightly disagree for up to the skew.
const STEP = 10;
const TIMES = [
  0,
  ...Array.from({ length: (2 * INTERVAL + 120) / STEP }, (_, index) => 5 + index * STEP),
];
// The resource server's jose cache (cacheMaxAge) counts real time; 1 s is the minimum.
const RESOURCE_CACHE_SECONDS = 1;
const BASE = Date.UTC(2026, 0, 1, 12);

interface KeyTimeline {
  generation: number;
  inJwks?: number;
  signs?: number;
  acceptedByResourceServer?: number;
  leftJwks?: number;
}

function rotationOptions(
  store: SigningKeyStore,
  kek: Uint8Array,
  sessions: MemoryRefreshTokenStore,
): AuthModuleOptions {
  return {
    issuer: TEST_ISSUER,
    audience: TEST_AUDIENCE,
    accessTokenTtl: TTL,
    clockTolerance: TOLERANCE,
    rotation: {
      store,
      encryptionKey: kek,
      interval: INTERVAL,
      publishAhead: PUBLISH_AHEAD,
      checkInterval: CHECK_INTERVAL,
    },
    refresh: { store: sessions, resolveUser: (id) => ({ id, roles: ['admin'] }) },
  };
}

async function jwksKids(app: INestApplication): Promise<string[]> {
  const response = await request(app.getHttpServer()).get('/.well-known/jwks.json').expect(200);
  return (response.body as { keys: { kid: string }[] }).keys.map((jwk) => jwk.kid);
}

/**
 * Two issuing instances sharing one signing-key store, their clocks 2 s apart, and a
 * verify-only resource server on instance A's JWKS, driven through two automatic rotations.
 */
export function defineAutomaticRotationSuite(
  title: string,
  openStores: () => Promise<SharedKeyStores>,
): void {
  describe(`automatic key rotation: two instances and a resource server [${title}]`, () => {
    const clockA = new FixedClock(BASE);
    const clockB = new FixedClock(BASE + 2000);
    const clockRs = new FixedClock(BASE + 1000);
    let shared: SharedKeyStores;
    let a: INestApplication;
    let b: INestApplication;
    let rs: INestApplication;

    // Which generations each instance tried to create: both race for every one.
    const attempts: number[][] = [[], []];
    const counted = (store: SigningKeyStore, index: 0 | 1): SigningKeyStore => ({
      list: () => store.list(),
      delete: (generations) => store.delete(generations),
      create: (record) => {
        attempts[index]!.push(record.generation);
        return store.create(record);
      },
    });

    beforeAll(async () => {
      const opened = await openStores();
      shared = {
        stores: [counted(opened.stores[0], 0), counted(opened.stores[1], 1)],
        close: opened.close,
      };
      const kek = randomBytes(32);
      const sessions = new MemoryRefreshTokenStore();
      // Both instances start at once against an empty store.
      [a, b] = await Promise.all([
        createGuardedTestApp(rotationOptions(shared.stores[0], kek, sessions), 'express', {
          clock: clockA,
        }),
        createGuardedTestApp(rotationOptions(shared.stores[1], kek, sessions), 'express', {
          clock: clockB,
        }),
      ]);
      await a.listen(0, '127.0.0.1');
      const { port } = a.getHttpServer().address() as { port: number };
      rs = await createGuardedTestApp(
        {
          issuer: TEST_ISSUER,
          audience: TEST_AUDIENCE,
          algorithm: 'ES256',
          clockTolerance: TOLERANCE,
          jwks: {
            url: `http://127.0.0.1:${port}/.well-known/jwks.json`,
            cacheMaxAge: RESOURCE_CACHE_SECONDS,
            cooldownDuration: 1,
          },
        },
        'express',
        { clock: clockRs },
      );
    });

    afterAll(async () => {
      await rs?.close();
      await b?.close();
      await a?.close();
      await shared?.close();
    });

    it('creates exactly one key when both instances start at once, and both sign with it', async () => {
      const rows = await shared.stores[0].list();
      expect(attempts).toEqual([[1], [1]]);
      expect(rows.map((row) => row.generation)).toEqual([1]);
      const [tokenA, tokenB] = await Promise.all([
        a.get(TokenService).issueAccessToken({ id: 'u1' }),
        b.get(TokenService).issueAccessToken({ id: 'u1' }),
      ]);
      expect(decodeProtectedHeader(tokenA.token).kid).toBe(rows[0]?.kid);
      expect(decodeProtectedHeader(tokenB.token).kid).toBe(rows[0]?.kid);
    });

    it('rotates twice: agreed signer, one row per generation, keys published before they sign, no valid token refused', async () => {
      const ringA = a.get<RotatingKeyRing>(AUTH_KEY_RING, { strict: false });
      const ringB = b.get<RotatingKeyRing>(AUTH_KEY_RING, { strict: false });
      const login = await a.get(TokenService).issueTokens({ id: 'u1', roles: ['admin'] });
      const timeline = new Map<string, KeyTimeline>();
      const live: { token: string; kid: string; exp: number }[] = [];
      let previousKids: string[] = [];
      let refused = 0;

      let previousT = 0;
      for (const t of TIMES) {
        for (const clock of [clockA, clockB, clockRs]) clock.advance(t - previousT);
        previousT = t;
        // The periodic check, as the timer runs it, on both instances at once.
        if ((t - 5) % CHECK_INTERVAL === 0) {
          await Promise.all([ringA.refreshKeys(), ringB.refreshKeys()]);
        }

        const rows = await shared.stores[0].list();
        const kidsA = await jwksKids(a);
        expect(await jwksKids(b)).toEqual(kidsA);
        for (const kid of kidsA) {
          if (!timeline.has(kid)) {
            const generation = rows.find((row) => row.kid === kid)?.generation ?? -1;
            timeline.set(kid, { generation, inJwks: t });
          }
        }
        for (const kid of previousKids) {
          if (!kidsA.includes(kid)) timeline.get(kid)!.leftJwks = t;
        }
        if (kidsA.some((kid) => !previousKids.includes(kid)) && t > 0) {
          // A verifier's JWKS cache is at most publishAhead old; this one's counts real time.
          await new Promise((resolve) => setTimeout(resolve, RESOURCE_CACHE_SECONDS * 1000 + 100));
        }
        previousKids = kidsA;

        const [tokenA, tokenB] = await Promise.all([
          a.get(TokenService).issueAccessToken({ id: 'u1', roles: ['admin'] }),
          b.get(TokenService).issueAccessToken({ id: 'u1', roles: ['admin'] }),
        ]);
        const kidA = decodeProtectedHeader(tokenA.token).kid!;
        const kidB = decodeProtectedHeader(tokenB.token).kid!;
        expect(kidB, `signer at t=${t}`).toBe(kidA);
        // Never a key that the JWKS did not already show.
        expect(timeline.get(kidA)?.inJwks).toBeLessThan(t + (t === 0 ? 1 : 0));
        const entry = timeline.get(kidA)!;
        entry.signs ??= t;
        live.push(
          { token: tokenA.token, kid: kidA, exp: decodeJwt(tokenA.token).exp! },
          { token: tokenB.token, kid: kidB, exp: decodeJwt(tokenB.token).exp! },
        );

        // Every token still valid by the resource server's clock is accepted.
        for (const token of live.filter((item) => item.exp * 1000 > clockRs.now())) {
          const response = await request(rs.getHttpServer())
            .get('/admin')
            .auth(token.token, { type: 'bearer' });
          if (response.status !== 200) refused += 1;
          expect(response.status, `token of ${token.kid} at t=${t}`).toBe(200);
          timeline.get(token.kid)!.acceptedByResourceServer ??= t;
        }
      }

      expect(refused).toBe(0);
      const rows = await shared.stores[0].list();
      // Both instances tried to create generations 2 and 3 at the same check; one row each.
      expect(attempts).toEqual([
        [1, 2, 3],
        [1, 2, 3],
      ]);
      // Generations 1 and 2 were removed after their last tokens expired; 3 signs.
      expect(rows.map((row) => row.generation)).toEqual([3]);
      const byGeneration = [...timeline.values()].toSorted((x, y) => x.generation - y.generation);
      expect(byGeneration.map((key) => key.generation)).toEqual([1, 2, 3]);
      for (const key of byGeneration.slice(1)) {
        expect(key.signs! - key.inJwks!).toBeGreaterThanOrEqual(PUBLISH_AHEAD);
        expect(key.acceptedByResourceServer).toBe(key.signs);
      }
      for (const [kid, key] of [...timeline].slice(0, 2)) {
        const next = byGeneration[key.generation]!;
        // Gone only after every token it signed has expired, tolerance included, and soon after.
        const lastExp = Math.max(
          ...live.filter((item) => item.kid === kid).map((item) => item.exp),
        );
        expect(BASE + key.leftJwks! * 1000).toBeGreaterThanOrEqual((lastExp + TOLERANCE) * 1000);
        expect(key.leftJwks! - next.signs!).toBeLessThanOrEqual(TTL + 2 * TOLERANCE + STEP);
      }

      // The refresh session from before both rotations still refreshes, on the other instance.
      const refreshed = await b.get(TokenService).refresh(login.refreshToken);
      expect(decodeProtectedHeader(refreshed.accessToken).kid).toBe(rows.at(-1)?.kid);

      console.warn(
        `[rotation timeline ${title}] fixed-clock seconds after first start: ` +
          byGeneration
            .map(
              (key) =>
                `gen ${key.generation}: in JWKS ${key.inJwks}, signs ${key.signs}, first accepted by RS ${key.acceptedByResourceServer}, left JWKS ${key.leftJwks ?? '-'}`,
            )
            .join('; '),
      );
    });
  });
}
