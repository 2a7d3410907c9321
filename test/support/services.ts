import { randomBytes } from 'node:crypto';
import { describe, it } from 'vitest';

/** The external services the suite can use, each read from the environment. */
export type ServiceName = 'postgres' | 'mysql' | 'redis';

const VARIABLES: Record<ServiceName, string> = {
  postgres: 'POSTGRES_URL',
  mysql: 'MYSQL_URL',
  redis: 'REDIS_URL',
};

/** The service's URL from the environment, or `undefined` when it is not configured. */
export function serviceUrl(name: ServiceName): string | undefined {
  const value = process.env[VARIABLES[name]];
  return value === undefined || value === '' ? undefined : value;
}

/**
 * `describe` for a block that needs a service. Without its URL the block is skipped with a
 * visible message and `body` is not called at all, so it may use the URL at collection time;
 * under CI (`CI=true`) a missing service fails the run instead, so a green CI never hides a
 * suite that did not run.
 */
export function describeWithService(
  name: ServiceName,
  title: string,
  body: (url: string) => void,
): void {
  const url = serviceUrl(name);
  if (url !== undefined) {
    describe(`${title} [${name}]`, () => body(url));
    return;
  }
  const variable = VARIABLES[name];
  if (process.env.CI === 'true') {
    describe(`${title} [${name}]`, () => {
      it(`requires ${variable} under CI`, () => {
        throw new Error(`${variable} is not set: service tests may not be skipped under CI`);
      });
    });
    return;
  }
  console.warn(`[skip] ${title}: set ${variable} to run it against ${name}`);
  // The body is never called without a URL: a skipped `describe` still runs its body at
  // collection, and a body given '' (or any stand-in) could throw there (`new URL('')`) and fail
  // the whole run on a machine with no services. One placeholder test keeps the skip visible.
  describe.skip(`${title} [${name}] (${variable} not set)`, () => {
    it(`needs ${variable}`, () => {});
  });
}

/** A name unique to this test run, usable as a schema, database or key prefix. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${randomBytes(5).toString('hex')}`;
}
