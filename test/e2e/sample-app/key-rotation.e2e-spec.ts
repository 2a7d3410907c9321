import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  calculateJwkThumbprint,
  decodeJwt,
  decodeProtectedHeader,
  importPKCS8,
  SignJWT,
  type JSONWebKeySet,
} from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TokenPair } from '../../../lib/index.js';
import { testKeyPair } from '../../support/keys.js';
import {
  buildSample,
  listeningUrl,
  ROOT,
  runNode,
  stopNode,
  type NodeProcess,
} from './support/node-process.js';
import { startSwitchableProxy, type SwitchableProxy } from './support/switchable-proxy.js';

// Issue 15: rotate the issuer's signing key from A to B with a resource server (a separate
// process) verifying through the issuer's remote JWKS, following the README runbook
// ("Rotating signing keys"): publish B, wait; sign with B, wait; retire A. The issuer restarts
// behind a switchable proxy (a rolling restart: the new instance serves before the old stops),
// and the test polls the resource server all along.

const OUT_DIR = join(ROOT, 'node_modules/.cache/key-rotation-e2e');
const ISSUER_MAIN = join(OUT_DIR, 'sample-app/src/main.js');
const RESOURCE_MAIN = join(OUT_DIR, 'sample-app/resource-server/main.js');

const ISSUER = 'http://rotation.test';
const ACCESS_TTL = 6; // s
const JWKS_CACHE_MAX_AGE = 2; // s
const JWKS_COOLDOWN = 1; // s
const CLOCK_TOLERANCE = 1; // s, on the resource server
/** Margin around an `exp` within which either answer is right (request time, whole seconds). */
const EDGE_MS = 400;
const ADMIN = { email: 'rotation-admin@example.com', password: 'rotation-password' };

const keyA = testKeyPair('ES256', 'rotation-a');
const keyB = testKeyPair('ES256', 'rotation-b');

interface Tracked {
  readonly label: string;
  readonly token: string;
  readonly key: 'A' | 'B';
  /** ms */
  readonly exp: number;
}

const sleep = (ms: number) => new Promise((next) => setTimeout(next, ms));

