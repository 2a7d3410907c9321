import { DataSource } from 'typeorm';
import { describeWithService, uniqueName } from '../../support/services.js';
import { typeOrmStoreContract } from './support/store-contract-run.js';
import {
  defineTypeOrmRefreshTokenSuite,
  type IsolatedDatabase,
} from './typeorm-refresh-token-suite.js';

/**
 * A fresh database as the server creates it by default: no CHARACTER SET, no COLLATE (MariaDB
 * 11: utf8mb4_general_ci, which ignores case and trailing spaces).
 */
async function isolatedDatabase(url: string): Promise<IsolatedDatabase> {
  const database = uniqueName('refresh_token');
  const admin = new DataSource({ type: 'mysql', url });
  await admin.initialize();
  await admin.query(`CREATE DATABASE \`${database}\``);
  const base = new URL(url);
  base.pathname = `/${database}`;
  return {
    // The service is MariaDB: with type 'mysql' TypeORM misreads MariaDB's `DEFAULT NULL` as the
    // string 'NULL' and reports schema drift. A pool, so concurrent refreshes run in parallel.
    options: {
      type: 'mariadb',
      url: base.toString(),
      charset: 'utf8mb4',
      extra: { connectionLimit: 10 },
    },
    drop: async () => {
      await admin.query(`DROP DATABASE \`${database}\``);
      await admin.destroy();
    },
  };
}

describeWithService('mysql', 'TypeOrmRefreshTokenStore', (url) => {
  typeOrmStoreContract('TypeOrmRefreshTokenStore [mariadb]', () => isolatedDatabase(url));
  defineTypeOrmRefreshTokenSuite(() => isolatedDatabase(url), {
    rotationQueries: ['SELECT', 'START', 'UPDATE', 'UPDATE', 'INSERT', 'COMMIT'],
    exactCollation: 'utf8mb4_nopad_bin',
  });
});
