import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  isSessionId,
  isStorableUserId,
  storableText,
} from '../../../lib/refresh-token/session-input.js';

describe('session input', () => {
  it('accepts only canonical lower-case UUIDs as session ids', () => {
    const id = randomUUID();
    expect(isSessionId(id)).toBe(true);
    for (const other of [
      id.toUpperCase(),
      `${id} `,
      ` ${id}`,
      `{${id}}`,
      id.replaceAll('-', ''),
      `${id}\u0000`,
      'not-a-uuid',
      '',
      42,
      null,
      undefined,
      { id },
    ]) {
      expect(isSessionId(other), String(other)).toBe(false);
    }
  });

  it('accepts user ids a database stores exactly, and nothing else', () => {
    for (const id of ['alice', 'Alice', 'alice ', ' ', 'ü-✓-𝄞', 'x'.repeat(255)]) {
      expect(isStorableUserId(id), id).toBe(true);
    }
    for (const id of ['', 'a\u0000b', '\uD800', 'a\uDC00', 'x'.repeat(256), 42, null, ['a']]) {
      expect(isStorableUserId(id), String(id)).toBe(false);
    }
  });

  it('cleans client text: clipped, NUL and lone surrogates replaced, empty as null', () => {
    expect(storableText(undefined, 10)).toBeNull();
    expect(storableText('', 10)).toBeNull();
    expect(storableText('a\u0000b', 10)).toBe('a\uFFFDb');
    expect(storableText('\uDC00x\uD800', 10)).toBe('\uFFFDx\uFFFD');
    // The limit cuts the pair of 𝄞 in two: the half left is replaced, not stored alone.
    expect(storableText('ab𝄞', 3)).toBe('ab\uFFFD');
    expect(storableText('ab𝄞', 4)).toBe('ab𝄞');
  });
});
