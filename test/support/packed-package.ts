import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import {
  cp,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rm,
  stat,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The repository root. */
export const ROOT = resolve(import.meta.dirname, '../..');

interface PackageManifest {
  readonly name: string;
  readonly dependencies?: Record<string, string>;
  readonly peerDependencies?: Record<string, string>;
  readonly peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  readonly exports: Record<string, unknown>;
}

/** The tarball `npm pack` made (its `prepack` builds dist/ first), unpacked. */
export interface PackedPackage {
  /** The unpacked `package/` folder: exactly what npm would install. */
  readonly dir: string;
  /** Paths inside the tarball, relative to `package/`. */
  readonly files: readonly string[];
  readonly manifest: PackageManifest;
  /** Packages the root entry needs at run time: dependencies and required peers. */
  readonly runtimeNeeds: readonly string[];
  readonly cleanup: () => Promise<void>;
}

// `npm pack` runs `prepack`, which empties and rebuilds dist/ in the repository: two spec files
// packing at once would tar each other's half-built output. A directory is created atomically,
// so it serves as a lock between the worker processes of one run.
const PACK_LOCK = join(ROOT, 'node_modules/.cache/nest-hybrid-auth-pack.lock');

async function whileLocked<T>(work: () => Promise<T>): Promise<T> {
  await mkdir(dirname(PACK_LOCK), { recursive: true });
  const deadline = Date.now() + 180_000;
  for (;;) {
    try {
      await mkdir(PACK_LOCK);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || Date.now() > deadline) throw error;
      // A lock left by a run that was killed mid-pack is older than any pack takes.
      const age =
        Date.now() - (await stat(PACK_LOCK).catch(() => ({ mtimeMs: Date.now() }))).mtimeMs;
      if (age > 300_000) await rm(PACK_LOCK, { recursive: true, force: true });
      await new Promise((next) => setTimeout(next, 200));
    }
  }
  try {
    return await work();
  } finally {
    await rm(PACK_LOCK, { recursive: true, force: true });
  }
}

/** Packs the repository as `npm publish` would, and unpacks the tarball into a temporary folder. */
export async function packPackage(): Promise<PackedPackage> {
  const work = await mkdtemp(join(tmpdir(), 'nest-hybrid-auth-pack-'));
  const { stdout } = await whileLocked(() =>
    run('npm', ['pack', '--json', '--pack-destination', work], {
      cwd: ROOT,
      maxBuffer: 16 * 1024 * 1024,
    }),
  );
  const [packed] = JSON.parse(stdout.slice(stdout.indexOf('['))) as {
    filename: string;
    files: { path: string }[];
  }[];
  if (packed === undefined) throw new Error('npm pack reported no tarball');
  await run('tar', ['-xzf', join(work, packed.filename), '-C', work]);
  const dir = join(work, 'package');
  const manifest = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as PackageManifest;
  const optional = manifest.peerDependenciesMeta ?? {};
  const runtimeNeeds = [
    ...Object.keys(manifest.dependencies ?? {}),
    ...Object.keys(manifest.peerDependencies ?? {}).filter((peer) => !optional[peer]?.optional),
  ];
  return {
    dir,
    files: packed.files.map((file) => file.path),
    manifest,
    runtimeNeeds,
    cleanup: () => rm(work, { recursive: true, force: true }),
  };
}

/** A throwaway application folder with the packed package and only the packages named. */
export interface ScratchApp {
  readonly dir: string;
  /** Writes a file of the app. */
  write(path: string, content: string): Promise<void>;
  /** Runs `node file` in the app; resolves with its output, rejects with it on a non-zero exit. */
  node(file: string): Promise<string>;
  readonly cleanup: () => Promise<void>;
}

/**
 * Creates an app whose `node_modules` holds the packed package and links to the repository's
 * copies of `packages` (`'all'`: every package the repository has installed), nothing else: a package left out cannot be resolved from the app or from
 * nest-hybrid-auth, as on a machine where it was never installed.
 */
export async function scratchApp(
  packed: PackedPackage,
  packages: readonly string[] | 'all',
  type: 'module' | 'commonjs' = 'module',
): Promise<ScratchApp> {
  const dir = await mkdtemp(join(tmpdir(), 'nest-hybrid-auth-app-'));
  const modules = join(dir, 'node_modules');
  await mkdir(modules);
  // A copy, not a link: Node resolves a linked package's imports from its real path.
  await cp(packed.dir, join(modules, packed.manifest.name), { recursive: true });
  const names =
    packages === 'all'
      ? (await readdir(join(ROOT, 'node_modules'))).filter(
          (name) => !name.startsWith('.') && name !== packed.manifest.name,
        )
      : packages;
  for (const name of names) {
    const source = join(ROOT, 'node_modules', name);
    if (!existsSync(source)) throw new Error(`${name} is not installed in the repository`);
    await mkdir(dirname(join(modules, name)), { recursive: true });
    await symlink(source, join(modules, name), 'dir');
  }
  await writeFile(join(dir, 'package.json'), JSON.stringify({ name: 'scratch-app', type }));
  return {
    dir,
    write: async (path, content) => {
      await mkdir(dirname(join(dir, path)), { recursive: true });
      await writeFile(join(dir, path), content);
    },
    node: async (file) => {
      try {
        const { stdout, stderr } = await run(process.execPath, [file], {
          cwd: dir,
          env: { PATH: process.env.PATH ?? '' },
        });
        return stdout + stderr;
      } catch (error) {
        const failed = error as { stdout?: string; stderr?: string; message: string };
        throw new Error(`${failed.message}\n${failed.stdout ?? ''}${failed.stderr ?? ''}`, {
          cause: error,
        });
      }
    },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}
