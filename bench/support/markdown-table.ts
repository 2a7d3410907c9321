/** One table: a header row and body rows of already formatted cells. */
export interface Table {
  readonly title?: string;
  readonly header: readonly string[];
  readonly rows: readonly (readonly string[])[];
  /** Per column: `'l'` or `'r'` (numbers). Defaults to left for the first column, right after. */
  readonly align?: readonly ('l' | 'r')[];
}

/** Renders a GitHub-flavoured markdown table with padded columns (readable as plain text too). */
export function renderTable(table: Table): string {
  const align = table.header.map((_, index) => table.align?.[index] ?? (index === 0 ? 'l' : 'r'));
  const widths = table.header.map((cell, index) =>
    Math.max(3, cell.length, ...table.rows.map((row) => (row[index] ?? '').length)),
  );
  const pad = (cell: string, index: number): string =>
    align[index] === 'r' ? cell.padStart(widths[index]!) : cell.padEnd(widths[index]!);
  const line = (cells: readonly string[]): string =>
    `| ${table.header.map((_, index) => pad(cells[index] ?? '', index)).join(' | ')} |`;
  const rule = `|${widths.map((width, index) => (align[index] === 'r' ? `${'-'.repeat(width + 1)}:` : `:${'-'.repeat(width + 1)}`)).join('|')}|`;
  const lines = [line(table.header), rule, ...table.rows.map(line)];
  return (table.title === undefined ? '' : `${table.title}\n\n`) + lines.join('\n');
}
