import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';

/** The part of an autocannon client a benchmark touches. */
export interface LoadClient {
  setRequests(requests: readonly LoadRequest[]): void;
  on(
    event: 'response',
    listener: (status: number, bytes: number, milliseconds: number) => void,
  ): void;
}

/** One autocannon request template; `setupRequest` runs before every request when given. */
export interface LoadRequest {
  method?: 'GET' | 'POST';
  path?: string;
  headers?: Record<string, string>;
  body?: string;
  setupRequest?: (request: LoadRequest) => LoadRequest;
  onResponse?: (status: number, body: string) => void;
}

interface AutocannonResult {
  readonly errors: number;
  readonly timeouts: number;
  readonly non2xx: number;
  readonly '2xx': number;
  readonly statusCodeStats: Record<string, { count: number }>;
}

type Autocannon = (options: Record<string, unknown>) => Promise<AutocannonResult>;

const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

/** One bounded load run against a loopback server. */
export interface LoadSpec {
  /** `http://127.0.0.1:<port>`: loopback only. */
  readonly url: string;
  readonly path: string;
  readonly method?: 'GET' | 'POST';
  /** Total requests; the run ends after exactly this many responses. */
  readonly amount: number;
  /** @default 10 */
  readonly connections?: number;
  readonly headers?: Record<string, string>;
  /** Headers computed per request (a token rotation); autocannon rebuilds the request each time. */
  readonly headersPerRequest?: () => Record<string, string>;
  /** Full control of each connection (e.g. a chained refresh session per connection). */
  readonly setupClient?: (client: LoadClient, index: number) => void;
  /** Hard limit in seconds, a safety net on top of `amount`. @default 120 */
  readonly maxSeconds?: number;
}

/** What one run measured, from the client side. */
export interface LoadResult {
  readonly responses: number;
  readonly ok: number;
  readonly failed: number;
  readonly seconds: number;
  readonly rps: number;
  /** Latency percentiles in milliseconds, exact (not histogram-rounded). */
  readonly p50: number;
  readonly p99: number;
  readonly statusCodes: Record<string, number>;
}

function percentile(sorted: Float64Array, fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)]!;
}

/** Runs autocannon for `spec.amount` requests and returns req/s and exact latency percentiles. */
export async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const url = new URL(spec.url);
  if (url.hostname !== '127.0.0.1') throw new TypeError('benchmarks only load 127.0.0.1');
  const latencies = new Float64Array(spec.amount + 64);
  let recorded = 0;
  let lastResponse = 0;
  let clientIndex = 0;
  const connections = Math.min(spec.connections ?? 10, spec.amount);
  const perRequest = spec.headersPerRequest;
  const baseHeaders = spec.headers ?? {};
  const request: LoadRequest = {
    method: spec.method ?? 'GET',
    path: spec.path,
    headers: baseHeaders,
    ...(perRequest === undefined
      ? {}
      : {
          setupRequest: (built: LoadRequest) => {
            built.headers = { ...baseHeaders, ...perRequest() };
            return built;
          },
        }),
  };
  const started = performance.now();
  const result = await autocannon({
    url: `${spec.url}${spec.path}`,
    method: spec.method ?? 'GET',
    connections,
    pipelining: 1,
    amount: spec.amount,
    // autocannon notices the end of an `amount` run only at a sample tick (1 s by default).
    sampleInt: 50,
    duration: spec.maxSeconds ?? 120,
    timeout: 30,
    requests: [request],
    setupClient: (client: LoadClient) => {
      client.on('response', (_status, _bytes, milliseconds) => {
        if (recorded < latencies.length) latencies[recorded++] = milliseconds;
        lastResponse = performance.now();
      });
      spec.setupClient?.(client, clientIndex++);
    },
  });
  // From the start to the last response: the wait for autocannon's next tick is not load.
  const seconds = ((recorded > 0 ? lastResponse : performance.now()) - started) / 1000;
  const sorted = latencies.subarray(0, recorded).toSorted();
  const statusCodes: Record<string, number> = {};
  for (const [code, stats] of Object.entries(result.statusCodeStats))
    statusCodes[code] = stats.count;
  const ok = result['2xx'];
  return {
    responses: recorded,
    ok,
    failed: result.non2xx + result.errors + result.timeouts,
    seconds,
    rps: recorded / seconds,
    p50: percentile(sorted, 0.5),
    p99: percentile(sorted, 0.99),
    statusCodes,
  };
}
