// npm run bench:verify [-- --quick] [--alg=ES256,EdDSA,HS256] [--rounds=9] [--batch=2000]
// The module's verification path (createAccessTokenVerifier, as the guard calls it) against raw
// jose.jwtVerify with a key imported once, in this process: batches of sequential verifications,
// scenarios interleaved round by round, garbage collected between batches, medians.
import { performance } from 'node:perf_hooks';
import { importSPKI, jwtVerify, type CryptoKey } from 'jose';
import { createKeyRing } from '../../lib/keys/key-ring.js';
import {
  createAccessTokenVerifier,
  type AccessTokenVerifier,
} from '../../lib/access-token/verify-access-token.js';
import { systemClock } from '../../lib/clock.js';
import { resolveAuthOptions } from '../../lib/options/resolve-auth-options.js';
import { authModuleOptions } from '../guard/apps/auth-module.app.js';
import { intArg, listArg, parseBenchArgs } from '../support/bench-args.js';
import {
  BENCH_ALGORITHMS,
  BENCH_AUDIENCE,
  BENCH_ISSUER,
  createKeyMaterial,
  mintTokens,
  type BenchKeyMaterial,
} from '../support/bench-keys.js';
import { describeMachine, machineLine } from '../support/machine.js';
import { renderTable } from '../support/markdown-table.js';
import { renderTargetTable, writeResults, type TargetResult } from '../support/results.js';
import { fixed, formatRatio, median, ratio } from '../support/stats.js';

const SCENARIOS = ['raw', 'off', 'cold', 'hot'] as const;
type Scenario = (typeof SCENARIOS)[number];

const SCENARIO_LABELS: Record<Scenario, string> = {
  raw: 'raw jose.jwtVerify, key imported once',
  off: 'module verifier, cache off',
  cold: 'module verifier, cache on, new token (miss)',
  hot: 'module verifier, cache on, same token (hit)',
};

const args = parseBenchArgs();
const quick = args.quick;
const algorithms = listArg(args, 'alg', BENCH_ALGORITHMS);
const rounds = intArg(args, 'rounds', quick ? 3 : 9);
const batch = intArg(args, 'batch', quick ? 500 : 2000);
const warmup = intArg(args, 'warmup', quick ? 500 : 2000);
const machine = describeMachine();
const gc = (globalThis as { gc?: () => void }).gc;

type Verify = (token: string) => Promise<unknown>;

async function rawVerifier(material: BenchKeyMaterial): Promise<Verify> {
  const key: CryptoKey | Uint8Array =
    material.secret === undefined
      ? await importSPKI(material.publicKeyPem!, material.algorithm)
      : new TextEncoder().encode(material.secret);
  const options = {
    algorithms: [material.algorithm],
    issuer: BENCH_ISSUER,
    audience: BENCH_AUDIENCE,
    typ: 'at+jwt',
    requiredClaims: ['iss', 'aud', 'sub', 'exp', 'iat', 'jti'],
  };
  return (token) => jwtVerify(token, key, options);
}

async function moduleVerifier(
  material: BenchKeyMaterial,
  cache: boolean,
): Promise<AccessTokenVerifier> {
  const options = resolveAuthOptions(authModuleOptions(material, { enabled: cache }));
  return createAccessTokenVerifier(options, await createKeyRing(options), systemClock);
}

interface BatchTime {
  /** Wall-clock microseconds per verification (one at a time: latency). */
  readonly wall: number;
  /** Process CPU microseconds per verification, jose's WebCrypto threadpool work included. */
  readonly cpu: number;
}

/** Times the verification of `tokens`, one after the other. */
async function timeBatch(verify: Verify, tokens: readonly string[]): Promise<BatchTime> {
  gc?.();
  const cpu = process.cpuUsage();
  const started = performance.now();
  for (const token of tokens) await verify(token);
  const wall = ((performance.now() - started) * 1000) / tokens.length;
  const used = process.cpuUsage(cpu);
  return { wall, cpu: (used.user + used.system) / tokens.length };
}

console.log(`bench:verify ${quick ? '(quick) ' : ''}— ${machineLine(machine)}`);
if (gc === undefined) console.warn('  (run with --expose-gc for steadier numbers)');

