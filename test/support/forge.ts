import { constants, createHmac, sign, type KeyObject } from 'node:crypto';

/** A JOSE header or claims set: an object, or raw JSON text (for duplicate members, odd encodings). */
export type JsonPart = Record<string, unknown> | string;

/** Algorithms the forger can sign with (beyond what the module supports, on purpose). */
export type ForgeAlgorithm =
  | 'ES256'
  | 'ES384'
  | 'EdDSA'
  | 'RS256'
  | 'RS384'
  | 'RS512'
  | 'PS256'
  | 'PS384'
  | 'HS256'
  | 'HS384'
  | 'HS512';

/** base64url without padding of a JSON part, a string (as UTF-8) or bytes. */
export function b64u(part: JsonPart | Uint8Array): string {
  if (part instanceof Uint8Array) return Buffer.from(part).toString('base64url');
  return Buffer.from(typeof part === 'string' ? part : JSON.stringify(part), 'utf8').toString(
    'base64url',
  );
}

/** The three segments of a compact token, the first two decoded. */
export function splitToken(token: string): {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  h: string;
  p: string;
  s: string;
} {
  const [h = '', p = '', s = ''] = token.split('.');
  return {
    header: JSON.parse(Buffer.from(h, 'base64url').toString('utf8')) as Record<string, unknown>,
    payload: JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as Record<string, unknown>,
    h,
    p,
    s,
  };
}

/** Raw signature bytes of `input` with `alg` (JWS encoding: P1363 for ECDSA). */
export function rawSignature(
  alg: ForgeAlgorithm,
  key: KeyObject | Uint8Array | string,
  input: string,
): Buffer {
  const data = Buffer.from(input, 'ascii');
  if (alg.startsWith('HS')) {
    return createHmac(`sha${alg.slice(2)}`, key as Uint8Array | string)
      .update(data)
      .digest();
  }
  const privateKey = key as KeyObject;
  switch (alg) {
    case 'ES256':
      return sign('sha256', data, { key: privateKey, dsaEncoding: 'ieee-p1363' });
    case 'ES384':
      return sign('sha384', data, { key: privateKey, dsaEncoding: 'ieee-p1363' });
    case 'EdDSA':
      return sign(null, data, privateKey);
    case 'PS256':
    case 'PS384':
      return sign(`sha${alg.slice(2)}`, data, {
        key: privateKey,
        padding: constants.RSA_PKCS1_PSS_PADDING,
        saltLength: Number(alg.slice(2)) / 8,
      });
    default:
      return sign(`sha${alg.slice(2)}`, data, privateKey);
  }
}

/**
 * A compact JWS over any header and payload (raw JSON allowed), signed with `alg` whatever the
 * header says: jose's signers refuse the malformed headers these tests need.
 */
export function signCompact(
  header: JsonPart,
  payload: JsonPart,
  alg: ForgeAlgorithm,
  key: KeyObject | Uint8Array | string,
): string {
  const input = `${b64u(header)}.${b64u(payload)}`;
  return `${input}.${rawSignature(alg, key, input).toString('base64url')}`;
}

/** An unsigned token `header.payload.signature` with the given signature text. */
export function unsigned(header: JsonPart, payload: JsonPart, signature = ''): string {
  return `${b64u(header)}.${b64u(payload)}.${signature}`;
}
