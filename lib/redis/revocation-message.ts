import { createHmac, timingSafeEqual } from 'node:crypto';
import type { RevocationEntry } from '../revocation/revocation.store.js';

/** Domain separation: a MAC made for another purpose or prefix never verifies here. */
const MAC_CONTEXT = 'nest-hybrid-auth:revocation:v1';

/**
 * Encodes revocations for Redis (key values and pub/sub messages): JSON, and with a secret
 * `<hex HMAC-SHA256>.<json>`, the MAC bound to the key prefix (node:crypto; compared with
 * `timingSafeEqual`). Without the MAC a client that may write to Redis cannot forge an entry.
 */
export class RevocationMessageCodec {
  constructor(
    private readonly prefix: string,
    private readonly secret: string | Buffer | null,
  ) {}

  encode(entry: RevocationEntry): string {
    const json = JSON.stringify(entry);
    return this.secret === null ? json : `${this.mac(json).toString('hex')}.${json}`;
  }

  /** The entry, or `null` for anything unauthenticated or malformed. */
  decode(raw: string): RevocationEntry | null {
    if (this.secret === null) return parseEntry(raw);
    const dot = raw.indexOf('.');
    if (dot <= 0) return null;
    const given = Buffer.from(raw.slice(0, dot), 'hex');
    const json = raw.slice(dot + 1);
    const expected = this.mac(json);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
    return parseEntry(json);
  }

  private mac(json: string): Buffer {
    return createHmac('sha256', this.secret!)
      .update(`${MAC_CONTEXT}\n${this.prefix}\n${json}`)
      .digest();
  }
}

function parseEntry(json: string): RevocationEntry | null {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return null;
  }
  if (value === null || typeof value !== 'object') return null;
  const { kind, id, expiresAt, issuedBefore } = value as Record<string, unknown>;
  if (typeof id !== 'string' || typeof expiresAt !== 'number') return null;
  if (kind === 'token') return { kind, id, expiresAt };
  if (kind === 'session' && issuedBefore === undefined) {
    // Written by an older release, which denied the whole session until `expiresAt`.
    return { kind, id, expiresAt, issuedBefore: Math.floor(expiresAt / 1000) };
  }
  if ((kind === 'session' || kind === 'subject') && typeof issuedBefore === 'number') {
    return { kind, id, expiresAt, issuedBefore };
  }
  return null;
}
