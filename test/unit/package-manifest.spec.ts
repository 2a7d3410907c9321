import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

interface Manifest {
  name: string;
  type: string;
  files: string[];
  engines: { node: string };
  exports: Record<string, string | { types: string; default: string }>;
  dependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
  peerDependenciesMeta: Record<string, { optional?: boolean }>;
  devDependencies: Record<string, string>;
  scripts: Record<string, string>;
}

const manifest = JSON.parse(
  readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
) as Manifest;

describe('package manifest', () => {
  it('is an ESM package that publishes only dist', () => {
    expect(manifest.type).toBe('module');
    expect(manifest.files).toEqual(['dist']);
    expect(manifest.engines.node).toMatch(/^>=20/);
  });

  it('maps every export to built types and code of a lib entry point', () => {
    for (const [subpath, target] of Object.entries(manifest.exports)) {
      if (typeof target === 'string') continue;
      expect(Object.keys(target), subpath).toEqual(['types', 'default']);
      expect(target.types).toMatch(/^\.\/dist\/.+\.d\.ts$/);
      expect(target.default).toBe(target.types.replace(/\.d\.ts$/, '.js'));
      const source = target.default.replace(/^\.\/dist\//, './lib/').replace(/\.js$/, '.ts');
      expect(existsSync(new URL(`../../${source}`, import.meta.url)), source).toBe(true);
    }
  });

  it('depends on jose at run time and leaves Nest, TypeORM and the optional integrations to the app', () => {
    expect(Object.keys(manifest.dependencies)).toContain('jose');
    for (const peer of ['@nestjs/common', '@nestjs/core', 'typeorm', 'reflect-metadata', 'rxjs']) {
      expect(manifest.peerDependencies[peer], peer).toBeDefined();
      expect(manifest.dependencies[peer], peer).toBeUndefined();
    }
    for (const optional of [
      '@nestjs/passport',
      'passport',
      'passport-strategy',
      'ioredis',
      'typeorm',
      '@nestjs/event-emitter',
      '@nestjs/websockets',
    ]) {
      expect(manifest.peerDependenciesMeta[optional]?.optional, optional).toBe(true);
    }
  });

  it('pins better-sqlite3 to 12: 13 crashes on Node 20', () => {
    expect(manifest.devDependencies['better-sqlite3']).toMatch(/^\^12\./);
  });

  it('runs the whole suite with npm test', () => {
    expect(manifest.scripts.test).toBe('vitest run');
  });
});
