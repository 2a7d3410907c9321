import type { Clock } from '../clock.js';

/**
 * A {@link Clock} that moves only when told to, for tests of expiry, idle timeouts and grace
 * windows without waiting. Provide it under `AUTH_CLOCK`.
 *
 * @example
 * ```ts
 * const clock = new FixedClock();
 * const moduleRef = await Test.createTestingModule({ imports: [AppModule] })
 *   .overrideProvider(AUTH_CLOCK)
 *   .useValue(clock)
 *   .compile();
 * clock.advance(15 * 60); // the access token has now expired
 * ```
 */
export class FixedClock implements Clock {
  /** @param current - the time it shows, in milliseconds since the epoch */
  constructor(private current = Date.UTC(2026, 0, 1, 12, 0, 0)) {}

  now(): number {
    return this.current;
  }

  /** Moves the clock forward by `seconds`. */
  advance(seconds: number): void {
    this.current += seconds * 1000;
  }

  /** Sets the time, in milliseconds since the epoch. */
  set(ms: number): void {
    this.current = ms;
  }
}
