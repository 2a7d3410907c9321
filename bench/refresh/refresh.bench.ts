// POSTGRES_URL=postgres://… npm run bench:refresh [-- --quick] [--db=sqlite,postgres]
//   [--rows=10000,1000000] [--rounds=3] [--rotations=2000] [--clients=16] [--cpu-prof]
// POST /auth/refresh rotations per second with 16 concurrent clients, each holding its own
// session and chaining its rotations, against the same compare-and-set rotation done directly
// with the driver; at 10 k and at 1 M rows in the table. PostgreSQL runs in a schema of its own,
// dropped afterwards; SQLite in a file under bench/results/, deleted afterwards.
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { intArg, listArg, parseBenchArgs } from '../support/bench-args.js';
import { createKeyMaterial } from '../support/bench-keys.js';
import { runLoad, type LoadClient, type LoadResult } from '../support/load.js';
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
import { pg } from './raw-drivers.js';
import type { RawRunResult } from './raw-rotation.js';

const DATABASES = ['sqlite', 'postgres'] as const;
type Database = (typeof DATABASES)[number];

interface Measurement {
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  /** Server-process CPU per rotation, microseconds (raw: pg/better-sqlite3 client side only). */
  readonly cpuMicros: number;
}

const args = parseBenchArgs();
const quick = args.quick;
const databases = listArg(args, 'db', DATABASES);
const rowCounts = (args.values.get('rows') ?? (quick ? '10000,100000' : '10000,1000000'))
  .split(',')
  .map((value) => Number(value.replaceAll('_', '')));
const rounds = intArg(args, 'rounds', quick ? 2 : 3);
const rotations = intArg(args, 'rotations', quick ? 600 : 2000);
const clients = intArg(args, 'clients', 16);
const profile = args.values.get('cpu-prof') === 'true';
const machine = describeMachine();
const serverEntry = join(fileURLToPath(new URL('.', import.meta.url)), 'refresh-server.ts');
const postgresUrl = process.env.POSTGRES_URL;
const material = createKeyMaterial('ES256');
const notes: string[] = [];

console.log(`bench:refresh ${quick ? '(quick) ' : ''}— ${machineLine(machine)}`);

/** One HTTP run: each autocannon connection is one client with its own chained session. */
async function httpRun(
  server: ServerProcess,
  chains: string[],
  amount: number,
): Promise<Measurement> {
  const before = await server.cpuMicros();
  const result: LoadResult = await runLoad({
    url: server.url,
    path: '/auth/refresh',
    method: 'POST',
    amount,
    connections: chains.length,
    setupClient: (client: LoadClient, index: number) => {
      client.setRequests([
        {
          method: 'POST',
          path: '/auth/refresh',
          headers: { 'content-type': 'application/json', 'user-agent': 'bench' },
          setupRequest: (request) => {
            request.body = JSON.stringify({ refreshToken: chains[index] });
            return request;
          },
          onResponse: (status, body) => {
            // Each response's refresh token is the next request's: the chain of one session.
            if (status === 200)
              chains[index] = (JSON.parse(body) as { refreshToken: string }).refreshToken;
          },
        },
      ]);
    },
  });
  if (result.ok !== result.responses || result.failed > 0) {
    throw new Error(
      `refresh run failed: ${result.ok}/${result.responses} OK, ${JSON.stringify(result.statusCodes)}`,
    );
  }
  const after = await server.cpuMicros();
  return { ...result, cpuMicros: (after - before) / result.responses };
}

/**
 * One run inside the server process: `raw-cas` (the driver's own connection or pool) or
 * `service-rotations` (TokenService.refresh without HTTP).
 */
async function inProcessRun(
  server: ServerProcess,
  amount: number,
  command = 'raw-cas',
): Promise<Measurement> {
  const before = await server.cpuMicros();
  const result = await server.call<RawRunResult>(command, { clients, rotations: amount });
  const after = await server.cpuMicros();
  return { ...result, cpuMicros: (after - before) / result.rotations };
}

const nothingToClean = async (): Promise<void> => undefined;

