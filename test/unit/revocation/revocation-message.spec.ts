import { describe, expect, it } from 'vitest';
import { RevocationMessageCodec } from '../../../lib/redis/revocation-message.js';

const entry = {
  kind: 'session',
  id: 's-1',
  issuedBefore: 1_700_000_000,
  expiresAt: 1_700_000_600_000,
} as const;
const secret = 'a shared secret of at least 32 bytes!!';

describe('RevocationMessageCodec', () => {
  it('round-trips an entry, with and without a secret', () => {
    for (const codec of [
      new RevocationMessageCodec('p', null),
      new RevocationMessageCodec('p', secret),
    ]) {
      expect(codec.decode(codec.encode(entry))).toEqual(entry);
    }
  });

  it('with a secret, ignores what lacks a valid MAC: unsigned, tampered, another secret or prefix', () => {
    const codec = new RevocationMessageCodec('p', secret);
    const signed = codec.encode(entry);
    expect(codec.decode(JSON.stringify(entry))).toBeNull();
    expect(codec.decode(signed.replace('"s-1"', '"s-2"'))).toBeNull();
    expect(codec.decode(`00${signed.slice(2)}`)).toBeNull();
    expect(codec.decode(`ab.${JSON.stringify(entry)}`)).toBeNull();
    expect(new RevocationMessageCodec('p', `${secret}x`).decode(signed)).toBeNull();
    expect(new RevocationMessageCodec('q', secret).decode(signed)).toBeNull();
  });

  it('ignores what is not an entry', () => {
    const codec = new RevocationMessageCodec('p', null);
    for (const raw of [
      '',
      'null',
      '[]',
      '{"kind":"session"}',
      '{"kind":"x","id":"a","expiresAt":1}',
      '{',
    ]) {
      expect(codec.decode(raw)).toBeNull();
    }
  });

  it('reads a session entry of the previous release as denying the whole session until it lapses', () => {
    const codec = new RevocationMessageCodec('p', null);
    expect(codec.decode('{"kind":"session","id":"s","expiresAt":1700000600000}')).toEqual({
      kind: 'session',
      id: 's',
      issuedBefore: 1_700_000_600,
      expiresAt: 1_700_000_600_000,
    });
  });
});
