/** Summary of a two-sample comparison of latencies. */
export interface Comparison {
  readonly medianA: number;
  readonly medianB: number;
  /** medianB / medianA */
  readonly medianRatio: number;
  /** 95 % bootstrap confidence interval of the median ratio. */
  readonly ratioCi: readonly [number, number];
  /** Mann-Whitney U two-sided p-value (normal approximation with tie correction). */
  readonly pValue: number;
  /** Cliff's delta in [-1, 1]: P(b > a) - P(b < a); |d| < 0.33 is conventionally "small". */
  readonly cliffsDelta: number;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 0
    ? ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2
    : (sorted[middle] ?? 0);
}

// Abramowitz-Stegun 7.1.26 approximation of erf, enough for a p-value.
function normalCdf(z: number): number {
  const t = 1 / (1 + (0.3275911 * Math.abs(z)) / Math.SQRT2);
  const poly =
    t *
    (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erf = 1 - poly * Math.exp(-(z * z) / 2);
  return z >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}

function mannWhitney(a: readonly number[], b: readonly number[]): { p: number; delta: number } {
  const all = [
    ...a.map((value) => ({ value, group: 0 })),
    ...b.map((value) => ({ value, group: 1 })),
  ].sort((x, y) => x.value - y.value);
  const ranks: number[] = Array.from({ length: all.length }, () => 0);
  let tieTerm = 0;
  for (let start = 0; start < all.length;) {
    let end = start;
    while (end + 1 < all.length && all[end + 1]?.value === all[start]?.value) end += 1;
    const rank = (start + end) / 2 + 1;
    for (let index = start; index <= end; index += 1) ranks[index] = rank;
    const ties = end - start + 1;
    tieTerm += ties ** 3 - ties;
    start = end + 1;
  }
  let rankSumA = 0;
  all.forEach((entry, index) => {
    if (entry.group === 0) rankSumA += ranks[index] ?? 0;
  });
  const n1 = a.length;
  const n2 = b.length;
  const u1 = rankSumA - (n1 * (n1 + 1)) / 2;
  const mean = (n1 * n2) / 2;
  const n = n1 + n2;
  const sd = Math.sqrt(((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1))));
  const z = sd === 0 ? 0 : (u1 - mean) / sd;
  // u1 counts pairs where a > b; delta = P(b > a) - P(a > b).
  return { p: 2 * (1 - normalCdf(Math.abs(z))), delta: (n1 * n2 - 2 * u1) / (n1 * n2) };
}

/** Deterministic PRNG (mulberry32) so the bootstrap is reproducible. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Compares two latency samples: medians, bootstrap CI of their ratio, Mann-Whitney U, Cliff's delta. */
export function compareSamples(
  a: readonly number[],
  b: readonly number[],
  resamples = 2000,
): Comparison {
  const random = prng(0x5eed);
  const pick = (values: readonly number[]): number[] =>
    values.map(() => values[Math.floor(random() * values.length)] ?? 0);
  const ratios: number[] = [];
  for (let index = 0; index < resamples; index += 1) ratios.push(median(pick(b)) / median(pick(a)));
  ratios.sort((x, y) => x - y);
  const { p, delta } = mannWhitney(a, b);
  const medianA = median(a);
  const medianB = median(b);
  return {
    medianA,
    medianB,
    medianRatio: medianB / medianA,
    ratioCi: [
      ratios[Math.floor(resamples * 0.025)] ?? 0,
      ratios[Math.floor(resamples * 0.975)] ?? 0,
    ],
    pValue: p,
    cliffsDelta: delta,
  };
}

/** One line of figures for the test output. */
export function formatComparison(
  label: string,
  nameA: string,
  nameB: string,
  c: Comparison,
): string {
  const ms = (value: number) => `${value.toFixed(3)} ms`;
  return (
    `[timing] ${label}: median ${nameA} ${ms(c.medianA)}, ${nameB} ${ms(c.medianB)}, ratio ${c.medianRatio.toFixed(3)} ` +
    `(95% CI ${c.ratioCi[0].toFixed(3)}..${c.ratioCi[1].toFixed(3)}), Mann-Whitney p=${c.pValue.toFixed(4)}, Cliff's delta=${c.cliffsDelta.toFixed(3)}`
  );
}
