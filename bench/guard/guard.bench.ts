// npm run bench:guard [-- --quick] [--alg=ES256,EdDSA,HS256] [--variant=ours,floor,recipe,noop,jose,ours-nocache]
//   [--mode=hot,rotate,fresh] [--rounds=5] [--requests=2000] [--warmup=1500] [--connections=10]
//   [--cpu-prof=ours,jose] (V8 CPU profiles of those servers, under bench/results/profiles/)
// Every app runs in its own child process; autocannon loads them in turn from this process, on
// 127.0.0.1 only, for a fixed count of requests. CPU per request is the child's own CPU time
// (all its threads, from /proc/<pid>/task/*/schedstat) before and after each run.
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import { fileURLToPath } from 'node:url';
import { intArg, listArg, parseBenchArgs } from '../support/bench-args.js';
import {
  BENCH_ALGORITHMS,
  createKeyMaterial,
  mintTokens,
  type BenchAlgorithm,
  type BenchKeyMaterial,
} from '../support/bench-keys.js';
import { runLoad, type LoadResult } from '../support/load.js';
import { describeMachine, machineLine } from '../support/machine.js';
import { renderTable } from '../support/markdown-table.js';
import {
  RESULTS_DIR,
  renderTargetTable,
  writeResults,
  type TargetResult,
} from '../support/results.js';
import { ServerProcess } from '../support/server-process.js';
import { fixed, formatRatio, median, ratio } from '../support/stats.js';
import {
  DEFAULT_VARIANTS,
  GUARD_VARIANTS,
  VARIANT_LABELS,
  type GuardVariant,
} from './guard-variants.js';

const TOKEN_MODES = ['hot', 'rotate', 'fresh'] as const;
type TokenMode = (typeof TOKEN_MODES)[number];
type Cell = 'health' | TokenMode;

const MODE_LABELS: Record<Cell, string> = {
  health: '/health',
  hot: '/me, one hot token',
  rotate: '/me, 1,000 tokens in rotation',
  fresh: '/me, a new token per request',
};

const ROTATION_SIZE = 1000;

interface Sample extends LoadResult {
  readonly round: number;
  /** Server CPU (user + system) per response, microseconds. */
  readonly cpuMicros: number;
}

interface GuardTargetResult extends TargetResult {
  readonly cpuMeasured: string;
  readonly cpuPass: boolean | null;
}

interface Target {
  readonly algorithm: BenchAlgorithm;
  readonly variant: GuardVariant;
  readonly material: BenchKeyMaterial;
  readonly server: ServerProcess;
  /** Next unused index into the fresh-token pool, per server: each process sees each token once. */
  freshCursor: number;
}

const args = parseBenchArgs();
const quick = args.quick;
const algorithms = listArg(args, 'alg', BENCH_ALGORITHMS);
const variants = listArg(args, 'variant', GUARD_VARIANTS, DEFAULT_VARIANTS);
const modes = listArg(args, 'mode', TOKEN_MODES);
const rounds = intArg(args, 'rounds', quick ? 1 : 5);
const amount = intArg(args, 'requests', quick ? 1000 : 2000);
const warmup = intArg(args, 'warmup', quick ? 500 : 1500);
const connections = intArg(args, 'connections', 10);
const rewarm = Math.max(connections, Math.round(amount / 6));
const profiled = (args.values.get('cpu-prof') ?? '').split(',');
const machine = describeMachine();
const serverEntry = join(fileURLToPath(new URL('.', import.meta.url)), 'guard-server.ts');

const notes: string[] = [];
if (variants.includes('recipe') && algorithms.includes('EdDSA')) {
  notes.push(
    'The Nest recipe has no EdDSA row: jsonwebtoken 9 (under passport-jwt) does not support EdDSA.',
  );
}

const materials = new Map<BenchAlgorithm, BenchKeyMaterial>();
const hotTokens = new Map<BenchAlgorithm, string>();
const rotationTokens = new Map<BenchAlgorithm, string[]>();
const freshTokens = new Map<BenchAlgorithm, string[]>();
const freshWarmup = Math.min(warmup, 1000);
const freshPoolSize = modes.includes('fresh') ? freshWarmup + rounds * amount : 0;

