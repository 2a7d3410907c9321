// npm run bench:profile -- <file.cpuprofile> [--top=25] [--filter=' lib/']
// Summarises a V8 CPU profile (as written by `npm run bench:guard -- --cpu-prof=ours`): self
// time per function, and inclusive time of the functions whose file matches --filter, as a
// share of the busy (non-idle) time.
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderTable } from './markdown-table.js';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: {
    readonly functionName: string;
    readonly url: string;
    readonly lineNumber: number;
  };
  readonly children?: readonly number[];
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

const positional = process.argv.slice(2).filter((argument) => !argument.startsWith('--'));
const option = (name: string, fallback: string): string =>
  process.argv.find((argument) => argument.startsWith(`--${name}=`))?.slice(name.length + 3) ??
  fallback;
const file = positional[0];
if (file === undefined)
  throw new TypeError(
    "usage: summarize-cpu-profile <file.cpuprofile> [--top=25] [--filter=' lib/']",
  );
const top = Number(option('top', '25'));
// Paths are shown relative to the repository root, after the function name and a space.
const filter = option('filter', ' lib/');
const root = fileURLToPath(new URL('../..', import.meta.url));

const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const self = new Map<number, number>();
profile.samples.forEach((id, index) =>
  self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0)),
);

const label = (node: ProfileNode): string => {
  const { functionName, url, lineNumber } = node.callFrame;
  const path = url.startsWith('file://') ? relative(root, fileURLToPath(url)) : url;
  return `${functionName || '(anonymous)'} ${path === '' ? '' : `${path}:${lineNumber + 1}`}`.trim();
};
const idle = new Set(['(idle)', '(program)', '(garbage collector)']);
let busy = 0;
for (const [id, micros] of self) {
  if (!idle.has(byId.get(id)!.callFrame.functionName)) busy += micros;
}

// Inclusive time: a node's self time plus its descendants', counted once per function per stack.
const inclusive = new Map<string, number>();
const parent = new Map<number, number>();
for (const node of profile.nodes)
  for (const child of node.children ?? []) parent.set(child, node.id);
for (const [id, micros] of self) {
  const seen = new Set<string>();
  for (let current: number | undefined = id; current !== undefined; current = parent.get(current)) {
    const key = label(byId.get(current)!);
    if (seen.has(key)) continue;
    seen.add(key);
    inclusive.set(key, (inclusive.get(key) ?? 0) + micros);
  }
}

const selfByLabel = new Map<string, number>();
for (const [id, micros] of self) {
  const key = label(byId.get(id)!);
  selfByLabel.set(key, (selfByLabel.get(key) ?? 0) + micros);
}
const share = (micros: number): string => `${((100 * micros) / busy).toFixed(1)} %`;
const gc = [...self].filter(
  ([id]) => byId.get(id)!.callFrame.functionName === '(garbage collector)',
);
console.log(
  `${file}: busy ${(busy / 1000).toFixed(0)} ms, GC ${(gc.reduce((sum, [, micros]) => sum + micros, 0) / 1000).toFixed(0)} ms`,
);
console.log(
  renderTable({
    title: `\nTop ${top} functions by self time`,
    header: ['function', 'self ms', 'share of busy'],
    rows: [...selfByLabel]
      .filter(([key]) => !idle.has(key))
      .toSorted((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([key, micros]) => [key, (micros / 1000).toFixed(1), share(micros)]),
  }),
);
console.log(
  renderTable({
    title: `\nInclusive time of functions in files matching ${filter}`,
    header: ['function', 'inclusive ms', 'share of busy'],
    rows: [...inclusive]
      .filter(([key]) => key.includes(filter))
      .toSorted((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([key, micros]) => [key, (micros / 1000).toFixed(1), share(micros)]),
  }),
);
