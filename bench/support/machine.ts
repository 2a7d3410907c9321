import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

/** What the numbers were measured on; printed with every result. */
export interface MachineInfo {
  readonly date: string;
  readonly cpus: number;
  readonly cpuModel: string;
  readonly node: string;
  readonly platform: string;
  readonly command: string;
}

function cpuModel(): string {
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((entry) => entry.startsWith('model name'));
    return line?.split(':')[1]?.trim() ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** The machine, runtime and command line of this run. */
export function describeMachine(): MachineInfo {
  const script = process.env.npm_lifecycle_event;
  const args = process.argv.slice(2).join(' ');
  return {
    date: new Date().toISOString(),
    cpus: availableParallelism(),
    cpuModel: cpuModel(),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    command:
      script === undefined
        ? `node ${process.argv.slice(1).join(' ')}`
        : `npm run ${script}${args === '' ? '' : ` -- ${args}`}`,
  };
}

/** One markdown line naming the machine, for the README's "Performance" section. */
export function machineLine(machine: MachineInfo): string {
  return `Measured ${machine.date.slice(0, 10)} on ${machine.cpus} cores (${machine.cpuModel}), Node ${machine.node}, with \`${machine.command}\`.`;
}
