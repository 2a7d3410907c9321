import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { cp } from 'node:fs/promises';
import { resolve } from 'node:path';
import { promisify } from 'node:util';

/** The repository root. */
export const ROOT = resolve(import.meta.dirname, '../../../..');

/** A spawned Node process with its combined output. */
export interface NodeProcess {
  readonly child: ChildProcess;
  readonly output: () => string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Builds lib + sample-app (+ the resource server) with `tsconfig.sample.json` into `outDir`,
 * a folder of its own so that spec files building in parallel never read each other's
 * half-written output. `outDir` must sit under the repository so `node_modules` resolves.
 */
export async function buildSample(outDir: string): Promise<void> {
  await promisify(execFile)(
    process.execPath,
    [
      resolve(ROOT, 'node_modules/typescript/bin/tsc'),
      '-p',
      'tsconfig.sample.json',
      '--outDir',
      outDir,
    ],
    { cwd: ROOT },
  );
  // As `npm run sample:build` does: the demo page's static files sit beside the compiled code.
  await cp(resolve(ROOT, 'sample-app/public'), resolve(outDir, 'sample-app/public'), {
    recursive: true,
  });
}

/** Runs a built entry point with only the given variables (nothing leaks from the runner). */
export function runNode(script: string, cwd: string, env: Record<string, string>): NodeProcess {
  const child = spawn(process.execPath, [script], {
    cwd,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.on('exit', (code, signal) => done({ code, signal })),
  );
  return { child, output: () => output, exited };
}

/** Waits for the `listening on http://…` line and returns that URL. */
export async function listeningUrl(started: NodeProcess, timeoutMs = 30_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const match = /^listening on (http:\/\/127\.0\.0\.1:\d+)$/m.exec(started.output());
    if (match?.[1] !== undefined) return match[1];
    if (started.child.exitCode !== null || Date.now() > deadline) {
      throw new Error(`no listening line:\n${started.output()}`);
    }
    await new Promise((next) => setTimeout(next, 25));
  }
}

/** SIGTERM, then SIGKILL after 5 s; resolves once the process is gone. */
export async function stopNode(started: NodeProcess | undefined): Promise<void> {
  if (
    started === undefined ||
    started.child.exitCode !== null ||
    started.child.signalCode !== null
  ) {
    return;
  }
  started.child.kill('SIGTERM');
  const timer = setTimeout(() => started.child.kill('SIGKILL'), 5000);
  await started.exited;
  clearTimeout(timer);
}
