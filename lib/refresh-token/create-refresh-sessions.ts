import { KeyObject, type webcrypto } from 'node:crypto';
import type { KeyRing } from '../access-token/key-ring.js';
import type { Clock } from '../clock.js';
import type { ResolvedAuthOptions } from '../options/auth-module-options.js';
import { RefreshSessions } from './refresh-sessions.js';
import type { RefreshTokenReuseEvent } from './refresh-token-reuse.event.js';
import { deriveRefreshSecret } from './refresh-token-secret.js';
import type { RefreshTokenStore } from './refresh-token.store.js';
import { TypeOrmRefreshTokenStore } from './typeorm-refresh-token.store.js';

/**
 * Builds the {@link RefreshSessions} of a module from its resolved options: the custom store
 * or a TypeORM store on `dataSource`, and the secret as given or derived from the signing key.
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
  const store: RefreshTokenStore | null =
    refresh.store ??
    (refresh.dataSource === null ? null : new TypeOrmRefreshTokenStore(refresh.dataSource));
  // Option validation requires one of them; this guards direct callers.
  if (store === null) throw new TypeError('refresh needs a store or a dataSource');
  const key = keyRing.signer.key;
  const secret =
    refresh.secret ??
    deriveRefreshSecret(
      key instanceof Uint8Array || key instanceof KeyObject
        ? key
        : KeyObject.from(key as webcrypto.CryptoKey),
    );
  return new RefreshSessions(store, { ...refresh, secret }, clock, onReuse);
}
