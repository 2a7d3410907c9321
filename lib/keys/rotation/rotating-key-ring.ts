import { calculateJwkThumbprint, errors, importJWK, type JWK } from 'jose';
import { AuthConfigurationError } from '../../auth.errors.js';
import type { Clock } from '../../clock.js';
import type { AccessTokenAlgorithm, KeyRingConfig, KeyRotationConfig } from '../key-ring-config.js';
import { fits, publicMembers, reason, type ImportedKey, type KeyMaterial } from '../import-key.js';
import type { AccessTokenSigner, KeyRing, KeySet } from '../key-ring.js';
import { createLocalKeySet, type LocalKeySet } from '../local-key-set.js';
import { generateSigningKey } from './generate-signing-key.js';
import { decryptPrivateKey } from './private-key-encryption.js';
import { planRotation, type RotationTiming } from './rotation-schedule.js';
import type { SigningKeyRecord } from './signing-key.store.js';

/** A {@link KeyRing} whose keys come from a {@link SigningKeyStore} on a schedule. */
export interface RotatingKeyRing extends KeyRing {
  /**
   * Reads the store, creates the next key when it is due, deletes removed ones and imports new
   * ones (each key once). Runs at start-up and every `rotation.checkInterval`.
   */
  readonly refreshKeys: () => Promise<void>;
  /** Stops the periodic check (Nest calls it on shutdown). */
  readonly onModuleDestroy: () => void;
}

interface View {
  readonly signer: AccessTokenSigner | null;
  readonly keySet: LocalKeySet;
  readonly until: number;
}

/**
 * Builds the key ring of automatic rotation: the signer and the verification set are derived
 * from the stored keys and the clock on each use (cheaply: only when the schedule moved), the
 * store is read at start-up and every `checkInterval`.
 *
 * @param staticKeys - the configured `keys`, which verify (and are published) but never sign
 * @throws {AuthConfigurationError} at start-up when a stored key cannot be decrypted with
 *   `rotation.encryptionKey`
 */
