// Catalogue section D: token format and parser robustness (D01-D13).
import { randomBytes } from 'node:crypto';
import { CompactEncrypt, importJWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { b64u, splitToken, unsigned } from '../support/forge.js';
import { listeningPort, rawGet, rawRequest } from './support/raw-http.js';
import {
  adminClaims,
  expectHandlerNotRun,
  expectR401,
  expectRefusedEverywhere,
  genuineHeader,
  getWith,
  mint,
  TARGET_FACTORIES,
  userClaims,
  type ForgeTarget,
} from './support/targets.js';

const rand = (bytes: number): string => randomBytes(bytes).toString('base64url');

describe.each(TARGET_FACTORIES)(
  'token format and parser robustness against the $name',
  ({ start }) => {
    let target: ForgeTarget;
    let at: string;

    beforeAll(async () => {
      target = await start();
      at = await target.userToken();
    });
    afterAll(async () => {
      await target.close();
    });

    it.each<[string, (at: string) => string]>([
      ['D01 one segment', (t) => t.split('.')[0] ?? ''],
      ['D01 two segments', (t) => t.split('.').slice(0, 2).join('.')],
      ['D01 four segments H0.P0.S0.x', (t) => `${t}.x`],
      ['D01 trailing dot', (t) => `${t}.`],
      ['D01 two trailing dots', (t) => `${t}..`],
      ['D01 trailing junk character', (t) => `${t}x`],
      ['D01 five segments', (t) => `${t}.x.y`],
      ['D01 leading dot', (t) => `.${t}`],
      ['D01 empty header segment', (t) => `.${t.split('.').slice(1).join('.')}`],
      [
        'D01 empty payload segment',
        (t) => {
          const [h, , s] = t.split('.');
          return `${h}..${s}`;
        },
      ],
    ])('%s: 401', async (_id, build) => {
      await expectRefusedEverywhere(target, `Bearer ${build(at)}`);
    });

    it('D02 compact JWE encrypting P* to the published key: 401 (decryption is never authentication)', async () => {
      const jwk = target.signing.publicKey.export({ format: 'jwk' });
      const [alg, enc] =
        target.signing.alg === 'RS256'
          ? ['RSA-OAEP-256', 'A256GCM']
          : target.signing.alg === 'ES256'
            ? ['ECDH-ES+A256KW', 'A256GCM']
            : ['ECDH-ES', 'A256GCM'];
      const key = await importJWK({ ...jwk, alg } as Parameters<typeof importJWK>[0], alg);
      const jwe = await new CompactEncrypt(Buffer.from(JSON.stringify(adminClaims(target))))
        .setProtectedHeader({ alg, enc, typ: 'at+jwt', kid: target.signing.kid })
        .encrypt(key);
      expect(jwe.split('.')).toHaveLength(5);
      await expectRefusedEverywhere(target, `Bearer ${jwe}`);
    });

    it.each<[string, Record<string, unknown>]>([
      ['D02 dir + A256GCM', { alg: 'dir', enc: 'A256GCM' }],
      ['D02 RSA-OAEP-256 + A256GCM', { alg: 'RSA-OAEP-256', enc: 'A256GCM' }],
      ['D03 zip DEF bomb header', { alg: 'dir', enc: 'A256GCM', zip: 'DEF' }],
      [
        'D03 PBES2 with p2c 2147483647',
        { alg: 'PBES2-HS512+A256KW', enc: 'A256GCM', p2c: 2_147_483_647, p2s: rand(16) },
      ],
    ])('%s as a five-part JWE: 401 without decrypting', async (_id, header) => {
      const jwe = `${b64u({ ...header, kid: target.signing.kid })}.${rand(32)}.${rand(12)}.${rand(1024)}.${rand(16)}`;
      await expectRefusedEverywhere(target, `Bearer ${jwe}`);
    });

    it.each<[string, Record<string, unknown>]>([
      ['D03 zip DEF in a JWS header [K]', { zip: 'DEF' }],
      ['D03 p2c in a JWS header [K]', { p2c: 2_147_483_647, p2s: rand(16) }],
      ['D03 enc in a JWS header [K]', { enc: 'A256GCM' }],
    ])('%s: never decompresses or derives; answers like any token', async (_id, extra) => {
      const token = mint(target, userClaims(target), genuineHeader(target, extra));
      const response = await getWith(target, target.meRoute, `Bearer ${token}`);
      expect([200, 401]).toContain(response.status);
    });

    it.each<[string, (at: string, forged: string) => string]>([
      [
        'D04 flattened JSON serialization',
        (t, forged) => {
          const { h, s } = splitToken(t);
          return JSON.stringify({ protected: h, payload: forged, signature: s });
        },
      ],
      [
        'D04 general JSON serialization',
        (t, forged) => {
          const { h, s } = splitToken(t);
          return JSON.stringify({ payload: forged, signatures: [{ protected: h, signature: s }] });
        },
      ],
      [
        'D04 flattened JSON with the real payload',
        (t) => {
          const { h, p, s } = splitToken(t);
          return JSON.stringify({ protected: h, payload: p, signature: s });
        },
      ],
    ])('%s: 401', async (_id, build) => {
      await expectRefusedEverywhere(target, `Bearer ${build(at, b64u(adminClaims(target)))}`);
    });

    it.each<[string, (at: string) => string]>([
      [
        'D05 "+" in the payload segment',
        (t) => {
          const { h, p, s } = splitToken(t);
          return `${h}.${p.slice(0, 10)}+${p.slice(11)}.${s}`;
        },
      ],
      [
        'D05 "/" in the header segment',
        (t) => {
          const { h, p, s } = splitToken(t);
          return `${h.slice(0, 5)}/${h.slice(6)}.${p}.${s}`;
        },
      ],
      ['D05 "*" in the signature', (t) => `${t.slice(0, -1)}*`],
      ['D05 "{" in the header', (t) => `{${t.slice(1)}`],
      [
        'D05 quote in the payload',
        (t) => {
          const { h, p, s } = splitToken(t);
          return `${h}."${p}.${s}`;
        },
      ],
      ['D05 %2E separators', (t) => t.replace(/\./g, '%2E')],
      ['D05 non-ASCII character', (t) => `${t.slice(0, 20)}é${t.slice(21)}`],
    ])('%s: 401', async (_id, build) => {
      await expectRefusedEverywhere(target, `Bearer ${build(at)}`);
    });

    it.each<[string, string]>([
      ['D05 NUL byte', 'Bearer abc\u0000def'],
      ['D05 CR LF injection of a header', 'Bearer abc\r\nX-Injected: 1'],
      ['D05 lone LF', 'Bearer abc\ndef'],
      ['D05 raw bytes 0xFF', 'Bearer abc\u00ffdef'],
    ])('%s on a raw socket: 400 or 401, no injected header echoed', async (_id, value) => {
      const port = await listeningPort(target.app);
      const before = target.handlerRuns();
      const response = await rawRequest(
        port,
        Buffer.from(rawGet(target.meRoute, [`Authorization: ${value}`]), 'latin1'),
      );
      expect([400, 401]).toContain(response.status);
      expect(response.text).not.toMatch(/X-Injected/i);
      expectHandlerNotRun(target, before);
    });

    const NON_OBJECTS = ['not json', '[]', '"x"', 'null', '1', 'true', '{', '{}garbage'];

    it.each(
      NON_OBJECTS.flatMap((text) => [
        [`D06 header ${JSON.stringify(text)}`, 'header', text],
        [`D06 payload ${JSON.stringify(text)}`, 'payload', text],
      ]),
    )('%s with S0 kept and validly signed [K]: 401, never 500', async (_id, part, text) => {
      const { s } = splitToken(at);
      const header = part === 'header' ? text : genuineHeader(target);
      const payload = part === 'payload' ? text : adminClaims(target);
      await expectRefusedEverywhere(target, `Bearer ${unsigned(header, payload, s)}`);
      // Validly signed over the same non-object (a header that is not JSON cannot name a key).
      await expectRefusedEverywhere(
        target,
        `Bearer ${mint(target, part === 'payload' ? text : adminClaims(target), part === 'header' ? text : genuineHeader(target))}`,
      );
    });

    it('D06 header "{}" with S0 kept: 401', async () => {
      await expectRefusedEverywhere(
        target,
        `Bearer ${unsigned('{}', adminClaims(target), splitToken(at).s)}`,
      );
    });

    const encodings: Array<[string, (json: string) => Buffer]> = [
      [
        'UTF-16LE with BOM',
        (json) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(json, 'utf16le')]),
      ],
      [
        'UTF-16BE with BOM',
        (json) => Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(json, 'utf16le').swap16()]),
      ],
      ['UTF-16LE without BOM', (json) => Buffer.from(json, 'utf16le')],
      [
        'UTF-32LE',
        (json) =>
          Buffer.concat(
            [...json].map((char) => {
              const b = Buffer.alloc(4);
              b.writeUInt32LE(char.codePointAt(0) ?? 0);
              return b;
            }),
          ),
      ],
      [
        'overlong UTF-8 in a string',
        (json) =>
          Buffer.concat([
            Buffer.from(json.slice(0, -2), 'utf8'),
            Buffer.from([0xc0, 0xae]),
            Buffer.from(json.slice(-2), 'utf8'),
          ]),
      ],
      [
        'lone surrogate in a string',
        (json) =>
          Buffer.concat([
            Buffer.from(json.slice(0, -2), 'utf8'),
            Buffer.from([0xed, 0xa0, 0x80]),
            Buffer.from(json.slice(-2), 'utf8'),
          ]),
      ],
    ];

    it.each(
      encodings.flatMap(([name, encode]) => [
        [`D07 payload ${name} [K]`, 'payload', encode] as const,
        [`D07 header ${name} [K]`, 'header', encode] as const,
      ]),
    )('%s: 401 (strict UTF-8)', async (_id, part, encode) => {
      // A trailing string member so the odd bytes land inside a JSON string.
      const payload = { ...adminClaims(target), note: 'x' };
      const header = { ...genuineHeader(target), note: 'x' };
      const headerBytes =
        part === 'header' ? encode(JSON.stringify(header)) : Buffer.from(JSON.stringify(header));
      const payloadBytes =
        part === 'payload' ? encode(JSON.stringify(payload)) : Buffer.from(JSON.stringify(payload));
      const input = `${b64u(headerBytes)}.${b64u(payloadBytes)}`;
      const { rawSignature } = await import('../support/forge.js');
      const token = `${input}.${rawSignature(target.signing.alg, target.signing.privateKey, input).toString('base64url')}`;
      await expectRefusedEverywhere(target, `Bearer ${token}`);
    });

    it('D08 duplicate alg, "none" first, S0 kept: 401', async () => {
      const { h, s } = splitToken(at);
      const header = JSON.parse(Buffer.from(h, 'base64url').toString()) as Record<string, unknown>;
      const raw = `{"alg":"none",${JSON.stringify(header).slice(1)}`;
      await expectRefusedEverywhere(target, `Bearer ${unsigned(raw, adminClaims(target), s)}`);
    });

    it('D08 duplicate alg, "none" last, validly signed [K]: 401 (the last member is the one used)', async () => {
      const raw = `${JSON.stringify(genuineHeader(target)).slice(0, -1)},"alg":"none"}`;
      await expectRefusedEverywhere(target, `Bearer ${mint(target, adminClaims(target), raw)}`);
    });

    it('D08 duplicate alg, the real one last, validly signed [K]: accepted, the last member wins everywhere', async () => {
      const raw = `{"alg":"none",${JSON.stringify(genuineHeader(target)).slice(1)}`;
      expect(
        (await getWith(target, target.meRoute, `Bearer ${mint(target, userClaims(target), raw)}`))
          .status,
      ).toBe(200);
    });

    it('D08 duplicate sub and roles [K]: guard, role check and handler all see the same (last) values', async () => {
      const claims = userClaims(target);
      const raw = `${JSON.stringify(claims).slice(0, -1)},"sub":${JSON.stringify(target.adminSub)},"roles":["admin"]}`;
      expect(raw).toContain(`"sub":${JSON.stringify(target.userSub)}`);
      const token = mint(target, raw);
      const me = await getWith(target, target.meRoute, `Bearer ${token}`);
      expect(me.status).toBe(200);
      expect(me.body.sub).toBe(target.adminSub);
      expect(me.body.roles).toEqual(['admin']);
      expect((await getWith(target, target.adminRoute, `Bearer ${token}`)).status).toBe(200);
      // And the reverse order: the user's values last, so no admin.
      const reverse = `${JSON.stringify(adminClaims(target)).slice(0, -1)},"sub":${JSON.stringify(target.userSub)},"roles":["user"]}`;
      const demoted = mint(target, reverse);
      expect((await getWith(target, target.adminRoute, `Bearer ${demoted}`)).status).toBe(403);
      expect((await getWith(target, target.meRoute, `Bearer ${demoted}`)).body.sub).toBe(
        target.userSub,
      );
    });

    it('D09 deeply nested payload claim [K]: answered (200), never 500', async () => {
      const depth = 2500;
      const raw = `${JSON.stringify(userClaims(target)).slice(0, -1)},"deep":${'['.repeat(depth)}${']'.repeat(depth)}}`;
      const response = await getWith(target, target.meRoute, `Bearer ${mint(target, raw)}`);
      expect([200, 401]).toContain(response.status);
    });

    it('D09 moderately nested claims (20 levels) [K]: accepted and echoed intact', async () => {
      const raw = `${JSON.stringify(userClaims(target)).slice(0, -1)},"nested":${'{"a":'.repeat(20)}1${'}'.repeat(20)}}`;
      const response = await getWith(target, target.meRoute, `Bearer ${mint(target, raw)}`);
      expect(response.status).toBe(200);
      expect(JSON.stringify(response.body.nested)).toBe(`${'{"a":'.repeat(20)}1${'}'.repeat(20)}`);
    });

    it('D09 deeply nested header member [K]: answered, never 500', async () => {
      const depth = 2500;
      const raw = `${JSON.stringify(genuineHeader(target)).slice(0, -1)},"deep":${'{"a":'.repeat(depth / 5)}1${'}'.repeat(depth / 5)}}`;
      const response = await getWith(
        target,
        target.meRoute,
        `Bearer ${mint(target, userClaims(target), raw)}`,
      );
      expect([200, 401]).toContain(response.status);
    });

    it('D09 300 extra claims [K] (under the 8 KiB token limit): accepted', async () => {
      const extra = Object.fromEntries(
        Array.from({ length: 300 }, (_, index) => [`c${index}`, index]),
      );
      const token = mint(target, userClaims(target, extra));
      expect(token.length).toBeLessThan(8 * 1024);
      expect((await getWith(target, target.meRoute, `Bearer ${token}`)).status).toBe(200);
    });

    it.each([
      [
        'D09 500 extra claims [K] (over the 8 KiB token limit)',
        Object.fromEntries(Array.from({ length: 500 }, (_, index) => [`claim${index}`, index])),
      ],
      ['D09 one 8 KB string claim [K]', { blob: 'x'.repeat(8 * 1024) }],
    ])('%s: 401 before parsing', async (_id, extra) => {
      const token = mint(target, userClaims(target, extra));
      expect(token.length).toBeGreaterThan(8 * 1024);
      await expectRefusedEverywhere(target, `Bearer ${token}`);
    });

    it.each<[string, Record<string, unknown>]>([
      ['D10 unknown critical extension', { crit: ['x-policy'], 'x-policy': 'mfa' }],
      ['D10 crit []', { crit: [] }],
      ['D10 crit "b64" (not an array)', { crit: 'b64' }],
      ['D10 crit [""]', { crit: [''] }],
      ['D10 crit ["alg"] (a registered parameter)', { crit: ['alg'] }],
      ['D10 crit naming an absent parameter', { crit: ['x-absent'] }],
      ['D10 crit with duplicate entries', { crit: ['x-policy', 'x-policy'], 'x-policy': 'mfa' }],
      ['D10 crit null', { crit: null }],
      ['D11 b64:false declared critical', { b64: false, crit: ['b64'] }],
    ])('%s, validly signed [K]: 401', async (_id, extra) => {
      await expectRefusedEverywhere(
        target,
        `Bearer ${mint(target, adminClaims(target), genuineHeader(target, extra))}`,
      );
    });

    it('D11 b64:false critical with an unencoded payload [K]: 401', async () => {
      const header = b64u(genuineHeader(target, { b64: false, crit: ['b64'] }));
      const payload = JSON.stringify(adminClaims(target));
      const { rawSignature } = await import('../support/forge.js');
      const signature = rawSignature(
        target.signing.alg,
        target.signing.privateKey,
        `${header}.${payload}`,
      ).toString('base64url');
      await expectRefusedEverywhere(target, `Bearer ${header}.${payload}.${signature}`);
      await expectRefusedEverywhere(target, `Bearer ${header}..${signature}`);
    });

    it('D11 b64:false without crit [K]: ignored, the token is processed normally', async () => {
      const token = mint(target, userClaims(target), genuineHeader(target, { b64: false }));
      expect((await getWith(target, target.meRoute, `Bearer ${token}`)).status).toBe(200);
      const { h, s } = splitToken(token);
      await expectRefusedEverywhere(target, `Bearer ${h}.${b64u(adminClaims(target))}.${s}`);
    });

    it.each<[string, (t: ForgeTarget) => string]>([
      ['D12 inner unsigned JWT', (t) => unsigned({ alg: 'none', typ: 'at+jwt' }, adminClaims(t))],
      ['D12 inner JWT signed by the real key', (t) => mint(t, adminClaims(t))],
    ])(
      '%s wrapped in a validly signed outer token with cty JWT [K]: 401 (no recursive unwrap)',
      async (_id, inner) => {
        const outer = mint(target, inner(target), genuineHeader(target, { cty: 'JWT' }));
        await expectRefusedEverywhere(target, `Bearer ${outer}`);
      },
    );

    const FORCED = [null, true, false, 'jwt_tool', 0];
    const HEADER_PARAMS = ['alg', 'typ', 'kid'];
    const CLAIMS = ['iss', 'aud', 'sub', 'iat', 'exp', 'jti', 'roles'];

    it.each([
      ...HEADER_PARAMS.flatMap((name) =>
        FORCED.map(
          (value) =>
            [`D13 header ${name} = ${JSON.stringify(value)}`, 'header', name, value] as const,
        ),
      ),
      ...CLAIMS.flatMap((name) =>
        FORCED.map(
          (value) =>
            [`D13 claim ${name} = ${JSON.stringify(value)}`, 'payload', name, value] as const,
        ),
      ),
    ])('%s with S0 kept: the same R401 as every other failure', async (_id, part, name, value) => {
      const { s } = splitToken(at);
      const header =
        part === 'header' ? genuineHeader(target, { [name]: value }) : genuineHeader(target);
      const payload =
        part === 'payload' ? userClaims(target, { [name]: value }) : userClaims(target);
      const before = target.handlerRuns();
      const response = await getWith(
        target,
        target.meRoute,
        `Bearer ${unsigned(header, payload, s)}`,
      );
      expectR401(response, target, before);
      expect(response.body.message).toBe('Invalid access token');
      expect(response.text).not.toContain(name === 'iss' || name === 'aud' ? '"iss"' : `"${name}"`);
    });
  },
);
