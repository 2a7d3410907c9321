// The suite uses the clock the package ships to apps' tests: one of each.
export { FixedClock } from '../../lib/testing/fixed-clock.js';