interface DatabaseResult {
  readonly rows: number;
  readonly seedSeconds: number;
  readonly http: Measurement;
  readonly raw: Measurement;
  /** TokenService.refresh in the server process, without HTTP. */
  readonly service: Measurement;
  /** Median over rounds of HTTP ÷ raw rotations per second. */
  readonly httpVsRaw: number;
}

async function benchDatabase(database: Database): Promise<DatabaseResult[]> {
  const env: Record<string, string> = { BENCH_DB: database, BENCH_KEY: JSON.stringify(material) };
  let cleanup = nothingToClean;
  if (database === 'postgres') {
    const schema = `bench_refresh_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: postgresUrl! });
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
    await admin.end();
    Object.assign(env, { BENCH_PG_URL: postgresUrl!, BENCH_PG_SCHEMA: schema });
    cleanup = async () => {
      const dropper = new pg.Client({ connectionString: postgresUrl! });
      await dropper.connect();
      await dropper.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await dropper.end();
    };
  } else {
    const directory = join(RESULTS_DIR, 'tmp');
    mkdirSync(directory, { recursive: true });
    const path = join(directory, `refresh-${process.pid}.sqlite`);
    env.BENCH_SQLITE_PATH = path;
    cleanup = async () => {
      for (const suffix of ['', '-journal', '-wal', '-shm'])
        rmSync(`${path}${suffix}`, { force: true });
    };
  }
  let server: ServerProcess | undefined;
  const results: DatabaseResult[] = [];
  try {
    server = await ServerProcess.start(
      `refresh/${database}`,
      serverEntry,
      env,
      profile
        ? [
            '--cpu-prof',
            `--cpu-prof-dir=${join(RESULTS_DIR, 'profiles', `refresh-${database}-${process.pid}`)}`,
          ]
        : [],
    );
    const chains = await server.call<string[]>('open-sessions', clients);
    let seeded = 0;
    let warmed = false;
    for (const rows of rowCounts) {
      const seedSeconds = await server.call<number>('seed', { from: seeded, to: rows });
      seeded = Math.max(seeded, rows);
      console.log(
        `  ${database}: ${rows.toLocaleString('en-US')} rows seeded in ${seedSeconds.toFixed(1)} s`,
      );
      if (!warmed) {
        await httpRun(server, chains, Math.max(clients, Math.round(rotations / 2)));
        await inProcessRun(server, Math.round(rotations / 2));
        await inProcessRun(server, Math.round(rotations / 2), 'service-rotations');
        warmed = true;
      }
      const http: Measurement[] = [];
      const raw: Measurement[] = [];
      const service: Measurement[] = [];
      for (let round = 0; round < rounds; round += 1) {
        // Alternate which goes first, so neither always meets a freshly checkpointed database.
        const steps = [
          async () => void http.push(await httpRun(server!, chains, rotations)),
          async () => void raw.push(await inProcessRun(server!, rotations)),
          async () =>
            void service.push(await inProcessRun(server!, rotations, 'service-rotations')),
        ];
        if (round % 2 === 1) steps.reverse();
        for (const step of steps) await step();
      }
      const summary = (runs: readonly Measurement[]): Measurement => ({
        rps: median(runs.map((run) => run.rps)),
        p50: median(runs.map((run) => run.p50)),
        p99: median(runs.map((run) => run.p99)),
        cpuMicros: median(runs.map((run) => run.cpuMicros)),
      });
      results.push({
        rows,
        seedSeconds,
        http: summary(http),
        raw: summary(raw),
        service: summary(service),
        httpVsRaw: median(http.map((run, index) => ratio(run.rps, raw[index]?.rps))),
      });
      console.log(`  ${database}: ${rows.toLocaleString('en-US')} rows measured`);
    }
  } finally {
    await server?.stop();
    await cleanup();
  }
  return results;
}

const all: Partial<Record<Database, DatabaseResult[]>> = {};
for (const database of databases) {
  if (database === 'postgres' && (postgresUrl === undefined || postgresUrl === '')) {
    notes.push('PostgreSQL skipped: set POSTGRES_URL (e.g. postgres://root@127.0.0.1:5432/test).');
    console.warn(`  ${notes.at(-1)}`);
    continue;
  }
  all[database] = await benchDatabase(database);
}

const rows: string[][] = [];
const results: TargetResult[] = [];
for (const database of databases) {
  const measured = all[database];
  if (measured === undefined) continue;
  for (const entry of measured) {
    rows.push([
      database === 'postgres' ? 'PostgreSQL' : 'SQLite',
      entry.rows.toLocaleString('en-US'),
      fixed(entry.http.rps),
      fixed(entry.http.p50, 2),
      fixed(entry.http.p99, 2),
      fixed(entry.http.cpuMicros),
      fixed(entry.raw.rps),
      fixed(entry.raw.p50, 2),
      fixed(entry.raw.p99, 2),
      fixed(entry.raw.cpuMicros),
      fixed(entry.service.rps),
      fixed(entry.service.p50, 2),
      fixed(entry.service.cpuMicros),
      formatRatio(entry.httpVsRaw),
    ]);
  }
  const small = measured[0];
  const large = measured.at(-1);
  if (database === 'postgres' && small !== undefined) {
    for (const entry of measured) {
      results.push({
        target: `PostgreSQL, ${entry.rows.toLocaleString('en-US')} rows: HTTP refresh ≥ 50 % of raw CAS rate`,
        measured: `${fixed(entry.httpVsRaw * 100)} %`,
        pass: Number.isFinite(entry.httpVsRaw) ? entry.httpVsRaw >= 0.5 : null,
      });
    }
  }
  if (small !== undefined && large !== undefined && large !== small) {
    const growth = ratio(large.http.p50, small.http.p50);
    results.push({
      target: `${database === 'postgres' ? 'PostgreSQL' : 'SQLite'}: HTTP rotation p50 at ${large.rows.toLocaleString('en-US')} rows ≤ 1.2 × at ${small.rows.toLocaleString('en-US')}`,
      measured: `${formatRatio(growth)} (${fixed(large.http.p50, 2)} vs ${fixed(small.http.p50, 2)} ms)`,
      pass: Number.isFinite(growth) ? growth <= 1.2 : null,
    });
  }
}

const table = renderTable({
  header: [
    'database',
    'rows',
    'HTTP rot/s',
    'HTTP p50 ms',
    'HTTP p99 ms',
    'HTTP CPU µs/rot',
    'raw CAS rot/s',
    'raw p50 ms',
    'raw p99 ms',
    'raw CPU µs/rot',
    'service rot/s',
    'service p50 ms',
    'service CPU µs/rot',
    'HTTP ÷ raw',
  ],
  align: ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
  rows,
});
const targetTable = renderTargetTable('### Targets', results);
const markdown = [
  '## Refresh-token rotation (`npm run bench:refresh`)',
  '',
  machineLine(machine),
  `\`POST /auth/refresh\` (Nest + Express, \`AuthModule\` with \`refresh: { store: new TypeOrmRefreshTokenStore(dataSource) }\`, ES256 access tokens) with ${clients} concurrent clients, each chaining the rotations of its own session, ${rotations} rotations per run, ${rounds} rounds after a warm-up, medians. Raw CAS: the same table, \`UPDATE … WHERE token_hash = ? AND spent_at IS NULL\` + \`INSERT\` of the successor in one transaction, directly with the driver (${clients} pg connections; better-sqlite3 on the app's connection), no HTTP, no session row, no signing. Service: \`TokenService.refresh\` called in the server process, without HTTP (its own ${clients} chains). CPU: the server process's CPU per rotation (for raw: the driver's client side only). Rows: seeded history (10 tokens per session, 9 spent).`,
  '',
  table,
  '',
  ...notes.map((note) => `${note}\n`),
  targetTable,
].join('\n');
console.log(`\n${markdown}`);
const path = writeResults(
  'refresh',
  machine,
  {
    settings: { rounds, rotations, clients, rowCounts, databases },
    results: all,
    targets: results,
    notes,
  },
  markdown,
);
console.log(`\nresults: ${path}`);
