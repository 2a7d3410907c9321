import { createHash } from 'node:crypto';
import { QueryFailedError, type DataSource } from 'typeorm';

/** The subset of the pg `Pool` that TypeORM's PostgresDriver keeps as `master`. */
interface PgPool {
  query(config: {
    readonly name?: string;
    readonly text: string;
    readonly values: unknown[];
  }): Promise<{ readonly rows: unknown[] }>;
}

/**
 * Server errors raised while preparing or binding a named statement, i.e. before it ran: a
 * pooler in transaction mode (PgBouncer before 1.21, or without `max_prepared_statements`) sends
 * Bind to a server connection that never saw the Parse (26000), or Parse to one that already has
 * the name (42P05). See PostgreSQL docs, appendix A "PostgreSQL Error Codes".
 */
const NOT_PREPARABLE = new Set(['26000', '42P05']);

/**
 * @internal Runs the store's hot statements on PostgreSQL as named prepared statements: the
 * server parses and plans each once per connection instead of at every call, which on the
 * benchmark machine doubled the rate of the joined lookup. Falls back to unnamed statements,
 * for good, the first time the server shows that named ones do not survive its pooler.
 */
export class PostgresStatementRunner {
  private named = true;
  private readonly names = new Map<string, string>();

  constructor(private readonly dataSource: DataSource) {}

  /**
   * Runs one statement outside any transaction and returns its rows.
   * @throws {QueryFailedError} as TypeORM's `query()` would
   */
  async rows(text: string, values: unknown[]): Promise<unknown[]> {
    this.dataSource.logger.logQuery(text, values);
    const pool = (this.dataSource.driver as unknown as { master: PgPool }).master;
    try {
      if (this.named) {
        try {
          return (await pool.query({ name: this.nameOf(text), text, values })).rows;
        } catch (error) {
          if (!NOT_PREPARABLE.has((error as { code?: unknown }).code as string)) throw error;
          this.named = false;
        }
      }
      return (await pool.query({ text, values })).rows;
    } catch (error) {
      this.dataSource.logger.logQueryError(error as Error, text, values);
      throw new QueryFailedError(text, values, error as Error);
    }
  }

  /** pg refuses one name for two texts on a connection, so the name derives from the text. */
  private nameOf(text: string): string {
    let name = this.names.get(text);
    if (name === undefined) {
      name = `auth_rt_${createHash('sha256').update(text).digest('hex').slice(0, 24)}`;
      this.names.set(text, name);
    }
    return name;
  }
}
