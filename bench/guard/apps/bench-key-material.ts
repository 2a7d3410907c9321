import type { BenchKeyMaterial } from '../../support/bench-keys.js';

/** DI token of the {@link BenchKeyMaterial} a comparison app verifies with. */
export const BENCH_KEY_MATERIAL = Symbol('BENCH_KEY_MATERIAL');

/** The provider of {@link BENCH_KEY_MATERIAL}. */
export function keyMaterialProvider(material: BenchKeyMaterial): {
  provide: symbol;
  useValue: BenchKeyMaterial;
} {
  return { provide: BENCH_KEY_MATERIAL, useValue: material };
}
