/**
 * Source of the current time, injectable so tests control expiry deterministically.
 * `AuthModule` provides {@link systemClock} under {@link AUTH_CLOCK} in its own scope, so a
 * provider of that token in an importing module does not reach it: replace it with
 * `overrideProvider`.
 *
 * @example
 * ```ts
 * const moduleRef = await Test.createTestingModule({ imports: [AppModule] })
 *   .overrideProvider(AUTH_CLOCK)
 *   .useValue({ now: () => Date.UTC(2026, 0, 1) })
 *   .compile();
 * ```
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

/** DI token of the {@link Clock}. */
export const AUTH_CLOCK = Symbol('AUTH_CLOCK');

/** The wall clock. */
export const systemClock: Clock = Object.freeze({ now: () => Date.now() });
