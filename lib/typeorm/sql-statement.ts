/**
 * How a driver marks bind parameters: PostgreSQL numbers them (`$1`, a value may be used twice),
 * MySQL/MariaDB and SQLite take one `?` per occurrence, in order.
 */
export type PlaceholderStyle = 'numbered' | 'positional';

/**
 * Values a statement binds: `:name` takes `values.name`, `:name.field` takes
 * `values.name.field`. `undefined` binds as NULL.
 */
export type SqlValues = object;

/** @internal A SQL text compiled once for one dialect, bound per call. */
export interface SqlStatement<V extends SqlValues> {
  readonly text: string;
  /** The bind values in the order the driver expects. */
  bind(values: V): unknown[];
}

const PLACEHOLDER = /:([A-Za-z_]\w*)(?:\.([A-Za-z_]\w*))?/g;

/**
 * @internal Compiles a template with `:name` / `:name.field` placeholders. Templates are
 * trusted code: identifiers are escaped by the caller, values only ever travel as parameters.
 *
 * @example
 * const spend = compileSql<{ id: string; now: number }>(
 *   'UPDATE t SET spent_at = :now, last_used_at = :now WHERE id = :id',
 *   'numbered',
 * ); // text: 'UPDATE t SET spent_at = $1, last_used_at = $1 WHERE id = $2'
 */
export function compileSql<V extends SqlValues>(
  template: string,
  style: PlaceholderStyle,
): SqlStatement<V> {
  const paths: (readonly [string, string | undefined])[] = [];
  const numbers = new Map<string, number>();
  const text = template.replace(PLACEHOLDER, (_, name: string, field: string | undefined) => {
    if (style === 'positional') {
      paths.push([name, field]);
      return '?';
    }
    const key = field === undefined ? name : `${name}.${field}`;
    let number = numbers.get(key);
    if (number === undefined) {
      paths.push([name, field]);
      number = paths.length;
      numbers.set(key, number);
    }
    return `$${number}`;
  });
  return {
    text,
    bind(values: V): unknown[] {
      const source = values as Record<string, unknown>;
      return paths.map(([name, field]) => {
        const value =
          field === undefined
            ? source[name]
            : (source[name] as Record<string, unknown> | undefined)?.[field];
        return value ?? null;
      });
    },
  };
}
