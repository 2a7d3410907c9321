import { DataSource } from 'typeorm';
import { describeWithService, uniqueName } from '../../support/services.js';
import { typeOrmStoreContract } from './support/store-contract-run.js';
import {
  defineTypeOrmRefreshTokenSuite,
  type IsolatedDatabase,
} from './typeorm-refresh-token-suite.js';

/** A fresh schema with the server's defaults. */
async function isolatedDatabase(url: string): Promise<IsolatedDatabase> {
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
}

describeWithService('postgres', 'TypeOrmRefreshTokenStore', (url) => {
  typeOrmStoreContract('TypeOrmRefreshTokenStore [postgres]', () => isolatedDatabase(url));
  defineTypeOrmRefreshTokenSuite(() => isolatedDatabase(url), {
    rotationQueries: ['SELECT', 'WITH'],
    exactCollation: null,
  });
});
