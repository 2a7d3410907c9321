/**
 * Source of the current time, injectable so tests control expiry deterministically.
 * Register your own under {@link AUTH_CLOCK}.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

/** DI token of the {@link Clock}. */
export const AUTH_CLOCK = Symbol('AUTH_CLOCK');

/** The wall clock. */
export const systemClock: Clock = Object.freeze({ now: () => Date.now() });