console.log(`bench:guard ${quick ? '(quick) ' : ''}— ${machineLine(machine)}`);
console.log(
  `rounds ${rounds}, ${amount} requests per run, ${connections} connections, warm-up ${warmup}; minting tokens…`,
);
for (const algorithm of algorithms) {
  const material = createKeyMaterial(algorithm);
  materials.set(algorithm, material);
  hotTokens.set(algorithm, (await mintTokens(material, 1))[0]!);
  rotationTokens.set(
    algorithm,
    modes.includes('rotate') ? await mintTokens(material, ROTATION_SIZE) : [],
  );
  freshTokens.set(algorithm, await mintTokens(material, freshPoolSize));
}

const targets: Target[] = [];
const samples = new Map<string, Sample[]>();
const key = (algorithm: BenchAlgorithm, variant: GuardVariant, cell: Cell): string =>
  `${algorithm}/${variant}/${cell}`;

async function startAll(): Promise<void> {
  for (const algorithm of algorithms) {
    for (const variant of variants) {
      if (variant === 'recipe' && algorithm === 'EdDSA') continue;
      const label = `${variant}/${algorithm}`;
      const execArgv = profiled.includes(variant)
        ? // One directory per server: Node writes a profile per thread (the module-loader thread too).
          [
            '--cpu-prof',
            `--cpu-prof-dir=${join(RESULTS_DIR, 'profiles', `guard-${variant}-${algorithm}-${process.pid}`)}`,
          ]
        : [];
      const server = await ServerProcess.start(
        label,
        serverEntry,
        {
          BENCH_VARIANT: variant,
          BENCH_KEY: JSON.stringify(materials.get(algorithm)),
          // The floor attaches the claims of the hot token, so /me answers the same body.
          BENCH_FLOOR_CLAIMS: JSON.stringify(decodeJwt(hotTokens.get(algorithm)!)),
        },
        execArgv,
      );
      targets.push({
        algorithm,
        variant,
        material: materials.get(algorithm)!,
        server,
        freshCursor: 0,
      });
    }
  }
}

function loadFor(target: Target, cell: Cell, count: number): Promise<LoadResult> {
  const base = { url: target.server.url, amount: count, connections };
  switch (cell) {
    case 'health':
      return runLoad({ ...base, path: '/health' });
    case 'hot':
      return runLoad({
        ...base,
        path: '/me',
        headers: { authorization: `Bearer ${hotTokens.get(target.algorithm)!}` },
      });
    case 'rotate': {
      const tokens = rotationTokens.get(target.algorithm)!;
      let next = 0;
      return runLoad({
        ...base,
        path: '/me',
        headersPerRequest: () => ({ authorization: `Bearer ${tokens[next++ % tokens.length]!}` }),
      });
    }
    case 'fresh': {
      const tokens = freshTokens.get(target.algorithm)!;
      return runLoad({
        ...base,
        path: '/me',
        headersPerRequest: () => {
          const token = tokens[target.freshCursor++];
          if (token === undefined) throw new Error('fresh-token pool exhausted');
          return { authorization: `Bearer ${token}` };
        },
      });
    }
  }
}

async function measure(target: Target, cell: Cell, count: number, round: number): Promise<Sample> {
  const before = await target.server.cpuMicros();
  const load = await loadFor(target, cell, count);
  const after = await target.server.cpuMicros();
  if (load.ok !== load.responses || load.failed > 0) {
    console.warn(
      `  ! ${target.server.label} ${MODE_LABELS[cell]}: ${load.ok}/${load.responses} OK, status ${JSON.stringify(load.statusCodes)}`,
    );
  }
  const valid = load.ok === load.responses && load.failed === 0;
  return {
    ...load,
    rps: valid ? load.rps : Number.NaN,
    round,
    cpuMicros: valid ? (after - before) / load.responses : Number.NaN,
  };
}

