// npm run bench:memory [-- --quick] [--requests=1000000] [--tokens=fresh|rotate] [--chunk=50000]
//   [--token-bytes=7500] [--repeat=2] [--max-bytes=16777216] [--overhead-mib=16]
// RSS of the guarded app (this module, HS256) after 100 k and after 1 M guarded requests, in
// its own process, with distinct tokens of about 7.5 kB so the verified-token cache fills,
// evicts and churns: `fresh` mints a new token and sends it `repeat` times in a row (twice by
// default: the cache admits a token on its second sight, so each token is cached), `rotate`
// cycles 1,000. The target: RSS stays within the cache's byte budget (`cache.maxBytes`) plus a
// fixed overhead over a control, the same app with the cache off under the same load.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { intArg, parseBenchArgs } from '../support/bench-args.js';
import { createKeyMaterial, hs256TokenSource, mintTokens } from '../support/bench-keys.js';
import { runLoad } from '../support/load.js';
import { describeMachine, machineLine } from '../support/machine.js';
import { renderTable } from '../support/markdown-table.js';
import { renderTargetTable, writeResults, type TargetResult } from '../support/results.js';
import { ServerProcess, type ServerStats } from '../support/server-process.js';
import { fixed, formatRatio, ratio } from '../support/stats.js';

const args = parseBenchArgs();
const quick = args.quick;
const total = intArg(args, 'requests', quick ? 200_000 : 1_000_000);
const checkpoint = Math.round(total / 10);
const chunk = Math.min(intArg(args, 'chunk', 50_000), checkpoint);
const tokenMode = args.values.get('tokens') ?? 'fresh';
if (tokenMode !== 'fresh' && tokenMode !== 'rotate')
  throw new TypeError('--tokens must be fresh or rotate');
const connections = intArg(args, 'connections', 10);
const tokenBytes = intArg(args, 'token-bytes', 7500);
const repeat = Math.max(1, intArg(args, 'repeat', 2));
const maxBytes = intArg(args, 'max-bytes', 16 * 1024 * 1024);
const overheadMiB = intArg(args, 'overhead-mib', 16);
const machine = describeMachine();
const serverEntry = join(
  fileURLToPath(new URL('.', import.meta.url)),
  '..',
  'guard',
  'guard-server.ts',
);

console.log(`bench:memory ${quick ? '(quick) ' : ''}— ${machineLine(machine)}`);
console.log(
  `${total.toLocaleString('en-US')} guarded requests in chunks of ${chunk.toLocaleString('en-US')}, tokens: ${tokenMode} (about ${tokenBytes} bytes, each sent ${repeat}×), cache.maxBytes ${maxBytes}`,
);

const material = createKeyMaterial('HS256');
async function headerSource(): Promise<() => Record<string, string>> {
  if (tokenMode === 'fresh') {
    // Tokens are made on the fly: a million would not fit a pre-minted pool. The 15-minute
    // lifetime outlasts the run; each token reaches the server `repeat` times in a row.
    const source = hs256TokenSource(material, 900, tokenBytes);
    let header: Record<string, string> = {};
    let sent = repeat;
    return () => {
      if (sent === repeat) {
        header = { authorization: `Bearer ${source()}` };
        sent = 0;
      }
      sent += 1;
      return header;
    };
  }
  const tokens = await mintTokens(material, 1000);
  let index = 0;
  return () => ({ authorization: `Bearer ${tokens[index++ % tokens.length]!}` });
}

interface Point {
  readonly requests: number;
  readonly rss: number;
  readonly heapUsed: number;
  readonly rps: number;
}

const MiB = 1024 * 1024;
const points: Point[] = [];
const controlPoints: Point[] = [];
// The control: the same app with the cache off, under the same load. What it holds (V8's young
// generation grown to its limit, HTTP buffers, allocator arenas) is the fixed overhead; the
// difference to it is what the cache holds.
const [server, control] = await Promise.all([
  ServerProcess.start(
    'memory/ours',
    serverEntry,
    {
      BENCH_VARIANT: 'ours',
      BENCH_KEY: JSON.stringify(material),
      BENCH_CACHE: JSON.stringify({ maxBytes }),
    },
    ['--expose-gc'],
  ),
  ServerProcess.start(
    'memory/control',
    serverEntry,
    { BENCH_VARIANT: 'ours-nocache', BENCH_KEY: JSON.stringify(material) },
    ['--expose-gc'],
  ),
]);
let baseline: ServerStats;
const started = Date.now();

