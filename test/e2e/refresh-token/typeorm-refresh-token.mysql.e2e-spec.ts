import { DataSource } from 'typeorm';
import { describeWithService, uniqueName } from '../../support/services.js';
import { defineTypeOrmRefreshTokenSuite } from './typeorm-refresh-token-suite.js';

describeWithService('mysql', 'TypeOrmRefreshTokenStore', (url) => {
  defineTypeOrmRefreshTokenSuite(
    async () => {
      const database = uniqueName('refresh_token');
      const admin = new DataSource({ type: 'mysql', url });
      await admin.initialize();
      await admin.query(
        `CREATE DATABASE \`${database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`,
      );
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
    },
    { rotationQueries: ['SELECT', 'START', 'UPDATE', 'UPDATE', 'INSERT', 'COMMIT'] },
  );
});