const cells: Cell[] = ['health', ...modes];
try {
  await startAll();
  const runs = targets.length * cells.length * rounds;
  console.log(`${targets.length} servers up; warming up, then ${runs} measured runs…`);
  for (const target of targets) {
    for (const cell of cells) {
      const count =
        cell === 'rotate'
          ? Math.max(warmup, ROTATION_SIZE)
          : cell === 'fresh'
            ? freshWarmup
            : warmup;
      await measure(target, cell, count, -1);
    }
  }
  const started = Date.now();
  for (let round = 0; round < rounds; round += 1) {
    for (const algorithm of algorithms) {
      const group = targets.filter((target) => target.algorithm === algorithm);
      // Rotate the order each round so that no app always runs first (or right after another).
      const ordered = group.map((_, index) => group[(index + round) % group.length]!);
      for (const target of ordered) {
        // A server that sat idle while the others ran is slower on its first requests (V8's
        // idle-time GC and code flushing): re-warm it so the first measured cell is not penalised.
        await measure(target, 'health', rewarm, -1);
        if (modes.includes('hot')) await measure(target, 'hot', rewarm, -1);
        // Rotate the cell order too, so /health is not always measured first.
        for (const cell of cells.map((_, index) => cells[(index + round) % cells.length]!)) {
          const sample = await measure(target, cell, amount, round);
          const id = key(algorithm, target.variant, cell);
          samples.set(id, [...(samples.get(id) ?? []), sample]);
        }
      }
    }
    console.log(
      `  round ${round + 1}/${rounds} done (${((Date.now() - started) / 1000).toFixed(0)} s)`,
    );
  }
} finally {
  await Promise.all(targets.map((target) => target.server.stop()));
}

// ---- aggregation -------------------------------------------------------------------------

interface Summary {
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly cpuMicros: number;
  /** Median over rounds of (this run's req/s ÷ the same app's /health req/s in that round). */
  readonly vsHealth: number;
  /** Median over rounds of (ours ÷ recipe) req/s in the same round. */
  readonly vsRecipe: number;
  /**
   * The same two ratios from server CPU instead of client-seen req/s (CPU per /health request ÷
   * CPU per request here): what the throughput ratio would be on a server-bound machine, and
   * far less disturbed by the load generator and neighbours sharing the cores.
   */
  readonly cpuVsHealth: number;
  readonly cpuVsRecipe: number;
  /** Median over rounds of (ours' CPU per request ÷ the floor's) in the same round, on /me. */
  readonly cpuOverFloor: number;
}

function perRoundRatio(a: readonly Sample[] | undefined, b: readonly Sample[] | undefined): number {
  if (a === undefined || b === undefined) return Number.NaN;
  return median(
    a.map((sample) => ratio(sample.rps, b.find((other) => other.round === sample.round)?.rps)),
  );
}

function perRoundCpuRatio(
  a: readonly Sample[] | undefined,
  b: readonly Sample[] | undefined,
): number {
  if (a === undefined || b === undefined) return Number.NaN;
  return median(
    a.map((sample) =>
      ratio(b.find((other) => other.round === sample.round)?.cpuMicros, sample.cpuMicros),
    ),
  );
}

function summarize(
  algorithm: BenchAlgorithm,
  variant: GuardVariant,
  cell: Cell,
): Summary | undefined {
  const own = samples.get(key(algorithm, variant, cell));
  if (own === undefined) return undefined;
  return {
    rps: median(own.map((sample) => sample.rps)),
    p50: median(own.map((sample) => sample.p50)),
    p99: median(own.map((sample) => sample.p99)),
    cpuMicros: median(own.map((sample) => sample.cpuMicros)),
    vsHealth:
      cell === 'health' ? 1 : perRoundRatio(own, samples.get(key(algorithm, variant, 'health'))),
    vsRecipe:
      variant === 'ours' && cell !== 'health'
        ? perRoundRatio(own, samples.get(key(algorithm, 'recipe', cell)))
        : Number.NaN,
    cpuVsHealth:
      cell === 'health' ? 1 : perRoundCpuRatio(own, samples.get(key(algorithm, variant, 'health'))),
    cpuVsRecipe:
      variant === 'ours' && cell !== 'health'
        ? perRoundCpuRatio(own, samples.get(key(algorithm, 'recipe', cell)))
        : Number.NaN,
    cpuOverFloor:
      variant === 'ours' && cell !== 'health'
        ? 1 / perRoundCpuRatio(own, samples.get(key(algorithm, 'floor', cell)))
        : Number.NaN,
  };
}

