import { createHash, createHmac, hkdfSync, KeyObject, randomBytes } from 'node:crypto';

/** Minimum length of an HS256 secret or a refresh-token secret (RFC 7518 section 3.2). */
export const MIN_SECRET_BYTES = 32;

/** Bytes of CSPRNG output in every refresh token (the nonce). */
const NONCE_BYTES = 32;
/** Length of a refresh token: base64url of nonce (32 bytes) || HMAC-SHA256 (32 bytes), unpadded. */
export const REFRESH_TOKEN_LENGTH = 86;
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{86}$/;

/** A freshly minted refresh token and what the store keeps of it. */
export interface MintedRefreshToken {
  /** The token handed to the client; never stored. */
  readonly token: string;
  /** base64url of the 32-byte nonce; stored so the token can be re-derived within the grace window. */
  readonly nonce: string;
  /** SHA-256 hex of `token`; the only form of the token the store sees. */
  readonly hash: string;
}

/**
 * Mints a refresh token: base64url(nonce || HMAC-SHA256(secret, nonce)) with a 256-bit CSPRNG
 * nonce. The store keeps only the nonce and SHA-256(token), so a database dump yields no
 * usable token without the server secret, while the server can re-derive the exact token from
 * the nonce to re-send a successor inside the reuse grace window.
 *
 * @throws {TypeError} when `secret` is shorter than 32 bytes
 */
export function mintRefreshToken(secret: Uint8Array): MintedRefreshToken {
  const nonce = randomBytes(NONCE_BYTES).toString('base64url');
  const token = deriveRefreshToken(secret, nonce);
  return { token, nonce, hash: hashRefreshToken(token) };
}

/**
 * Re-derives the token minted from `nonce`.
 *
 * @throws {TypeError} when `secret` is shorter than 32 bytes
 */
export function deriveRefreshToken(secret: Uint8Array, nonce: string): string {
  assertSecret(secret);
  const nonceBytes = Buffer.from(nonce, 'base64url');
  const mac = createHmac('sha256', secret).update(nonceBytes).digest();
  return Buffer.concat([nonceBytes, mac]).toString('base64url');
}

/** SHA-256 hex of a refresh token, the lookup key in the store. */
export function hashRefreshToken(token: string): string {
  return createHash('sha256').update(token, 'ascii').digest('hex');
}

/**
 * Whether `value` has the shape of a refresh token (86 base64url characters). Checked before
 * any store access so garbage (an access token, a stored hash, fuzz) never reaches the database
 * and is never mistaken for reuse. The MAC is deliberately not verified here: lookup is by
 * SHA-256 of the whole token, and verifying the MAC would log every user out whenever the
 * secret changes (it is derived from the signing key by default, which rotates).
 */
export function isWellFormedRefreshToken(value: unknown): value is string {
  return (
    typeof value === 'string' && value.length === REFRESH_TOKEN_LENGTH && TOKEN_PATTERN.test(value)
  );
}

/**
 * Derives the refresh-token secret from the active signing key with HKDF-SHA256 (RFC 5869), for
 * applications that configure no `refresh.secret`. A secret key or a private key qualifies;
 * a public key does not, since it is public.
 *
 * Rotating the signing key changes the derived secret: existing refresh tokens stay valid
 * (they are looked up by hash), only a grace-window replay across the change is refused.
 *
 * @example
 * const secret = deriveRefreshSecret(privateKeyPem);
 * @throws {TypeError} for a public key, or key material shorter than 32 bytes
 */
export function deriveRefreshSecret(
  signingKeyMaterial: string | Uint8Array | KeyObject,
): Uint8Array {
  const material = keyMaterialBytes(signingKeyMaterial);
  if (material.byteLength < MIN_SECRET_BYTES) {
    throw new TypeError(
      `deriveRefreshSecret: key material must be at least ${MIN_SECRET_BYTES} bytes`,
    );
  }
  return new Uint8Array(
    hkdfSync('sha256', material, 'nest-hybrid-auth', 'refresh-token-secret/v1', 32),
  );
}

function keyMaterialBytes(material: string | Uint8Array | KeyObject): Uint8Array {
  if (typeof material === 'string') return Buffer.from(material, 'utf8');
  if (material instanceof KeyObject) {
    if (material.type === 'secret') return material.export();
    if (material.type === 'private') return material.export({ type: 'pkcs8', format: 'der' });
    throw new TypeError('deriveRefreshSecret: a public key is not secret; pass the private key');
  }
  return material;
}

function assertSecret(secret: Uint8Array): void {
  if (!(secret instanceof Uint8Array) || secret.byteLength < MIN_SECRET_BYTES) {
    throw new TypeError(`The refresh-token secret must be at least ${MIN_SECRET_BYTES} bytes`);
  }
}
