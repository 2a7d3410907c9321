import { DataSource, type DataSourceOptions } from 'typeorm';
import { uniqueName } from './services.js';

/** An empty database of a test's own, on a shared server, as that server creates it by default. */
export interface IsolatedDatabase {
  /** Its URL: MariaDB, a database of its own; PostgreSQL, the server's database (see `schema`). */
  readonly url: string;
  /** PostgreSQL: the schema of its own; MariaDB: `null`. */
  readonly schema: string | null;
  /** DataSource options for it (the caller adds entities, migrations and pool sizes). */
  readonly options: DataSourceOptions;
  /** Drops it. */
  readonly drop: () => Promise<void>;
}

/**
 * Creates a fresh schema (PostgreSQL) or database (MariaDB) with no option of its own: no
 * CHARACTER SET, no COLLATE, so tests meet what users meet (MariaDB 11: utf8mb4_general_ci,
 * which ignores case and trailing spaces). One of each for every service-backed spec.
 */
export async function isolatedDatabase(
  kind: 'postgres' | 'mariadb',
  serverUrl: string,
  prefix: string,
): Promise<IsolatedDatabase> {
  const name = uniqueName(prefix);
  const admin = new DataSource({
    type: kind === 'postgres' ? 'postgres' : 'mysql',
    url: serverUrl,
  });
  await admin.initialize();
  if (kind === 'postgres') {
    await admin.query(`CREATE SCHEMA "${name}"`);
    return {
      url: serverUrl,
      schema: name,
      options: { type: 'postgres', url: serverUrl, schema: name },
      drop: async () => {
        await admin.query(`DROP SCHEMA "${name}" CASCADE`);
        await admin.destroy();
      },
    };
  }
  await admin.query(`CREATE DATABASE \`${name}\``);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    schema: null,
    // The service is MariaDB: with type 'mysql' TypeORM misreads MariaDB's `DEFAULT NULL` as the
    // string 'NULL' and reports schema drift.
    options: { type: 'mariadb', url: url.toString(), charset: 'utf8mb4' },
    drop: async () => {
      await admin.query(`DROP DATABASE \`${name}\``);
      await admin.destroy();
    },
  };
}
