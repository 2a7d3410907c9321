import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MachineInfo } from './machine.js';
import { renderTable } from './markdown-table.js';

/** `bench/results/` (git-ignored). */
export const RESULTS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'results');

/**
 * Writes `bench/results/<name>-<timestamp>.json` and `<name>-latest.json`, plus the markdown
 * as `<name>-latest.md`; returns the path of the timestamped JSON file.
 */
export function writeResults(
  name: string,
  machine: MachineInfo,
  data: unknown,
  markdown: string,
): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const stamp = machine.date.replaceAll(':', '-').replace(/\.\d+Z$/, 'Z');
  const json = `${JSON.stringify({ benchmark: name, machine, ...(data as object) }, null, 2)}\n`;
  const path = join(RESULTS_DIR, `${name}-${stamp}.json`);
  writeFileSync(path, json);
  writeFileSync(join(RESULTS_DIR, `${name}-latest.json`), json);
  writeFileSync(join(RESULTS_DIR, `${name}-latest.md`), `${markdown}\n`);
  return path;
}

/** A target of the issue, evaluated on this run's numbers (optionally on a CPU basis too). */
export interface TargetResult {
  readonly target: string;
  readonly measured: string;
  readonly pass: boolean | null;
  readonly cpuMeasured?: string;
  readonly cpuPass?: boolean | null;
}

/** `PASS`, `FAIL`, or `n/a` when a number the target needs is missing. */
export function verdict(pass: boolean | null): string {
  return pass === null ? 'n/a' : pass ? 'PASS' : 'FAIL';
}

/**
 * The targets as a markdown table: target, measured value, verdict, and with `cpuHeader` the
 * same target on the CPU basis.
 */
export function renderTargetTable(
  title: string,
  results: readonly TargetResult[],
  measuredHeader = 'measured',
  cpuHeader?: string,
): string {
  if (cpuHeader === undefined) {
    return renderTable({
      title,
      header: ['target', measuredHeader, 'verdict'],
      align: ['l', 'r', 'l'],
      rows: results.map((result) => [result.target, result.measured, verdict(result.pass)]),
    });
  }
  return renderTable({
    title,
    header: ['target', measuredHeader, 'verdict', cpuHeader, 'verdict (CPU)'],
    align: ['l', 'r', 'l', 'r', 'l'],
    rows: results.map((result) => [
      result.target,
      result.measured,
      verdict(result.pass),
      result.cpuMeasured ?? '',
      verdict(result.cpuPass ?? null),
    ]),
  });
}