async function loadChunk(
  target: ServerProcess,
  amount: number,
  headers: () => Record<string, string>,
): Promise<Point & { readonly done: number }> {
  const load = await runLoad({
    url: target.url,
    path: '/me',
    amount,
    connections,
    headersPerRequest: headers,
  });
  if (load.ok !== load.responses || load.failed > 0) {
    throw new Error(
      `${target.label}: guarded requests failed: ${load.ok}/${load.responses} OK, ${JSON.stringify(load.statusCodes)}`,
    );
  }
  // RSS as the process holds it after a full collection: what stays, not what awaits GC.
  await target.call('gc');
  const stats = await target.stats();
  return { requests: 0, done: amount, rss: stats.rss, heapUsed: stats.heapUsed, rps: load.rps };
}

try {
  await server.call('gc');
  baseline = await server.stats();
  const ours = await headerSource();
  const theirs = await headerSource();
  let done = 0;
  while (done < total) {
    const amount = Math.min(chunk, total - done);
    const point = await loadChunk(server, amount, ours);
    const controlPoint = await loadChunk(control, amount, theirs);
    done += amount;
    points.push({ ...point, requests: done });
    controlPoints.push({ ...controlPoint, requests: done });
    console.log(
      `  ${done.toLocaleString('en-US').padStart(9)} requests: RSS ${(point.rss / MiB).toFixed(1)} MiB (control ${(controlPoint.rss / MiB).toFixed(1)}), heap ${(point.heapUsed / MiB).toFixed(1)} MiB (control ${(controlPoint.heapUsed / MiB).toFixed(1)}), ${fixed(point.rps)} req/s (${((Date.now() - started) / 1000).toFixed(0)} s)`,
    );
  }
} finally {
  await Promise.all([server.stop(), control.stop()]);
}

const at = (requests: number): Point | undefined =>
  points.find((point) => point.requests >= requests);
const first = at(checkpoint);
const last = points.at(-1);
const growth = ratio(last?.rss, first?.rss);
const lastControl = controlPoints.at(-1);
const budget = (lastControl?.rss ?? Number.NaN) + maxBytes + overheadMiB * MiB;
const results: TargetResult[] = [
  {
    target: `RSS after ${total.toLocaleString('en-US')} ≤ the cache-off control's RSS + cache.maxBytes (${fixed(maxBytes / MiB, 1)} MiB) + ${overheadMiB} MiB`,
    measured: `${fixed((last?.rss ?? Number.NaN) / MiB, 1)} MiB ≤ ${fixed(budget / MiB, 1)} MiB`,
    pass: last === undefined ? null : last.rss <= budget,
  },
  {
    target: `RSS after ${total.toLocaleString('en-US')} ≤ 1.1 × RSS after ${checkpoint.toLocaleString('en-US')} guarded requests`,
    measured: formatRatio(growth),
    pass: Number.isFinite(growth) ? growth <= 1.1 : null,
  },
];
const shown = points.filter(
  (point, index) => point === first || point === last || index === Math.floor(points.length / 2),
);
const table = renderTable({
  header: [
    'guarded requests',
    'RSS MiB',
    'heap used MiB',
    'control (cache off) RSS MiB',
    'control heap used MiB',
    'req/s (last chunk)',
  ],
  rows: [
    [
      '0 (after start-up)',
      fixed(baseline!.rss / MiB, 1),
      fixed(baseline!.heapUsed / MiB, 1),
      '',
      '',
      '',
    ],
    ...shown.map((point) => {
      const other = controlPoints.find((candidate) => candidate.requests === point.requests);
      return [
        point.requests.toLocaleString('en-US'),
        fixed(point.rss / MiB, 1),
        fixed(point.heapUsed / MiB, 1),
        fixed((other?.rss ?? Number.NaN) / MiB, 1),
        fixed((other?.heapUsed ?? Number.NaN) / MiB, 1),
        fixed(point.rps),
      ];
    }),
  ],
});
const targetTable = renderTargetTable('### Target', results);
const markdown = [
  '## Memory under load (`npm run bench:memory`)',
  '',
  machineLine(machine),
  `This module's guarded \`GET /me\` (HS256, cache of at most 10,000 entries and ${fixed(maxBytes / MiB, 1)} MiB) in its own process, ${tokenMode === 'fresh' ? `a new token of about ${tokenBytes} bytes every ${repeat} request(s)` : '1,000 tokens in rotation'}; autocannon on 127.0.0.1, ${connections} connections; RSS after a full GC.`,
  '',
  table,
  '',
  targetTable,
].join('\n');
console.log(`\n${markdown}`);
const path = writeResults(
  'memory',
  machine,
  {
    settings: {
      total,
      checkpoint,
      chunk,
      tokenMode,
      connections,
      tokenBytes,
      repeat,
      maxBytes,
      overheadMiB,
    },
    baseline: baseline!,
    points,
    controlPoints,
    targets: results,
  },
  markdown,
);
console.log(`\nresults: ${path}`);