describe('key rotation: issuer and resource server as separate processes', () => {
  let dir: string;
  let proxy: SwitchableProxy | undefined;
  let resource: NodeProcess | undefined;
  const issuers: NodeProcess[] = [];

  beforeAll(async () => {
    await buildSample(OUT_DIR);
    dir = await mkdtemp(join(tmpdir(), 'key-rotation-'));
  }, 240_000);
  afterAll(async () => {
    await Promise.all([...issuers, resource].map((started) => stopNode(started)));
    await proxy?.close();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  async function startIssuer(signing: string, previous: string[], admin: boolean) {
    const started = runNode(ISSUER_MAIN, dir, {
      PORT: '0',
      SQLITE_PATH: join(dir, 'issuer.sqlite'),
      SCRYPT_COST: '1024',
      THROTTLE_LIMIT: '1000',
      AUTH_ISSUER: ISSUER,
      AUTH_ACCESS_TTL: `${ACCESS_TTL}s`,
      AUTH_PRIVATE_KEY: signing,
      ...(previous.length > 0 ? { AUTH_PREVIOUS_PUBLIC_KEYS: previous.join('') } : {}),
      // Only on the first start: the bootstrap revokes the sessions of an existing admin.
      ...(admin ? { SAMPLE_ADMIN_EMAIL: ADMIN.email, SAMPLE_ADMIN_PASSWORD: ADMIN.password } : {}),
    });
    issuers.push(started);
    return { started, port: Number(new URL(await listeningUrl(started)).port) };
  }

  it('A → B with no 401 for a valid token; A refused after retirement within the bound', async () => {
    const kidA = await calculateJwkThumbprint(keyA.publicJwk);
    const kidB = await calculateJwkThumbprint(keyB.publicJwk);
    const signerA = await importPKCS8(keyA.privatePem, 'ES256');

    // --- Step 0: the issuer signs with A; the resource server knows only its JWKS URL.
    let issuer = await startIssuer(keyA.privatePem, [], true);
    proxy = await startSwitchableProxy(issuer.port);
    const proxyUrl = proxy.url;
    resource = runNode(RESOURCE_MAIN, dir, {
      PORT: '0',
      ISSUER_URL: proxyUrl,
      AUTH_ISSUER: ISSUER,
      AUTH_ACCESS_TTL: `${ACCESS_TTL}s`,
      AUTH_JWKS_CACHE_MAX_AGE: `${JWKS_CACHE_MAX_AGE}s`,
      AUTH_JWKS_COOLDOWN: `${JWKS_COOLDOWN}s`,
      AUTH_CLOCK_TOLERANCE: `${CLOCK_TOLERANCE}s`,
    });
    const resourceUrl = await listeningUrl(resource);

    const login = async (): Promise<TokenPair> => {
      const response = await fetch(`${proxyUrl}/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(ADMIN),
      });
      expect(response.status).toBe(200);
      return (await response.json()) as TokenPair;
    };
    const refresh = async (pair: TokenPair): Promise<TokenPair> => {
      const response = await fetch(`${proxyUrl}/auth/refresh`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ refreshToken: pair.refreshToken }),
      });
      expect(response.status).toBe(200);
      return (await response.json()) as TokenPair;
    };
    const track = (label: string, token: string): Tracked => {
      const { kid } = decodeProtectedHeader(token);
      const entry: Tracked = {
        label,
        token,
        key: kid === kidA ? 'A' : kid === kidB ? 'B' : (`unknown kid ${String(kid)}` as 'A'),
        exp: (decodeJwt(token).exp ?? 0) * 1000,
      };
      expect([kidA, kidB]).toContain(kid);
      tracked.push(entry);
      return entry;
    };
    const adminSub = decodeJwt((await login()).accessToken).sub ?? '';

    // The resource server's guarded routes: @Roles('admin') on /reports, any token on /whoami.
    const user = { email: 'rotation-user@example.com', password: 'user-password-1' };
    const registered = await fetch(`${proxyUrl}/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(user),
    });
    expect(registered.status).toBe(201);
    const userPair = (await (
      await fetch(`${proxyUrl}/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(user),
      })
    ).json()) as TokenPair;
    const asUser = { authorization: `Bearer ${userPair.accessToken}` };
    expect((await fetch(`${resourceUrl}/reports`, { headers: asUser })).status).toBe(403);
    const whoami = await fetch(`${resourceUrl}/whoami`, { headers: asUser });
    expect(whoami.status).toBe(200);
    expect(await whoami.json()).toEqual({ sub: expect.any(String), roles: ['user'] });
    const anonymous = await fetch(`${resourceUrl}/reports`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Bearer/);
    const mintA = async (): Promise<string> => {
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({ roles: ['admin', 'user'], sid: randomUUID() })
        .setProtectedHeader({ alg: 'ES256', kid: kidA, typ: 'at+jwt' })
        .setIssuer(ISSUER)
        .setAudience('sample-api')
        .setSubject(adminSub)
        .setJti(randomUUID())
        .setIssuedAt(now)
        .setExpirationTime(now + ACCESS_TTL)
        .sign(signerA);
    };

    // --- The poller: the resource server's guarded route with every tracked token, a token
    // signed by A that it has never seen (no verified-token cache can answer for it), and the
    // JWKS through the proxy, continuously, through every restart.
    const t0 = Date.now();
    const at = (ms: number | null) => (ms === null ? null : ms - t0);
    const tracked: Tracked[] = [];
    const violations: string[] = [];
    const timeline = {
      bPublished: null as number | null,
      bInJwks: null as number | null,
      bSigning: null as number | null,
      firstBIssued: null as number | null,
      firstBAccepted: null as number | null,
      lastATokenExp: null as number | null,
      aRetired: null as number | null,
      aLeftJwks: null as number | null,
      unseenARefused: null as number | null,
      seenARefused: null as number | null,
    };
    let aRetiredAt: number | null = null;
    let polls = 0;
    const polling = { stopped: false };

    const judge = (entry: Tracked, status: number, start: number, end: number): void => {
      // An A token still alive when A is retired may be refused from then on (once refused,
      // it stays refused); A tokens that expired before follow the expiry rule below.
      if (
        entry.key === 'A' &&
        aRetiredAt !== null &&
        start >= aRetiredAt &&
        entry.exp + CLOCK_TOLERANCE * 1000 + EDGE_MS > aRetiredAt
      ) {
        if (status === 401) {
          timeline.seenARefused ??= start;
        } else if (status !== 200 || timeline.seenARefused !== null) {
          violations.push(`${at(start)} ms: retired ${entry.label} got ${status} after a 401`);
        }
        return;
      }
      if (end < entry.exp - EDGE_MS && status !== 200) {
        violations.push(`${at(start)} ms: valid ${entry.label} got ${status}`);
      }
      if (start > entry.exp + CLOCK_TOLERANCE * 1000 + EDGE_MS && status !== 401) {
        violations.push(`${at(start)} ms: expired ${entry.label} got ${status}`);
      }
      if (status === 200 && entry.key === 'B') timeline.firstBAccepted ??= start;
    };
    const callResource = async (token: string): Promise<number> =>
      (await fetch(`${resourceUrl}/reports`, { headers: { authorization: `Bearer ${token}` } }))
        .status;

    const pollOnce = async (): Promise<void> => {
      const start = Date.now();
      const unseenA = await mintA();
      const [jwks, statuses, unseenStatus] = await Promise.all([
        fetch(`${proxyUrl}/.well-known/jwks.json`).then(async (response) =>
          response.status === 200 ? ((await response.json()) as JSONWebKeySet) : null,
        ),
        Promise.all(tracked.map((entry) => callResource(entry.token))),
        callResource(unseenA),
      ]);
      const end = Date.now();
      polls += 1;
      if (jwks === null) {
        violations.push(`${at(start)} ms: the JWKS did not answer 200`);
      } else {
        const kids = jwks.keys.map((key) => key.kid);
        if (kids.includes(kidB)) timeline.bInJwks ??= start;
        if (aRetiredAt !== null && !kids.includes(kidA)) timeline.aLeftJwks ??= start;
      }
      statuses.forEach((status, index) => judge(tracked[index]!, status, start, end));
      if (aRetiredAt === null || start < aRetiredAt) {
        if (unseenStatus !== 200)
          violations.push(`${at(start)} ms: an A token got ${unseenStatus}`);
      } else if (unseenStatus === 401) {
        timeline.unseenARefused ??= start;
      } else if (timeline.unseenARefused !== null) {
        violations.push(`${at(start)} ms: an unseen A token got ${unseenStatus} after a 401`);
      }
    };
    const poller = (async () => {
      while (!polling.stopped) {
        await pollOnce();
        await sleep(50);
      }
    })();

    /** Rolling restart: the new instance serves before the old one stops. */
    const restart = async (
      signing: string,
      previous: string[],
      beforeSwitch: () => Promise<void> = async () => {},
    ): Promise<number> => {
      const next = await startIssuer(signing, previous, false);
      await beforeSwitch();
      proxy!.target(next.port);
      const switched = Date.now();
      await sleep(200);
      await stopNode(issuer.started);
      issuer = next;
      return switched;
    };

    try {
      track('A token from login (step 0)', (await login()).accessToken);
      await sleep(1000);

      // --- Step 1: publish B; A keeps signing. Wait the JWKS cache age plus the cooldown.
      timeline.bPublished = await restart(keyA.privatePem, [keyB.publicPem]);
      const lastA = track(
        'A token issued while B is published (step 1)',
        (await login()).accessToken,
      );
      timeline.lastATokenExp = lastA.exp;
      const lastAPair = await login();
      track('A token of the session refreshed later', lastAPair.accessToken);
      await sleep((JWKS_CACHE_MAX_AGE + JWKS_COOLDOWN) * 1000 + 500);

      // --- Step 2: sign with B, keep A as previous. Wait the access-token lifetime plus the
      // clock tolerance: every A token the issuer signed expires meanwhile.
      timeline.bSigning = await restart(keyB.privatePem, [keyA.publicPem]);
      const b1 = await refresh(lastAPair);
      timeline.firstBIssued = Date.now();
      track('B token from refreshing an A session (step 2)', b1.accessToken);
      track('B token from login (step 2)', (await login()).accessToken);
      await sleep((ACCESS_TTL + CLOCK_TOLERANCE) * 1000 + 1000);

      // --- Step 3: retire A. Just before, an A token with its whole lifetime ahead, already
      // verified (so cached) by the resource server: what an early (or emergency) retirement
      // leaves behind.
      aRetiredAt = await restart(keyB.privatePem, [], async () => {
        track('A token alive at retirement (seen before)', await mintA());
        await sleep(300);
      });
      timeline.aRetired = aRetiredAt;
      track('B token after retirement', (await login()).accessToken);
      const bound = Math.max(JWKS_CACHE_MAX_AGE + JWKS_COOLDOWN, ACCESS_TTL + CLOCK_TOLERANCE);
      const deadline = aRetiredAt + bound * 1000 + 2000;
      while (
        (timeline.unseenARefused === null || timeline.seenARefused === null) &&
        Date.now() < deadline
      ) {
        await sleep(100);
      }
      await sleep(1000);
    } finally {
      polling.stopped = true;
      await poller;
    }

    const seenAExp = () =>
      tracked.find((entry) => entry.label.startsWith('A token alive at retirement'))?.exp ?? 0;
    const rows = Object.entries(timeline).map(
      ([event, ms]) => `  ${event.padEnd(16)} ${at(ms) ?? '—'} ms`,
    );
    // The closing note of issue 15 quotes this timeline.
    process.stdout.write(
      `key rotation timeline (ms from the start; ${polls} polls; access TTL ${ACCESS_TTL}s, JWKS cache ${JWKS_CACHE_MAX_AGE}s, cooldown ${JWKS_COOLDOWN}s, RS clock tolerance ${CLOCK_TOLERANCE}s):\n${rows.join('\n')}\n` +
        `  B in JWKS after publish: ${at(timeline.bInJwks)! - at(timeline.bPublished)!} ms; first B accepted after first B issued: ${timeline.firstBAccepted! - timeline.firstBIssued!} ms\n` +
        `  unseen A refused after retirement: ${timeline.unseenARefused! - aRetiredAt!} ms; seen A refused after retirement: ${timeline.seenARefused! - aRetiredAt!} ms (its exp: ${seenAExp() - aRetiredAt!} ms after retirement)\n`,
    );

    expect(violations).toEqual([]);
    expect(polls).toBeGreaterThan(20);
    // B was in the JWKS as soon as the issuer publishing it took the traffic.
    expect(timeline.bInJwks).not.toBeNull();
    expect(timeline.bInJwks! - timeline.bPublished!).toBeLessThan(1000);
    // The first B token was accepted at once: B was published a cache age before it signed.
    expect(timeline.firstBAccepted).not.toBeNull();
    expect(timeline.firstBAccepted! - timeline.firstBIssued!).toBeLessThan(1000);
    // A token never seen by the resource server: refused once its JWKS copy no longer has A.
    expect(timeline.aLeftJwks).not.toBeNull();
    expect(timeline.unseenARefused).not.toBeNull();
    expect(timeline.unseenARefused! - aRetiredAt!).toBeLessThanOrEqual(
      (JWKS_CACHE_MAX_AGE + JWKS_COOLDOWN) * 1000 + 1000,
    );
    // An A token verified before: refused within max(JWKS cache age + cooldown, access TTL +
    // tolerance), the runbook's bound (a cached verification may last until the token expires).
    expect(timeline.seenARefused).not.toBeNull();
    expect(timeline.seenARefused! - aRetiredAt!).toBeLessThanOrEqual(
      Math.max(JWKS_CACHE_MAX_AGE + JWKS_COOLDOWN, ACCESS_TTL + CLOCK_TOLERANCE) * 1000 + 1000,
    );
    // No issuer signed with A after step 1.
    expect(timeline.lastATokenExp! - t0).toBeLessThan(timeline.bSigning! - t0 + ACCESS_TTL * 1000);
  }, 180_000);
});
