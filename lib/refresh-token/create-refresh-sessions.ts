import { KeyObject, type webcrypto } from 'node:crypto';
import type { KeyRing } from '../keys/key-ring.js';
import type { Clock } from '../clock.js';
import type { ResolvedAuthOptions } from '../options/auth-module-options.js';
import { RefreshSessions } from './refresh-sessions.js';
import type { RefreshTokenReuseEvent } from './refresh-token-reuse.event.js';
import { deriveRefreshSecret } from './refresh-token-secret.js';

/**
 * Builds the {@link RefreshSessions} of a module from its resolved options: the configured
 * store, and the secret as given or derived from the signing key.
 * Returns `null` when refresh tokens are off or the module cannot sign.
 *
 * @example
 * const sessions = createRefreshSessions(options, keyRing, systemClock, (event) => log(event));
 */
export function createRefreshSessions(
  options: ResolvedAuthOptions,
  keyRing: KeyRing,
  clock: Clock,
  onReuse: (event: RefreshTokenReuseEvent) => void | Promise<void>,
): RefreshSessions | null {
  const refresh = options.refresh;
  if (refresh === null || keyRing.signer === null) return null;
  const key = keyRing.signer.key;
  // With rotation the signing key changes; the key-encryption key does not, and HKDF keeps the
  // two uses apart (RFC 5869 section 3.2).
  const rotationKey = options.rotation?.encryptionKey;
  const secret =
    refresh.secret ??
    (rotationKey === undefined ? undefined : deriveRefreshSecret(rotationKey)) ??
    deriveRefreshSecret(
      key instanceof Uint8Array || key instanceof KeyObject
        ? key
        : KeyObject.from(key as webcrypto.CryptoKey),
    );
  return new RefreshSessions(refresh.store, { ...refresh, secret }, clock, onReuse);
}