const summaries: Record<string, Summary> = {};
const detailTables: string[] = [];
for (const algorithm of algorithms) {
  const rows: string[][] = [];
  for (const variant of variants) {
    for (const cell of cells) {
      const summary = summarize(algorithm, variant, cell);
      if (summary === undefined) continue;
      summaries[key(algorithm, variant, cell)] = summary;
      rows.push([
        VARIANT_LABELS[variant],
        MODE_LABELS[cell],
        fixed(summary.rps),
        fixed(summary.p50, 2),
        fixed(summary.p99, 2),
        fixed(summary.cpuMicros),
        cell === 'health'
          ? ''
          : `${formatRatio(summary.vsHealth)} (${formatRatio(summary.cpuVsHealth)})`,
        variant === 'ours' && cell !== 'health'
          ? `${formatRatio(summary.vsRecipe)} (${formatRatio(summary.cpuVsRecipe)})`
          : '',
        variant === 'ours' && cell !== 'health' ? formatRatio(summary.cpuOverFloor) : '',
      ]);
    }
  }
  detailTables.push(
    renderTable({
      title: `### ${algorithm}`,
      header: [
        'app',
        'route, tokens',
        'req/s',
        'p50 ms',
        'p99 ms',
        'CPU µs/req',
        '/me ÷ /health (CPU)',
        'ours ÷ recipe (CPU)',
        'ours ÷ floor, CPU µs/req',
      ],
      align: ['l', 'l', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
      rows,
    }),
  );
}

// ---- targets -----------------------------------------------------------------------------

const results: GuardTargetResult[] = [];
type Basis = 'rps' | 'cpu';
const healthRatio = (
  algorithm: BenchAlgorithm,
  variant: GuardVariant,
  mode: TokenMode,
  basis: Basis,
): number | undefined => {
  const summary = summaries[key(algorithm, variant, mode)];
  return basis === 'rps' ? summary?.vsHealth : summary?.cpuVsHealth;
};
const known = (...values: (number | undefined)[]): boolean =>
  values.every((value) => value !== undefined && Number.isFinite(value));

function evaluate(
  target: string,
  compute: (basis: Basis) => { text: string; pass: boolean | null },
): void {
  const rps = compute('rps');
  const cpu = compute('cpu');
  results.push({
    target,
    measured: rps.text,
    pass: rps.pass,
    cpuMeasured: cpu.text,
    cpuPass: cpu.pass,
  });
}

for (const algorithm of algorithms) {
  if (modes.includes('hot')) {
    evaluate(`${algorithm} hot token: ours /me÷/health ≥ 0.95 × the floor's`, (basis) => {
      const ours = healthRatio(algorithm, 'ours', 'hot', basis);
      const floor = healthRatio(algorithm, 'floor', 'hot', basis);
      const bar = floor === undefined ? undefined : 0.95 * floor;
      return {
        text: `${formatRatio(ours)} vs ${formatRatio(bar)}`,
        pass: known(ours, bar) ? ours! >= bar! : null,
      };
    });
    // CPU only: a per-request cost, read from the kernel (the req/s column is the line above).
    const overFloor = summaries[key(algorithm, 'ours', 'hot')]?.cpuOverFloor;
    const floorText = `${formatRatio(overFloor)}${known(overFloor) && overFloor! <= 1.05 ? ' (moonshot 1.05 holds)' : ''}`;
    results.push({
      target: `${algorithm} hot token: ours' CPU per /me ≤ 1.10 × the floor's`,
      measured: '–',
      pass: null,
      cpuMeasured: floorText,
      cpuPass: known(overFloor) ? overFloor! <= 1.1 : null,
    });
  }
  if (modes.includes('fresh')) {
    evaluate(`${algorithm} new token per request: ours /me÷/health ≥ plain jose's`, (basis) => {
      const ours = healthRatio(algorithm, 'ours', 'fresh', basis);
      const jose = healthRatio(algorithm, 'jose', 'fresh', basis);
      return {
        text: `${formatRatio(ours)} vs ${formatRatio(jose)}`,
        pass: known(ours, jose) ? ours! >= jose! : null,
      };
    });
  }
}
if (algorithms.includes('ES256') && modes.includes('hot')) {
  evaluate('ES256 hot token: ours ÷ recipe on /me ≥ 3', (basis) => {
    const summary = summaries[key('ES256', 'ours', 'hot')];
    const value = basis === 'rps' ? summary?.vsRecipe : summary?.cpuVsRecipe;
    return { text: formatRatio(value), pass: known(value) ? value! >= 3 : null };
  });
}
const targetTable = renderTargetTable(
  '### Targets (verdict on req/s, as specified; the CPU basis is the same ratio from server CPU)',
  results,
  'req/s basis',
  'CPU basis',
);

// ---- README table ------------------------------------------------------------------------

const readmeRows: string[][] = [];
for (const algorithm of algorithms) {
  for (const variant of variants) {
    const health = summaries[key(algorithm, variant, 'health')];
    if (health === undefined) continue;
    const cellRatio = (mode: TokenMode): string =>
      formatRatio(summaries[key(algorithm, variant, mode)]?.vsHealth);
    const guardCost = (mode: TokenMode): string => {
      const me = summaries[key(algorithm, variant, mode)];
      return me === undefined ? '–' : fixed(me.cpuMicros - health.cpuMicros);
    };
    readmeRows.push([
      algorithm,
      VARIANT_LABELS[variant],
      fixed(health.rps),
      fixed(health.cpuMicros),
      fixed(summaries[key(algorithm, variant, 'hot')]?.rps),
      fixed(summaries[key(algorithm, variant, 'hot')]?.cpuMicros),
      ...modes.map(cellRatio),
      modes.map(guardCost).join(' / '),
    ]);
  }
}
const readmeTable = renderTable({
  header: [
    'alg',
    'app',
    '/health req/s',
    '/health CPU µs/req',
    '/me req/s (hot)',
    '/me CPU µs/req (hot)',
    ...modes.map(
      (mode) =>
        `÷ /health, ${mode === 'hot' ? 'hot token' : mode === 'rotate' ? '1k tokens' : 'new token'}`,
    ),
    `guard CPU µs/req (${modes.join(' / ')})`,
  ],
  align: ['l', 'l', 'r', 'r', 'r', 'r', ...modes.map(() => 'r' as const), 'r'],
  rows: readmeRows,
});
const markdown = [
  '## Guard overhead (`npm run bench:guard`)',
  '',
  machineLine(machine),
  `Nest 12 + Express, each app in its own process; autocannon on 127.0.0.1, ${connections} connections, ${amount} requests per run, ${rounds} interleaved round(s) after a warm-up, medians. CPU µs/req = the server process's own CPU time (all threads, /proc/<pid>/task/*/schedstat) per response. Guard CPU = CPU per /me request minus per /health request. (e) is the fair floor: the same app as (a) with a guard that only attaches the same claims. Ratios come from one run on a noisy machine.`,
  '',
  readmeTable,
  '',
  ...notes.map((note) => `${note}\n`),
  targetTable,
].join('\n');

console.log('');
for (const table of detailTables) console.log(`${table}\n`);
console.log(markdown);
const path = writeResults(
  'guard',
  machine,
  {
    settings: { rounds, amount, warmup, connections, algorithms, variants, modes },
    summaries,
    samples: Object.fromEntries(samples),
    targets: results,
    notes,
  },
  `${markdown}\n\n${detailTables.join('\n\n')}`,
);
console.log(`\nresults: ${path}`);