const perAlgorithm: Record<string, Record<Scenario, BatchTime[]>> = {};
const results: (TargetResult & { cpuMeasured: string; cpuPass: boolean | null })[] = [];
const rows: string[][] = [];
for (const algorithm of algorithms) {
  const material = createKeyMaterial(algorithm);
  const pool = await mintTokens(material, warmup + rounds * batch);
  const [hotToken] = await mintTokens(material, 1);
  const verifiers: Record<Scenario, Verify> = {
    raw: await rawVerifier(material),
    off: await moduleVerifier(material, false).then((verifier) => verifier.verify),
    cold: await moduleVerifier(material, true).then((verifier) => verifier.verify),
    hot: await moduleVerifier(material, true).then((verifier) => verifier.verify),
  };
  const tokensFor = (scenario: Scenario, slice: readonly string[]): readonly string[] =>
    scenario === 'hot' ? slice.map(() => hotToken!) : slice;
  // Warm-up: every scenario, the same number of verifications.
  for (const scenario of SCENARIOS)
    await timeBatch(verifiers[scenario], tokensFor(scenario, pool.slice(0, warmup)));
  const times: Record<Scenario, BatchTime[]> = { raw: [], off: [], cold: [], hot: [] };
  const ratios: Record<Scenario, number[]> = { raw: [], off: [], cold: [], hot: [] };
  const cpuRatios: Record<Scenario, number[]> = { raw: [], off: [], cold: [], hot: [] };
  for (let round = 0; round < rounds; round += 1) {
    const slice = pool.slice(warmup + round * batch, warmup + (round + 1) * batch);
    const measured: Partial<Record<Scenario, BatchTime>> = {};
    for (let index = 0; index < SCENARIOS.length; index += 1) {
      const scenario = SCENARIOS[(index + round) % SCENARIOS.length]!;
      measured[scenario] = await timeBatch(verifiers[scenario], tokensFor(scenario, slice));
      times[scenario].push(measured[scenario]);
    }
    for (const scenario of SCENARIOS) {
      ratios[scenario].push(ratio(measured[scenario]?.wall, measured.raw?.wall));
      cpuRatios[scenario].push(ratio(measured[scenario]?.cpu, measured.raw?.cpu));
    }
  }
  perAlgorithm[algorithm] = times;
  for (const scenario of SCENARIOS) {
    const micros = median(times[scenario].map((time) => time.wall));
    rows.push([
      algorithm,
      SCENARIO_LABELS[scenario],
      fixed(micros, 1),
      fixed(1e6 / micros),
      fixed(median(times[scenario].map((time) => time.cpu)), 1),
      formatRatio(median(ratios[scenario])),
      formatRatio(median(cpuRatios[scenario])),
    ]);
  }
  for (const [scenario, label] of [
    ['cold', 'cold verify (cache on, miss)'],
    ['off', 'verify with cache off'],
  ] as const) {
    const wall = median(ratios[scenario]);
    const cpu = median(cpuRatios[scenario]);
    results.push({
      target: `${algorithm}: ${label} ≤ 1.1 × raw jose`,
      measured: formatRatio(wall),
      pass: Number.isFinite(wall) ? wall <= 1.1 : null,
      cpuMeasured: formatRatio(cpu),
      cpuPass: Number.isFinite(cpu) ? cpu <= 1.1 : null,
    });
  }
  console.log(`  ${algorithm} done`);
}

const table = renderTable({
  header: [
    'alg',
    'path',
    'µs/verify',
    'verifies/s',
    'CPU µs/verify',
    '÷ raw jose',
    '÷ raw jose (CPU)',
  ],
  align: ['l', 'l', 'r', 'r', 'r', 'r', 'r'],
  rows,
});
const targetTable = renderTargetTable('### Targets', results, 'wall-clock', 'CPU');
const markdown = [
  '## Access-token verification (`npm run bench:verify`)',
  '',
  machineLine(machine),
  `One process, one verification at a time; ${batch} verifications per batch, ${rounds} interleaved rounds after ${warmup} warm-up verifications, GC between batches, medians (÷ raw: median of the per-round ratios). CPU: the process's user + system time per verification, which includes the WebCrypto work jose hands to libuv's threadpool. Raw jose pins the same algorithm, issuer, audience, \`typ\` and required claims.`,
  '',
  table,
  '',
  targetTable,
].join('\n');
console.log(`\n${markdown}`);
const path = writeResults(
  'verify',
  machine,
  {
    settings: { rounds, batch, warmup, algorithms },
    microsPerVerify: perAlgorithm,
    targets: results,
  },
  markdown,
);
console.log(`\nresults: ${path}`);
