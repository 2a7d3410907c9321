import { describe, expect, it } from 'vitest';
import {
  keyState,
  planRotation,
  removalTime,
  type RotationTiming,
} from '../../../../lib/keys/rotation/rotation-schedule.js';
import type { SigningKeyRecord } from '../../../../lib/keys/rotation/signing-key.store.js';

const S = 1000;
const timing: RotationTiming = {
  interval: 1000 * S,
  publishAhead: 100 * S,
  checkInterval: 30 * S,
  accessTokenTtl: 300 * S,
  clockTolerance: 5 * S,
};
const T0 = Date.UTC(2026, 0, 1);

function key(generation: number, activatesAt: number): SigningKeyRecord {
  return {
    generation,
    kid: `k${generation}`,
    alg: 'ES256',
    publicJwk: '{}',
    encryptedPrivateKey: '',
    createdAt: activatesAt - timing.publishAhead,
    activatesAt,
  };
}

describe('planRotation', () => {
  it('creates the first key to sign at once when there is none', () => {
    expect(planRotation([], T0, timing)).toMatchObject({
      signer: null,
      visible: [],
      create: { generation: 1, activatesAt: T0 },
    });
  });

  it('publishes the next key publishAhead (plus one check) before it signs, one interval after the current one', () => {
    const first = key(1, T0);
    const justBefore = planRotation([first], T0 + 869 * S, timing);
    expect(justBefore.create).toBeNull();
    expect(justBefore.nextChange).toBe(T0 + 870 * S);
    // Whenever the next check falls, the key activates on time.
    for (const now of [T0 + 870 * S, T0 + 899 * S]) {
      expect(planRotation([first], now, timing).create).toEqual({
        generation: 2,
        activatesAt: T0 + 1000 * S,
      });
    }
  });

  it('gives a late new key its full publishAhead when every instance was down past its time', () => {
    const plan = planRotation([key(1, T0)], T0 + 5000 * S, timing);
    expect(plan.create).toEqual({ generation: 2, activatesAt: T0 + 5100 * S });
    expect(plan.signer?.generation).toBe(1);
  });

  it('walks a key through published, signing, retired and removed', () => {
    const rows = [key(1, T0), key(2, T0 + 1000 * S)];
    const second = rows[1]!;
    const removesAt = removalTime(T0 + 2000 * S, timing);
    expect(removesAt).toBe(T0 + 2000 * S + 310 * S);
    expect(keyState(rows, second, T0 + 950 * S, timing)).toBe('published');
    expect(keyState(rows, second, T0 + 1000 * S, timing)).toBe('signing');
    const withThird = [...rows, key(3, T0 + 2000 * S)];
    expect(keyState(withThird, second, T0 + 2000 * S, timing)).toBe('retired');
    expect(keyState(withThird, second, removesAt - 1, timing)).toBe('retired');
    expect(keyState(withThird, second, removesAt, timing)).toBe('removed');
  });

  it('shows published, signing and retired keys, signer by activation time only', () => {
    const rows = [key(1, T0), key(2, T0 + 1000 * S)];
    const before = planRotation(rows, T0 + 999 * S, timing);
    expect(before.signer?.generation).toBe(1);
    expect(before.visible.map((record) => record.generation)).toEqual([1, 2]);
    expect(before.nextChange).toBe(T0 + 1000 * S);
    const after = planRotation(rows, T0 + 1000 * S, timing);
    expect(after.signer?.generation).toBe(2);
    expect(after.visible.map((record) => record.generation)).toEqual([1, 2]);
    expect(after.nextChange).toBe(removalTime(T0 + 1000 * S, timing));
    const later = planRotation(rows, removalTime(T0 + 1000 * S, timing), timing);
    expect(later.visible.map((record) => record.generation)).toEqual([2]);
    expect(later.removed.map((record) => record.generation)).toEqual([1]);
  });

  it('lets the first key sign on an instance whose clock is behind the one that created it', () => {
    expect(planRotation([key(1, T0)], T0 - 3 * S, timing).signer?.generation).toBe(1);
  });

  it('derives the same plan from the same rows in any order', () => {
    const rows = [key(1, T0), key(2, T0 + 1000 * S), key(3, T0 + 2000 * S)];
    const now = T0 + 2100 * S;
    expect(planRotation(rows.toReversed(), now, timing)).toEqual(planRotation(rows, now, timing));
  });
});
