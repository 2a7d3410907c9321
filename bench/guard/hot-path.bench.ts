// npm run bench:hot-path [-- --calls=200000] [--token-bytes=7500] [--lib=<dir with index.ts>]
// Deterministic measure of the guard's hot path, in process, without HTTP: this module's
// AccessTokenGuard.canActivate on a cached token (ES256), as Nest calls it, against the fair
// floor (a guard that only attaches the claims). Reports bytes allocated per call (V8's
// new-space growth between two full collections, with a new space large enough that no
// scavenge runs in between), whether the answer is a promise, and ns per call. `--lib` points
// at another copy of lib/ (e.g. `git archive` of an older commit) to compare before and after.
// Run with `node --expose-gc --max-semi-space-size=128`.
import { performance } from 'node:perf_hooks';
import { getHeapSpaceStatistics } from 'node:v8';
import { pathToFileURL } from 'node:url';
import { NestFactory } from '@nestjs/core';
import { Controller, Get, Module, type ExecutionContext } from '@nestjs/common';
import { intArg, parseBenchArgs } from '../support/bench-args.js';
import { createKeyMaterial, mintTokens } from '../support/bench-keys.js';
import { authModuleOptions } from './apps/auth-module.app.js';

const args = parseBenchArgs();
const calls = intArg(args, 'calls', 200_000);
const libDir = args.values.get('lib');
const tokenBytes = intArg(args, 'token-bytes', 0);
const lib = (await import(
  libDir === undefined ? '../../lib/index.js' : pathToFileURL(`${libDir}/index.ts`).href
)) as typeof import('../../lib/index.js');
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with --expose-gc');

@Controller()
class MeController {
  @Get('me')
  me(): void {}
}

const material = createKeyMaterial('ES256');
@Module({
  imports: [lib.AuthModule.forRoot(authModuleOptions(material))],
  controllers: [MeController],
})
class AppModule {}

const app = await NestFactory.createApplicationContext(AppModule, { logger: ['error'] });
const guard = app.get(lib.AccessTokenGuard);
const [token] = await mintTokens(material, 1, 900, tokenBytes);
const request: { headers: Record<string, string>; user?: unknown } = {
  headers: { authorization: `Bearer ${token!}` },
};
const handler = MeController.prototype.me;
const context = {
  getType: () => 'http',
  getArgByIndex: (index: number) => (index === 0 ? request : undefined),
  getArgs: () => [request],
  getHandler: () => handler,
  getClass: () => MeController,
} as unknown as ExecutionContext;

const floorClaims = Object.freeze({ sub: '1000' });
const floor = {
  canActivate(ctx: ExecutionContext): boolean {
    ctx.getArgByIndex<{ user?: unknown }>(0).user = floorClaims;
    return true;
  },
};

function newSpaceUsed(): number {
  return getHeapSpaceStatistics().find((space) => space.space_name === 'new_space')!
    .space_used_size;
}

async function measure(
  label: string,
  run: () => boolean | Promise<boolean>,
): Promise<[string, string, string, string]> {
  let isPromise = false;
  for (let index = 0; index < 5000; index += 1) {
    const result = run();
    if (result instanceof Promise) {
      isPromise = true;
      await result;
    }
  }
  // Allocation: 1,000 calls between two collections (no scavenge fits in between).
  const probe = 1000;
  gc!();
  const before = newSpaceUsed();
  for (let index = 0; index < probe; index += 1) {
    const result = run();
    if (result instanceof Promise) await result;
  }
  const bytes = (newSpaceUsed() - before) / probe;
  const started = performance.now();
  for (let index = 0; index < calls; index += 1) {
    const result = run();
    if (result instanceof Promise) await result;
  }
  const ns = ((performance.now() - started) * 1e6) / calls;
  return [label, isPromise ? 'promise' : 'boolean', bytes.toFixed(0), ns.toFixed(0)];
}

// Two sightings admit the token to the cache (a module without the doorkeeper admits on one).
await guard.canActivate(context);
await guard.canActivate(context);
const rows = [
  await measure('AccessTokenGuard.canActivate, cached token', () => guard.canActivate(context)),
  await measure('floor (attach claims only)', () => floor.canActivate(context)),
];
await app.close();
console.log(
  `hot path, ${calls} calls, token of ${token!.length} characters, lib: ${libDir ?? 'lib/'}`,
);
console.log('| guard | answer | bytes allocated/call | ns/call |');
console.log('|:--|:--|--:|--:|');
for (const row of rows) console.log(`| ${row.join(' | ')} |`);
