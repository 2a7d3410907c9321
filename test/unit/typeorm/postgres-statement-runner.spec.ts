import { describe, expect, it } from 'vitest';
import type { DataSource } from 'typeorm';
import { PostgresStatementRunner } from '../../../lib/typeorm/postgres-statement-runner.js';

interface Sent {
  readonly name?: string;
  readonly text: string;
}

const ignore = (): void => undefined;

/** A DataSource whose pg pool fails named statements with `code` until `failures` run out. */
function fakeDataSource(code: string | null, failures = 1) {
  const sent: Sent[] = [];
  const pool = {
    query: async (config: Sent) => {
      sent.push({ name: config.name, text: config.text });
      if (config.name !== undefined && code !== null && failures-- > 0) {
        throw Object.assign(new Error(`server error ${code}`), { code });
      }
      return { rows: [{ id: 'row' }] };
    },
  };
  const dataSource = {
    driver: { master: pool },
    logger: { logQuery: ignore, logQueryError: ignore },
  } as unknown as DataSource;
  return { dataSource, sent };
}

describe('PostgresStatementRunner', () => {
  it('names a statement after its text, so one name never stands for two texts', async () => {
    const { dataSource, sent } = fakeDataSource(null);
    const runner = new PostgresStatementRunner(dataSource);
    await runner.rows('SELECT 1', []);
    await runner.rows('SELECT 2', []);
    await runner.rows('SELECT 1', []);
    expect(sent[0]!.name).toMatch(/^auth_rt_[0-9a-f]{24}$/);
    expect(sent[1]!.name).not.toBe(sent[0]!.name);
    expect(sent[2]!.name).toBe(sent[0]!.name);
  });

  for (const code of ['26000', '42P05']) {
    it(`retries unnamed, and stays unnamed, when a pooler loses prepared statements (${code})`, async () => {
      const { dataSource, sent } = fakeDataSource(code);
      const runner = new PostgresStatementRunner(dataSource);
      expect(await runner.rows('SELECT 1', [])).toEqual([{ id: 'row' }]);
      await runner.rows('SELECT 1', []);
      expect(sent.map((query) => query.name !== undefined)).toEqual([true, false, false]);
    });
  }

  it('reports any other error as a QueryFailedError without retrying', async () => {
    const { dataSource, sent } = fakeDataSource('23505');
    const runner = new PostgresStatementRunner(dataSource);
    await expect(runner.rows('INSERT 1', [])).rejects.toMatchObject({
      name: 'QueryFailedError',
      driverError: { code: '23505' },
    });
    expect(sent).toHaveLength(1);
  });
});