export async function createRotatingKeyRing(
  options: KeyRingConfig,
  rotation: KeyRotationConfig,
  clock: Clock,
  staticKeys: readonly ImportedKey[],
  warn: (message: string) => void = () => undefined,
): Promise<RotatingKeyRing> {
  const alg = options.algorithm as Exclude<AccessTokenAlgorithm, 'HS256'>;
  const timing: RotationTiming = {
    interval: rotation.interval * 1000,
    publishAhead: rotation.publishAhead * 1000,
    checkInterval: rotation.checkInterval * 1000,
    accessTokenTtl: options.accessTokenTtl * 1000,
    clockTolerance: options.clockTolerance * 1000,
  };
  const imported = new Map<number, ImportedKey>();
  const ids = new WeakMap<object, string>(
    staticKeys.map((key) => [key.verifyKey as object, key.id]),
  );
  let rows: readonly SigningKeyRecord[] = [];
  let view: View | null = null;

  const importRecord = async (record: SigningKeyRecord, withPrivate: boolean) => {
    const publicJwk = publicMembers(JSON.parse(record.publicJwk) as JWK);
    // A row is data, not configuration: its key must fit its algorithm as a configured key must.
    if (record.alg === 'HS256' || !fits(publicJwk, record.alg)) {
      throw new AuthConfigurationError([
        `rotation.store: the stored signing key of generation ${record.generation} (kid '${record.kid}') is not a usable ${record.alg} key; delete that row`,
      ]);
    }
    const verifyKey = (await importJWK(publicJwk, record.alg)) as KeyMaterial;
    let signKey: KeyMaterial | null = null;
    if (withPrivate) {
      try {
        const privateJwk = await decryptPrivateKey(
          record.encryptedPrivateKey,
          record.kid,
          rotation.encryptionKey,
        );
        if ((await calculateJwkThumbprint(publicMembers(privateJwk))) !== record.kid) {
          throw new Error('the decrypted private key does not belong to the stored public key');
        }
        signKey = (await importJWK(privateJwk, record.alg)) as KeyMaterial;
      } catch (cause) {
        const why =
          cause instanceof errors.JWEDecryptionFailed
            ? 'it was encrypted with another key-encryption key, or altered'
            : reason(cause);
        throw new AuthConfigurationError([
          `rotation.encryptionKey: cannot decrypt the stored signing key of generation ${record.generation} (kid '${record.kid}'): ${why}; ` +
            'set the key-encryption key these keys were encrypted with (see "Automatic rotation" in the README if it is lost)',
        ]);
      }
    }
    const key: ImportedKey = {
      kid: record.kid,
      id: `${record.kid}#${record.generation}`,
      alg: record.alg,
      verifyKey,
      signKey,
      publicJwk,
    };
    ids.set(verifyKey as object, key.id);
    return key;
  };

  const current = (): View => {
    const now = clock.now();
    if (view !== null && now < view.until) return view;
    const plan = planRotation(rows, now, timing);
    const signerKey = plan.signer === null ? undefined : imported.get(plan.signer.generation);
    // The signer first in the JWKS, then the others by generation, then the configured keys.
    const keys = [
      ...(signerKey === undefined ? [] : [signerKey]),
      ...plan.visible
        .filter((record) => record.generation !== plan.signer?.generation)
        .flatMap((record) => imported.get(record.generation) ?? []),
      ...staticKeys,
    ];
    view = {
      signer:
        signerKey?.signKey == null
          ? null
          : Object.freeze({ kid: signerKey.kid, alg: signerKey.alg, key: signerKey.signKey }),
      keySet: createLocalKeySet(keys),
      until: plan.nextChange,
    };
    return view;
  };

  let running: Promise<void> = Promise.resolve();
  const refresh = async (): Promise<void> => {
    let stored = await rotation.store.list();
    let plan = planRotation(stored, clock.now(), timing);
    if (plan.create !== null) {
      const record = await generateSigningKey(
        alg,
        plan.create,
        rotation.encryptionKey,
        clock.now(),
      );
      await rotation.store.create(record);
      stored = await rotation.store.list();
      plan = planRotation(stored, clock.now(), timing);
    }
    if (plan.removed.length > 0) {
      await rotation.store.delete(plan.removed.map((record) => record.generation));
    }
    const removed = new Set(plan.removed.map((record) => record.generation));
    const signerGeneration = plan.signer?.generation ?? 0;
    for (const record of stored) {
      if (removed.has(record.generation)) continue;
      const known = imported.get(record.generation);
      if (known !== undefined && known.kid === record.kid) continue;
      // Retired keys only verify; their private half is never decrypted again.
      imported.set(
        record.generation,
        await importRecord(record, record.generation >= signerGeneration),
      );
    }
    for (const generation of imported.keys()) {
      if (!stored.some((record) => record.generation === generation) || removed.has(generation)) {
        imported.delete(generation);
      }
    }
    rows = stored.filter((record) => !removed.has(record.generation));
    view = null;
  };
  const refreshKeys = (): Promise<void> => {
    // One refresh at a time: the timer and an explicit call never interleave.
    running = running.catch(() => undefined).then(refresh);
    return running;
  };

  await refreshKeys();
  const timer = setInterval(() => {
    // A failed check (store down, a key that cannot be decrypted) keeps the keys already
    // loaded, and the current key keeps signing past its interval; the next check retries.
    refreshKeys().catch((cause: unknown) => {
      const detail =
        cause instanceof AuthConfigurationError
          ? cause.problems.join('; ')
          : cause instanceof Error
            ? cause.message
            : String(cause);
      warn(`Signing-key check failed, keeping the loaded keys: ${detail}`);
    });
  }, rotation.checkInterval * 1000);
  timer.unref();

  // The keys stored at start-up may predate a change of `algorithm`: they keep verifying.
  const algorithms = Object.freeze([
    ...new Set([alg, ...rows.map((record) => record.alg), ...staticKeys.map((key) => key.alg)]),
  ]);
  return Object.freeze({
    get signer() {
      return current().signer;
    },
    algorithms,
    get jwks() {
      return current().keySet.jwks;
    },
    resolveKey: (...args: Parameters<KeyRing['resolveKey']>) =>
      current().keySet.resolveKey(...args),
    keyIdOf: (key: KeyMaterial) => ids.get(key as object),
    currentKeySet: (): KeySet => current().keySet.currentKeySet(),
    refreshKeys,
    onModuleDestroy: () => clearInterval(timer),
  });
}
