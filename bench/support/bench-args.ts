/** Command-line switches shared by every benchmark script. */
export interface BenchArgs {
  /** `--quick` or `BENCH_QUICK=1`: fewer rounds and requests, for a smoke run. */
  readonly quick: boolean;
  /** Every `--name=value` (or bare `--name`, read as `'true'`) given on the command line. */
  readonly values: ReadonlyMap<string, string>;
}

/** Parses `process.argv` (after the script path) and the `BENCH_QUICK` environment variable. */
export function parseBenchArgs(argv: readonly string[] = process.argv.slice(2)): BenchArgs {
  const values = new Map<string, string>();
  for (const argument of argv) {
    const match = /^--([\w-]+)(?:=(.*))?$/.exec(argument);
    if (match === null) throw new TypeError(`unknown argument ${argument} (use --name=value)`);
    values.set(match[1]!, match[2] ?? 'true');
  }
  const env = process.env.BENCH_QUICK;
  const quick = values.get('quick') === 'true' || (env !== undefined && env !== '' && env !== '0');
  return { quick, values };
}

/** An integer switch, or `fallback` when absent. */
export function intArg(args: BenchArgs, name: string, fallback: number): number {
  const raw = args.values.get(name);
  if (raw === undefined) return fallback;
  const value = Number(raw.replaceAll('_', ''));
  if (!Number.isSafeInteger(value) || value < 0)
    throw new TypeError(`--${name} must be an integer`);
  return value;
}

/** A comma-separated list switch restricted to `allowed`, or `fallback` (all) when absent. */
export function listArg<T extends string>(
  args: BenchArgs,
  name: string,
  allowed: readonly T[],
  fallback: readonly T[] = allowed,
): T[] {
  const raw = args.values.get(name);
  if (raw === undefined) return [...fallback];
  const picked = raw.split(',').map((item) => item.trim());
  for (const item of picked) {
    if (!(allowed as readonly string[]).includes(item)) {
      throw new TypeError(`--${name}: ${item} is not one of ${allowed.join(', ')}`);
    }
  }
  return allowed.filter((item) => picked.includes(item));
}
