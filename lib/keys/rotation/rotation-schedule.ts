import type { SigningKeyRecord } from './signing-key.store.js';

/** The timing of automatic rotation, in milliseconds. */
export interface RotationTiming {
  /** How long each key signs. */
  readonly interval: number;
  /** How long a new key is published before it signs. */
  readonly publishAhead: number;
  /** How often instances read the store. */
  readonly checkInterval: number;
  /** Access-token lifetime. */
  readonly accessTokenTtl: number;
  /** Clock skew tolerated between instances and on `exp`. */
  readonly clockTolerance: number;
}

/** Where one key stands at one moment. */
export type SigningKeyState = 'published' | 'signing' | 'retired' | 'removed';

/** The schedule at one moment, as every instance derives it from the same rows and its clock. */
export interface RotationPlan {
  /** The key that signs now; `null` only when there is no key at all. */
  readonly signer: SigningKeyRecord | null;
  /** Published, signing and retired keys: what verifies and what the JWKS shows. */
  readonly visible: readonly SigningKeyRecord[];
  /** Keys whose last token has expired everywhere. */
  readonly removed: readonly SigningKeyRecord[];
  /** The key to create now (the next generation), or `null`. */
  readonly create: { readonly generation: number; readonly activatesAt: number } | null;
  /** The next moment the plan changes without a change of rows (epoch ms). */
  readonly nextChange: number;
}

/**
 * When a retired key is removed: after it stopped signing, an instance whose clock is
 * `clockTolerance` behind may still sign with it, and that token is accepted until its `exp`
 * plus `clockTolerance` (RFC 7519 section 4.1.4 leeway).
 */
export function removalTime(retiredAt: number, timing: RotationTiming): number {
  return retiredAt + timing.clockTolerance + timing.accessTokenTtl + timing.clockTolerance;
}

/** The state of `record` (of the sorted `records`) at `now`. */
export function keyState(
  records: readonly SigningKeyRecord[],
  record: SigningKeyRecord,
  now: number,
  timing: RotationTiming,
): SigningKeyState {
  const plan = planRotation(records, now, timing);
  if (plan.signer?.generation === record.generation) return 'signing';
  if (plan.removed.some((key) => key.generation === record.generation)) return 'removed';
  return plan.signer === null || record.generation > plan.signer.generation
    ? 'published'
    : 'retired';
}

/**
 * Derives the schedule from the stored keys and the time. Generation N + 1 activates one
 * `interval` after generation N (or `publishAhead` from now, when every instance was down past
 * that moment) and is created `publishAhead + checkInterval` before it activates, so verifiers have it before
 * the first token it signs. The first key signs at once: there is nothing to publish it ahead of.
 *
 * @param records - every stored key, by ascending generation
 * @param now - epoch ms of this instance's clock
 */
export function planRotation(
  records: readonly SigningKeyRecord[],
  now: number,
  timing: RotationTiming,
): RotationPlan {
  const sorted = records.toSorted((a, b) => a.generation - b.generation);
  if (sorted.length === 0) {
    return {
      signer: null,
      visible: [],
      removed: [],
      create: { generation: 1, activatesAt: now },
      nextChange: Number.POSITIVE_INFINITY,
    };
  }
  let signerIndex = 0;
  sorted.forEach((record, index) => {
    if (record.activatesAt <= now) signerIndex = index;
  });
  const signer = sorted[signerIndex]!;
  const visible: SigningKeyRecord[] = [];
  const removed: SigningKeyRecord[] = [];
  let nextChange = Number.POSITIVE_INFINITY;
  sorted.forEach((record, index) => {
    if (index < signerIndex) {
      const removesAt = removalTime(sorted[index + 1]!.activatesAt, timing);
      if (now >= removesAt) {
        removed.push(record);
        return;
      }
      nextChange = Math.min(nextChange, removesAt);
    } else if (index > signerIndex) {
      nextChange = Math.min(nextChange, record.activatesAt);
    }
    visible.push(record);
  });
  const latest = sorted.at(-1)!;
  const due = latest.activatesAt + timing.interval;
  // One check early, so that with a check every `checkInterval` the key exists `publishAhead`
  // before `due` and activates on time (the schedule does not drift by the check period).
  const createAt = due - timing.publishAhead - timing.checkInterval;
  let create: RotationPlan['create'] = null;
  if (latest.activatesAt <= now && now >= createAt) {
    create = {
      generation: latest.generation + 1,
      activatesAt: Math.max(due, now + timing.publishAhead),
    };
  } else if (latest.activatesAt <= now) {
    nextChange = Math.min(nextChange, createAt);
  }
  return { signer, visible, removed, create, nextChange };
}
