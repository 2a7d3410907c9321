// npm run bench:memory [-- --quick] [--requests=1000000] [--tokens=fresh|rotate] [--chunk=50000]
//   [--token-bytes=7500] [--repeat=2] [--max-bytes=16777216] [--overhead-mib=48]
// RSS of the guarded app (this module, HS256) after 100 k and after 1 M guarded requests, in
// its own process, with distinct tokens of about 7.5 kB so the verified-token cache fills,
// evicts and churns: `fresh` mints a new token and sends it `repeat` times in a row (twice by
// default: the cache admits a token on its second sight, so each token is cached), `rotate`
// cycles 1,000. The target: RSS stays within the cache's byte budget (`cache.maxBytes`) plus a
// fixed overhead over the RSS after start-up.
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
const overheadMiB = intArg(args, 'overhead-mib', 48);
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
let nextHeader: () => Record<string, string>;
if (tokenMode === 'fresh') {
  // Tokens are made on the fly: a million would not fit a pre-minted pool. The 15-minute
  // lifetime outlasts the run; each token reaches the server once.
  const source = hs256TokenSource(material, 900, tokenBytes);
  let header: Record<string, string> = {};
  let sent = repeat;
  nextHeader = () => {
    if (sent === repeat) {
      header = { authorization: `Bearer ${source()}` };
      sent = 0;
    }
    sent += 1;
    return header;
  };
} else {
  const tokens = await mintTokens(material, 1000);
  let index = 0;
  nextHeader = () => ({ authorization: `Bearer ${tokens[index++ % tokens.length]!}` });
}

interface Point {
  readonly requests: number;
  readonly rss: number;
  readonly heapUsed: number;
  readonly rps: number;
}

const MiB = 1024 * 1024;
const points: Point[] = [];
const server = await ServerProcess.start(
  'memory/ours',
  serverEntry,
  {
    BENCH_VARIANT: 'ours',
    BENCH_KEY: JSON.stringify(material),
    BENCH_CACHE: JSON.stringify({ maxBytes }),
  },
  ['--expose-gc'],
);
let baseline: ServerStats;
const started = Date.now();
try {
  await server.call('gc');
  baseline = await server.stats();
  let done = 0;
  while (done < total) {
    const amount = Math.min(chunk, total - done);
    const load = await runLoad({
      url: server.url,
      path: '/me',
      amount,
      connections,
      headersPerRequest: nextHeader,
    });
    if (load.ok !== load.responses || load.failed > 0) {
      throw new Error(
        `guarded requests failed: ${load.ok}/${load.responses} OK, ${JSON.stringify(load.statusCodes)}`,
      );
    }
    done += amount;
    // RSS as the process holds it after a full collection: what stays, not what awaits GC.
    await server.call('gc');
    const stats = await server.stats();
    points.push({ requests: done, rss: stats.rss, heapUsed: stats.heapUsed, rps: load.rps });
    console.log(
      `  ${done.toLocaleString('en-US').padStart(9)} requests: RSS ${(stats.rss / MiB).toFixed(1)} MiB, heap ${(stats.heapUsed / MiB).toFixed(1)} MiB, ${fixed(load.rps)} req/s (${((Date.now() - started) / 1000).toFixed(0)} s)`,
    );
  }
} finally {
  await server.stop();
}

const at = (requests: number): Point | undefined =>
  points.find((point) => point.requests >= requests);
const first = at(checkpoint);
const last = points.at(-1);
const growth = ratio(last?.rss, first?.rss);
const budget = baseline!.rss + maxBytes + overheadMiB * MiB;
const results: TargetResult[] = [
  {
    target: `RSS after ${total.toLocaleString('en-US')} ≤ RSS after start-up + cache.maxBytes (${fixed(maxBytes / MiB, 1)} MiB) + ${overheadMiB} MiB`,
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
  header: ['guarded requests', 'RSS MiB', 'heap used MiB', 'req/s (last chunk)'],
  rows: [
    ['0 (after start-up)', fixed(baseline!.rss / MiB, 1), fixed(baseline!.heapUsed / MiB, 1), ''],
    ...shown.map((point) => [
      point.requests.toLocaleString('en-US'),
      fixed(point.rss / MiB, 1),
      fixed(point.heapUsed / MiB, 1),
      fixed(point.rps),
    ]),
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
    targets: results,
  },
  markdown,
);
console.log(`\nresults: ${path}`);
