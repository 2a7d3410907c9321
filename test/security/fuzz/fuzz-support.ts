import * as fc from 'fast-check';
import {
  fastifyInstance,
  startSecuritySampleApp,
  type SecuritySampleApp,
} from '../support/security-sample-app.js';

/** Inputs per endpoint: `FUZZ_RUNS`, default 10,000 (issue 5). */
export const FUZZ_RUNS = Number(process.env.FUZZ_RUNS ?? 10_000);

/** What one injected request answered. */
export interface InjectResult {
  readonly status: number;
  readonly body: string;
}

/** The sample app on Fastify, driven without a socket through `inject`. */
export interface FuzzApp {
  readonly sample: SecuritySampleApp;
  inject(options: {
    method: 'GET' | 'POST';
    url: string;
    headers?: Record<string, string>;
    payload?: string;
  }): Promise<InjectResult>;
}

/** Starts the sample app on Fastify with no rate limit in reach. */
export async function startFuzzApp(): Promise<FuzzApp> {
  const sample = await startSecuritySampleApp({
    HTTP_ADAPTER: 'fastify',
    THROTTLE_LIMIT: '1000000',
  });
  const instance = fastifyInstance(sample.app);
  return {
    sample,
    async inject(options) {
      const response = await instance.inject(options);
      return { status: response.statusCode, body: response.body };
    },
  };
}

/** Counts statuses and keeps the first few 5xx inputs for the failure message. */
export class StatusTally {
  readonly counts = new Map<number, number>();
  readonly serverErrors: string[] = [];
  total = 0;

  record(status: number, input: unknown): void {
    this.total += 1;
    this.counts.set(status, (this.counts.get(status) ?? 0) + 1);
    if (status >= 500 && this.serverErrors.length < 5)
      this.serverErrors.push(JSON.stringify(input).slice(0, 300));
  }

  /** Prints the counts; returns what the test asserts (inputs run, first 5xx inputs). */
  report(label: string): { total: number; serverErrors: string[] } {
    const histogram = [...this.counts.entries()]
      .toSorted(([a], [b]) => a - b)
      .map(([status, count]) => `${status}: ${count}`)
      .join(', ');
    console.info(`[fuzz] ${label}: ${this.total} generated inputs -> ${histogram}`);
    return { total: this.total, serverErrors: this.serverErrors };
  }
}

/** Header-safe text: printable ASCII and Latin-1, no CR, LF or NUL (inject would refuse them). */
export const headerText = (maxLength = 300): fc.Arbitrary<string> =>
  fc.string({
    unit: fc
      .integer({ min: 0x20, max: 0xff })
      .filter((code) => code !== 0x7f)
      .map((code) => String.fromCharCode(code)),
    maxLength,
  });

/** JSON values of every shape, including deep nesting and odd numbers. */
export const anyJson: fc.Arbitrary<unknown> = fc.jsonValue({ maxDepth: 6 });

/** A string mutated around a seed: truncated, extended, case-flipped, characters swapped. */
export function mutationOf(seed: string): fc.Arbitrary<string> {
  return fc.oneof(
    fc.nat({ max: seed.length }).map((n) => seed.slice(0, n)),
    fc
      .tuple(fc.nat({ max: seed.length - 1 }), fc.string({ minLength: 1, maxLength: 4 }))
      .map(([at, text]) => `${seed.slice(0, at)}${text}${seed.slice(at + 1)}`),
    fc.string({ maxLength: 20 }).map((suffix) => `${seed}${suffix}`),
    fc.constant(seed.toUpperCase()),
    fc.constant(seed.split('').reverse().join('')),
  );
}
