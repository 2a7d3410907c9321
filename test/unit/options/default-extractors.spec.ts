import { array, assert, constantFrom, property, string } from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultExtractors } from '../../../lib/options/default-extractors.js';

const [bearer] = defaultExtractors(null);

// The reading the extractor has always had (passport-jwt's): the first two whitespace-delimited
// values, the first of them 'bearer' in any case.
function reference(header: string): string | null {
  const match = /(\S+)\s+(\S+)/.exec(header);
  return match === null || match[1]!.toLowerCase() !== 'bearer' ? null : match[2]!;
}

const read = (authorization: unknown): string | null =>
  bearer!({ headers: { authorization } } as never);

describe('the bearer extractor', () => {
  it('reads the usual header, and ends the token at the first whitespace', () => {
    expect(read('Bearer abc.def.ghi')).toBe('abc.def.ghi');
    expect(read('Bearer abc.def.ghi extra')).toBe('abc.def.ghi');
    expect(read('Bearer abc\u00a0def')).toBe('abc');
    expect(read('Bearer  abc')).toBe('abc');
    expect(read('bearer abc')).toBe('abc');
    expect(read('Bearer ')).toBeNull();
    expect(read('Basic abc')).toBeNull();
    expect(read(['Bearer abc'])).toBeNull();
  });

  it('answers as the regular expression it replaces on the fast path, for any header', () => {
    const pieces = constantFrom(
      'Bearer',
      'bearer',
      'BEARER',
      ' ',
      '\t',
      '\u00a0',
      '\u2028',
      'a.b',
      'x',
      '.',
      '\ufeff',
      '',
    );
    assert(
      property(array(pieces, { maxLength: 8 }), string(), (parts, tail) => {
        const header = `${parts.join('')}${tail}`;
        expect(read(header)).toBe(reference(header));
        expect(read(`Bearer ${header}`)).toBe(reference(`Bearer ${header}`));
      }),
      { numRuns: 3000 },
    );
  });
});
