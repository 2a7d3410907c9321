import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const lib = resolve(dirname(fileURLToPath(import.meta.url)), '../../lib');
const SPECIFIER =
  /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*'([^']+)'|import\(\s*'([^']+)'\s*\)/g;

/** Every package a lib entry point imports, statically or by `import()`, through its relative imports. */
function packagesReachedFrom(entry: string): Set<string> {
  const packages = new Set<string>();
  const seen = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const match of readFileSync(file, 'utf8').matchAll(SPECIFIER)) {
      const specifier = match[1] ?? match[2]!;
      if (specifier.startsWith('.'))
        visit(resolve(dirname(file), specifier.replace(/\.js$/, '.ts')));
      else packages.add(specifier);
    }
  };
  visit(resolve(lib, entry));
  return packages;
}

describe('entry points', () => {
  it('the root entry imports no GraphQL, WebSocket or socket.io package', () => {
    const reached = [...packagesReachedFrom('index.ts')];
    expect(reached).toContain('@nestjs/common');
    expect(
      reached.filter((name) => /graphql|apollo|mercurius|websockets|socket\.io|^ws$/.test(name)),
    ).toEqual([]);
  });

  it('the graphql and websockets subpaths import no package of those integrations either', () => {
    for (const entry of ['graphql/index.ts', 'websockets/index.ts']) {
      const reached = [...packagesReachedFrom(entry)];
      expect(
        reached.filter((name) => /graphql|apollo|mercurius|socket\.io|^ws$/.test(name)),
        entry,
      ).toEqual([]);
    }
  });
});
