// One app of the guard benchmark in its own process, selected by BENCH_VARIANT and BENCH_KEY
// (JSON key material).
import { NestFactory } from '@nestjs/core';
import type { DynamicModule } from '@nestjs/common';
import type { BenchKeyMaterial } from '../support/bench-keys.js';
import { failStartup, serveOverIpc } from '../support/serve-over-ipc.js';
import type { GuardVariant } from './guard-variants.js';

async function appModule(
  variant: GuardVariant,
  material: BenchKeyMaterial,
): Promise<DynamicModule> {
  switch (variant) {
    case 'ours':
    case 'ours-nocache': {
      const { authModuleApp } = await import('./apps/auth-module.app.js');
      // BENCH_CACHE: the `cache` option as JSON (the memory benchmark's byte budget).
      const cache =
        variant === 'ours-nocache'
          ? { enabled: false }
          : process.env.BENCH_CACHE === undefined
            ? undefined
            : JSON.parse(process.env.BENCH_CACHE);
      return authModuleApp(material, cache);
    }
    case 'recipe':
      return (await import('./apps/nest-recipe.app.js')).nestRecipeApp(material);
    case 'floor':
      return (await import('./apps/floor-guard.app.js')).floorGuardApp(
        material,
        JSON.parse(process.env.BENCH_FLOOR_CLAIMS ?? '{}'),
      );
    case 'noop':
      return (await import('./apps/noop-guard.app.js')).noopGuardApp();
    case 'jose':
      return (await import('./apps/jose-guard.app.js')).joseGuardApp(material);
  }
}

try {
  const variant = process.env.BENCH_VARIANT as GuardVariant;
  const material = JSON.parse(process.env.BENCH_KEY ?? '') as BenchKeyMaterial;
  const app = await NestFactory.create(await appModule(variant, material), {
    logger: ['error', 'warn'],
  });
  await serveOverIpc(app);
} catch (error) {
  failStartup(error);
}
