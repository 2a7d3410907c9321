import { AsyncLocalStorage } from 'node:async_hooks';
import { StoreUnavailableError } from '../auth.errors.js';
import { toStoreUnavailable } from './store-unavailable.js';

/** One guarded store call; nested calls (revokeUserSessions -> revokeSession) link to it. */
interface CallScope {
  abandoned: boolean;
  readonly parent: CallScope | undefined;
}

const scopes = new AsyncLocalStorage<CallScope>();
/** @internal How a store's calls are guarded. */
export interface StoreCallSettings {
  /** Milliseconds; `0` for none. */
  readonly timeout: number;
  /**
   * Called when a call answered "unavailable" at its timeout and the database then completed
   * it anyway, with what the call returned: to undo what the caller never learnt of.
   */
  readonly onLateResult?: (
    method: string,
    args: readonly unknown[],
    result: unknown,
  ) => Promise<void>;
}

const settings = new WeakMap<object, StoreCallSettings>();

function isAbandoned(scope: CallScope | undefined): boolean {
  for (let current = scope; current !== undefined; current = current.parent) {
    if (current.abandoned) return true;
  }
  return false;
}

/**
 * @internal Throws when the store call this code runs in has already answered "unavailable"
 * (its timeout expired): a transaction checks before each statement and before COMMIT, so a
 * database that answers late gets a ROLLBACK, not the rest of a write the caller gave up on.
 *
 * @throws {StoreUnavailableError}
 */
export function throwIfCallAbandoned(): void {
  if (isAbandoned(scopes.getStore())) throw new StoreUnavailableError();
}

/**
 * Runs one database call with a time limit and the store's one classification of driver
 * errors: an unavailable database (refused, dropped, timed out) becomes
 * `StoreUnavailableError` (HTTP 503), anything else passes unchanged. Every method of
 * `TypeOrmRefreshTokenStore` runs through it; use it for your own queries (users) to answer
 * the same way. On timeout the call is marked abandoned (see {@link throwIfCallAbandoned}); its
 * connection stays with it until the driver answers or fails, so no connection with a
 * half-finished transaction is handed to another call.
 *
 * @param timeout milliseconds; `0` for none
 * @example const user = await guardStoreCall(() => users.findOneBy({ id }), 3000);
 */
export async function guardStoreCall<T>(
  call: () => Promise<T>,
  timeout: number,
  onLateResult?: (result: T) => Promise<void>,
): Promise<T> {
  const scope: CallScope = { abandoned: false, parent: scopes.getStore() };
  const running = scopes.run(scope, call);
  if (timeout <= 0) {
    try {
      return await running;
    } catch (error) {
      throw toStoreUnavailable(error);
    }
  }
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      scope.abandoned = true;
      reject(
        new StoreUnavailableError({
          cause: new Error(`The database did not answer within ${timeout} ms`),
        }),
      );
    }, timeout);
  });
  running.then(
    (result) => {
      // The database may be gone again: the undo is best effort, its failure reported nowhere.
      if (scope.abandoned) onLateResult?.(result).catch(() => undefined);
    },
    // Its late failure is the abandoned call's own: already answered, not to be reported again.
    () => undefined,
  );
  try {
    return await Promise.race([running, expired]);
  } catch (error) {
    throw toStoreUnavailable(error);
  } finally {
    clearTimeout(timer);
  }
}

/** @internal Sets how every guarded call on `store` runs. */
export function configureStoreCalls(store: object, storeSettings: StoreCallSettings): void {
  settings.set(store, storeSettings);
}

/**
 * @internal The choke point: replaces each named method of `prototype` with one that runs
 * through {@link guardStoreCall} with the instance's settings (see {@link configureStoreCalls}).
 */
export function guardStoreMethods<T extends object>(
  prototype: T,
  methods: readonly (keyof T & string)[],
): void {
  for (const name of methods) {
    const original = prototype[name] as unknown as (...args: unknown[]) => Promise<unknown>;
    Object.defineProperty(prototype, name, {
      configurable: true,
      writable: true,
      value: function guarded(this: object, ...args: unknown[]): Promise<unknown> {
        const own = settings.get(this);
        const onLate = own?.onLateResult;
        return guardStoreCall(
          () => original.apply(this, args),
          own?.timeout ?? 0,
          onLate && ((result) => onLate(name, args, result)),
        );
      },
    });
  }
}
