import { DataSource } from 'typeorm';
import { describeWithService, uniqueName } from '../../support/services.js';
import { defineTypeOrmRefreshTokenSuite } from './typeorm-refresh-token-suite.js';

describeWithService('postgres', 'TypeOrmRefreshTokenStore', (url) => {
  defineTypeOrmRefreshTokenSuite(
    async () => {
      const schema = uniqueName('refresh_token');
      const admin = new DataSource({ type: 'postgres', url });
      await admin.initialize();
      await admin.query(`CREATE SCHEMA "${schema}"`);
      return {
        // A pool, so that concurrent refreshes really run in parallel transactions.
        options: { type: 'postgres', url, schema, extra: { max: 10 } },
        drop: async () => {
          await admin.query(`DROP SCHEMA "${schema}" CASCADE`);
          await admin.destroy();
        },
      };
    },
    { rotationQueries: ['SELECT', 'WITH'] },
  );
});
