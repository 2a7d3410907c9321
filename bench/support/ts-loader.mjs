// Module hooks that let Node 20 run the TypeScript sources of lib/, sample-app/ and bench/ as
// they are: the benchmarks measure the code in the working tree, not a stale dist/ build.
// Each file is transpiled alone (like `isolatedModules`), with the decorator metadata that Nest
// reads for dependency injection; type errors are not this loader's business (`npm run typecheck`).
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/** The one transpilation of the benches: this loader's, and build-sources.ts's. */
export const compilerOptions = {
  target: ts.ScriptTarget.ES2023,
  module: ts.ModuleKind.ESNext,
  experimentalDecorators: true,
  emitDecoratorMetadata: true,
  esModuleInterop: true,
  useDefineForClassFields: true,
  inlineSourceMap: true,
  inlineSources: false,
};

export async function resolve(specifier, context, nextResolve) {
  const parent = context.parentURL;
  if (
    parent?.endsWith('.ts') &&
    !parent.includes('/node_modules/') &&
    /^\.{1,2}\//.test(specifier)
  ) {
    if (specifier.endsWith('.js')) {
      const candidate = new URL(specifier.slice(0, -3) + '.ts', parent);
      if (existsSync(fileURLToPath(candidate))) {
        return { url: candidate.href, format: 'module', shortCircuit: true };
      }
    }
  }
  return nextResolve(specifier, context);
}

export async function load(url, context, nextLoad) {
  if (url.startsWith('file:') && url.endsWith('.ts') && !url.includes('/node_modules/')) {
    const path = fileURLToPath(url);
    const source = await readFile(path, 'utf8');
    const { outputText } = ts.transpileModule(source, { compilerOptions, fileName: path });
    return { format: 'module', source: outputText, shortCircuit: true };
  }
  return nextLoad(url, context);
}
