import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { compilerOptions } from './ts-loader.mjs';

/** The repository root. */
export const REPOSITORY_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Where {@link buildSources} writes: inside the repository, so `node_modules` still resolves. */
export const BUILD_DIR = join(REPOSITORY_ROOT, 'bench', 'results', '.build');

function* sources(directory: string): Generator<string> {
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'results' && entry.name !== 'node_modules') yield* sources(path);
    } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) {
      yield path;
    }
  }
}

let built = false;

/**
 * Transpiles `lib/` and `bench/` into `bench/results/.build/` once per run, so that the servers
 * under test run plain JavaScript as a deployed app does: no TypeScript compiler and no
 * module-hook thread in their process, which would add ~100 MB of RSS and start-up CPU.
 */
export function buildSources(): void {
  if (built) return;
  for (const top of ['lib', 'bench']) {
    for (const path of sources(join(REPOSITORY_ROOT, top))) {
      const { outputText } = ts.transpileModule(readFileSync(path, 'utf8'), {
        compilerOptions,
        fileName: path,
      });
      const target = join(BUILD_DIR, relative(REPOSITORY_ROOT, path)).replace(/\.ts$/, '.js');
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, outputText);
    }
  }
  built = true;
}

/** The built JavaScript file of a TypeScript source under the repository. */
export function builtPath(source: string): string {
  return join(BUILD_DIR, relative(REPOSITORY_ROOT, source)).replace(/\.ts$/, '.js');
}
