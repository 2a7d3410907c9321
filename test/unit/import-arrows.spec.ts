import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The layout of /work/shared/style.md: arrows point inward. Domain folders take narrow configs
// (not the module's options) and know nothing of Nest glue or adapters; the root entry loads no
// adapter. Read from the import lines, type-only imports included: a type import is an arrow too.

const lib = resolve(dirname(fileURLToPath(import.meta.url)), '../../lib');
const SPECIFIER =
  /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*'([^']+)'|(?:^|\n)\s*import\s*'([^']+)'|import\(\s*'([^']+)'\s*\)/g;

/** Domain folders: the concepts of the hybrid scheme, with no Nest wiring and no adapter. */
const DOMAIN = ['access-token', 'keys', 'refresh-token', 'revocation'];
/** Adapters and integrations, each behind its own subpath. */
const ADAPTERS = ['typeorm', 'redis', 'passport', 'graphql', 'websockets', 'testing'];
/** Files outside the domain folders that the domain may use: plain values with no imports of the module. */
const SHARED_LEAVES = ['auth.errors.ts', 'clock.ts'];

function specifiersOf(file: string): string[] {
  return [...readFileSync(file, 'utf8').matchAll(SPECIFIER)].map(
    (match) => match[1] ?? match[2] ?? match[3]!,
  );
}

/** The lib files `file` imports, relative to lib/ (`options/auth-module-options.ts`). */
function libImportsOf(file: string): string[] {
  const found: string[] = [];
  for (const specifier of specifiersOf(file)) {
    if (!specifier.startsWith('.')) continue;
    const target = resolve(dirname(file), specifier.replace(/\.js$/, '.ts'));
    found.push(relative(lib, target).split('\\').join('/'));
  }
  return found;
}

/** Every lib file reached from `entry` through relative imports. */
function closureOf(entry: string): Set<string> {
  const seen = new Set<string>();
  const visit = (path: string): void => {
    if (seen.has(path)) return;
    seen.add(path);
    for (const next of libImportsOf(resolve(lib, path))) visit(next);
  };
  visit(entry);
  return seen;
}

function filesOf(folder: string): string[] {
  const dir = resolve(lib, folder);
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.ts'))
    .map((name) => `${folder}/${name.split('\\').join('/')}`);
}

const folderOf = (path: string): string => (path.includes('/') ? path.split('/')[0]! : '');

describe('import arrows', () => {
  const domainFiles = DOMAIN.flatMap(filesOf);

  it('finds the domain files and their imports', () => {
    expect(domainFiles).toContain('refresh-token/refresh-sessions.ts');
    expect(libImportsOf(resolve(lib, 'refresh-token/refresh-sessions.ts'))).toContain(
      'refresh-token/refresh-token.store.ts',
    );
  });

  it('domain folders import only domain folders and plain shared files, never options/', () => {
    const backArrows = domainFiles.flatMap((file) =>
      libImportsOf(resolve(lib, file))
        .filter((target) => !DOMAIN.includes(folderOf(target)) && !SHARED_LEAVES.includes(target))
        .map((target) => `${file} -> ${target}`),
    );
    expect(backArrows).toEqual([]);
  });

  it('the shared files the domain uses import nothing of the module', () => {
    for (const leaf of SHARED_LEAVES) expect(libImportsOf(resolve(lib, leaf)), leaf).toEqual([]);
  });

  it('neither the root entry nor a domain folder reaches an adapter, even indirectly', () => {
    const reached = new Map<string, string>();
    for (const entry of ['index.ts', ...domainFiles])
      for (const path of closureOf(entry)) if (!reached.has(path)) reached.set(path, entry);
    const intoAdapters = [...reached]
      .filter(([path]) => ADAPTERS.includes(folderOf(path)))
      .map(([path, from]) => `${from} reaches ${path}`);
    expect(intoAdapters).toEqual([]);
  });

  it('the verifier subpath loads no Nest package: it is for code without Nest', () => {
    const packages = [...closureOf('verifier/index.ts')].flatMap((path) =>
      specifiersOf(resolve(lib, path)).filter((specifier) => !specifier.startsWith('.')),
    );
    expect(packages).toContain('jose');
    expect(packages.filter((name) => name.startsWith('@nestjs/'))).toEqual([]);
  });
});
