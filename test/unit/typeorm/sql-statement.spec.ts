import { describe, expect, it } from 'vitest';
import { compileSql } from '../../../lib/typeorm/sql-statement.js';

interface Values {
  readonly now: number;
  readonly id: string;
  readonly child: { readonly id: string; readonly ip: string | null; readonly ua?: string };
}

const TEMPLATE =
  'UPDATE t SET a = :now, b = :now, c = :child.id, d = :child.ip, e = :child.ua WHERE id = :id';
const values: Values = { now: 5, id: 'p', child: { id: 'c', ip: null } };

describe('compileSql', () => {
  it('numbers each distinct value once for PostgreSQL', () => {
    const statement = compileSql<Values>(TEMPLATE, 'numbered');
    expect(statement.text).toBe(
      'UPDATE t SET a = $1, b = $1, c = $2, d = $3, e = $4 WHERE id = $5',
    );
    expect(statement.bind(values)).toEqual([5, 'c', null, null, 'p']);
  });

  it('binds one value per occurrence, in order, for `?` drivers', () => {
    const statement = compileSql<Values>(TEMPLATE, 'positional');
    expect(statement.text).toBe('UPDATE t SET a = ?, b = ?, c = ?, d = ?, e = ? WHERE id = ?');
    expect(statement.bind(values)).toEqual([5, 5, 'c', null, null, 'p']);
  });
});
