// Catalogue section A: transport and bearer extraction (A01-A08).
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unsigned } from '../support/forge.js';
import { listeningPort, rawGet, rawRequest } from './support/raw-http.js';
import {
  adminClaims,
  expectHandlerNotRun,
  expectR401,
  genuineHeader,
  getWith,
  TARGET_FACTORIES,
  type ForgeTarget,
} from './support/targets.js';

describe.each(TARGET_FACTORIES)('bearer extraction against the $name', ({ start }) => {
  let target: ForgeTarget;
  let userToken: string;
  let forgedAdmin: string;

  beforeAll(async () => {
    target = await start();
    userToken = await target.userToken();
    // A syntactically perfect P* token whose signature is the user's: never valid.
    forgedAdmin = unsigned(genuineHeader(target), adminClaims(target), userToken.split('.')[2]);
  });
  afterAll(async () => {
    await target.close();
  });

  it.each([
    ['A01 no Authorization header', undefined],
    ['A01 empty Bearer', 'Bearer'],
    ['A01 Bearer and a space', 'Bearer '],
    ['A01 Bearer null', 'Bearer null'],
    ['A01 Bearer undefined', 'Bearer undefined'],
    ['A01 literal null', 'null'],
  ])('%s: 401 on the user and the admin route, no guest identity', async (_id, authorization) => {
    for (const path of [target.meRoute, target.adminRoute]) {
      const before = target.handlerRuns();
      expectR401(await getWith(target, path, authorization), target, before);
    }
  });

  it.each([
    ['A02 lower-case scheme', (at: string) => `bearer ${at}`],
    ['A02 upper-case scheme', (at: string) => `BEARER ${at}`],
    ['A02 two spaces', (at: string) => `Bearer  ${at}`],
    ['A02 tab separator', (at: string) => `Bearer\t${at}`],
  ])('%s: accepted as the token owner (RFC 9110 section 11.1)', async (_id, build) => {
    const response = await getWith(target, target.meRoute, build(userToken));
    expect(response.status).toBe(200);
    expect(response.body.sub).toBe(target.userSub);
  });

  it.each([
    ['A03 JWT scheme', (at: string) => `JWT ${at}`],
    ['A03 Token scheme', (at: string) => `Token ${at}`],
    ['A03 Basic scheme', (at: string) => `Basic ${Buffer.from(at).toString('base64')}`],
    ['A03 Basic with the raw token', (at: string) => `Basic ${at}`],
    ['A03 bare token', (at: string) => at],
    ['A03 Bearer colon', (at: string) => `Bearer:${at}`],
    ['A03 Bearer glued', (at: string) => `Bearer${at}`],
  ])('%s: 401, only the Bearer scheme is read', async (_id, build) => {
    const before = target.handlerRuns();
    expectR401(await getWith(target, target.meRoute, build(userToken)), target, before);
  });

  it('A04 forged token first, then the real one: 401 (only the first value is verified)', async () => {
    const before = target.handlerRuns();
    expectR401(
      await getWith(target, target.adminRoute, `Bearer ${forgedAdmin} ${userToken}`),
      target,
      before,
    );
  });

  it('A04 real token first, then a forged one: the owner of the real token only', async () => {
    const response = await getWith(target, target.meRoute, `Bearer ${userToken} ${forgedAdmin}`);
    expect(response.status).toBe(200);
    expect(response.body.sub).toBe(target.userSub);
    expect(response.body.roles).toEqual(['user']);
    const admin = await getWith(target, target.adminRoute, `Bearer ${userToken} ${forgedAdmin}`);
    expect(admin.status).toBe(403);
  });

  it('A04 comma-joined credentials: 401', async () => {
    const before = target.handlerRuns();
    expectR401(
      await getWith(target, target.adminRoute, `Bearer ${userToken},Bearer ${forgedAdmin}`),
      target,
      before,
    );
  });

  it('A05 duplicate Authorization headers on a raw socket: the first wins, identically for every engine', async () => {
    const port = await listeningPort(target.app);
    const userFirst = await rawRequest(
      port,
      rawGet(target.adminRoute, [
        `Authorization: Bearer ${userToken}`,
        `Authorization: Bearer ${forgedAdmin}`,
      ]),
    );
    // The user's token was verified: a valid caller without the role, never the forged admin.
    expect(userFirst.status).toBe(403);
    const forgedFirst = await rawRequest(
      port,
      rawGet(target.adminRoute, [
        `Authorization: Bearer ${forgedAdmin}`,
        `Authorization: Bearer ${userToken}`,
      ]),
    );
    expect(forgedFirst.status).toBe(401);
    const meFirst = await rawRequest(
      port,
      rawGet(target.meRoute, [
        `Authorization: Bearer ${userToken}`,
        `Authorization: Bearer ${forgedAdmin}`,
      ]),
    );
    expect(meFirst.status).toBe(200);
    expect(meFirst.text).toContain(target.userSub);
    expect(meFirst.text).not.toContain(target.adminSub);
  });

  it.each([
    [
      'A06 ?access_token=',
      (at: string) => request(target.server).get(`${target.meRoute}?access_token=${at}`),
    ],
    ['A06 ?token=', (at: string) => request(target.server).get(`${target.meRoute}?token=${at}`)],
    [
      'A06 JSON body access_token',
      (at: string) => request(target.server).get(target.meRoute).send({ access_token: at }),
    ],
    [
      'A06 cookie access_token',
      (at: string) =>
        request(target.server).get(target.meRoute).set('Cookie', `access_token=${at}`),
    ],
    [
      'A06 X-Access-Token header',
      (at: string) => request(target.server).get(target.meRoute).set('X-Access-Token', at),
    ],
  ])('%s alone: 401, a token is read from the Authorization header only', async (_id, send) => {
    const before = target.handlerRuns();
    expectR401(await send(userToken), target, before);
  });

  it('A06 header and query together: the header alone decides', async () => {
    const forgedHeader = await request(target.server)
      .get(`${target.adminRoute}?access_token=${userToken}`)
      .set('Authorization', `Bearer ${forgedAdmin}`);
    expect(forgedHeader.status).toBe(401);
    const userHeader = await request(target.server)
      .get(`${target.meRoute}?access_token=${forgedAdmin}`)
      .set('Authorization', `Bearer ${userToken}`);
    expect(userHeader.status).toBe(200);
    expect(userHeader.body.sub).toBe(target.userSub);
  });

  it.each([
    ['A07 8 KiB', 8 * 1024],
    ['A07 15.9 KiB', 16_280],
  ])('%s Authorization header under the engine limit: 401', async (_id, size) => {
    const before = target.handlerRuns();
    expectR401(await getWith(target, target.meRoute, `Bearer ${'A'.repeat(size)}`), target, before);
  });

  it.each([
    ['A07 16 KiB + 1', 16 * 1024 + 1],
    ['A07 64 KiB', 64 * 1024],
  ])('%s Authorization header over the limit: 431 from Node, never 500', async (_id, size) => {
    const port = await listeningPort(target.app);
    const before = target.handlerRuns();
    const response = await rawRequest(
      port,
      rawGet(target.meRoute, [`Authorization: Bearer ${'A'.repeat(size)}`]),
    );
    expect(response.status).toBe(431);
    expectHandlerNotRun(target, before);
  });

  it('A07 1,000 near-limit headers in a row: every one 401, and the app still serves', async () => {
    const port = await listeningPort(target.app);
    const statuses = new Map<number, number>();
    const value = `Bearer ${'A'.repeat(16_000)}`;
    for (let batch = 0; batch < 20; batch += 1) {
      const responses = await Promise.all(
        Array.from({ length: 50 }, () =>
          rawRequest(port, rawGet(target.meRoute, [`Authorization: ${value}`])),
        ),
      );
      for (const { status } of responses) statuses.set(status, (statuses.get(status) ?? 0) + 1);
    }
    expect(Object.fromEntries(statuses)).toEqual({ 401: 1000 });
    expect((await getWith(target, target.meRoute, `Bearer ${userToken}`)).status).toBe(200);
  });

  it.each([
    ['A08 15,000 dots', '.'.repeat(15_000)],
    ['A08 7,000 "a." segments', 'a.'.repeat(7_000)],
    ['A08 7,000 "a." segments and a signature', `${'a.'.repeat(7_000)}a`],
  ])('%s: 401', async (_id, token) => {
    const before = target.handlerRuns();
    expectR401(await getWith(target, target.meRoute, `Bearer ${token}`), target, before);
  });
});
