import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  packPackage,
  ROOT,
  scratchApp,
  type PackedPackage,
  type ScratchApp,
} from '../../support/packed-package.js';

const run = promisify(execFile);

/** A TypeScript block of the README and the file it becomes in the user's app. */
interface Example {
  readonly file: string;
  readonly line: number;
  readonly code: string;
}

// Every ```ts block of the README is a whole file a user can paste. `<!-- file: src/x.ts -->`
// right above a block names it (so later blocks can import it); unnamed blocks stand alone.
function examples(readme: string): Example[] {
  const found: Example[] = [];
  const lines = readme.split('\n');
  for (let index = 0; index < lines.length; index += 1) {
    if (lines[index]?.trim() !== '```ts') continue;
    let above = index - 1;
    while (above > 0 && lines[above]?.trim() === '') above -= 1; // Prettier adds a blank line
    const named = /^<!-- file: (\S+) -->$/.exec(lines[above]?.trim() ?? '');
    const end = lines.indexOf('```', index + 1);
    found.push({
      file: named?.[1] ?? `src/readme/example-${index + 1}.ts`,
      line: index + 1,
      code: lines.slice(index + 1, end).join('\n'),
    });
    index = end;
  }
  return found;
}

const TSCONFIG = {
  compilerOptions: {
    target: 'ES2023',
    lib: ['ES2023'],
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    strict: true,
    experimentalDecorators: true,
    emitDecoratorMetadata: true,
    skipLibCheck: true,
    types: ['node'],
    noEmit: true,
  },
  include: ['src/**/*.ts'],
};

describe('the README’s TypeScript, pasted into an app that installed the packed package', () => {
  let packed: PackedPackage;
  let app: ScratchApp;
  let blocks: Example[];

  beforeAll(async () => {
    packed = await packPackage();
    app = await scratchApp(packed, 'all');
    await app.write('tsconfig.json', JSON.stringify(TSCONFIG, null, 2));
    blocks = examples(await readFile(join(ROOT, 'README.md'), 'utf8'));
    for (const block of blocks) await app.write(block.file, block.code);
  }, 120_000);

  afterAll(async () => {
    await app?.cleanup();
    await packed?.cleanup();
  });

  it('has examples to check', () => {
    expect(blocks.length).toBeGreaterThan(5);
  });

  it('type-checks every example with tsc as written', async () => {
    const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
    const result = await run(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: app.dir }).then(
      () => '',
      (error: { stdout?: string }) => error.stdout ?? String(error),
    );
    // Name each failing block by its README line, so the fix is one click away.
    const located = result.replace(
      /^(src\/\S+?\.ts)\((\d+),(\d+)\)/gm,
      (whole, file: string, line: string) => {
        const block = blocks.find((candidate) => candidate.file === file);
        return block === undefined ? whole : `README.md:${block.line + Number(line)} (${whole})`;
      },
    );
    expect(located).toBe('');
  }, 120_000);
});
