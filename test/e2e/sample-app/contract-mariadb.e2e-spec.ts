import { afterAll, beforeAll } from 'vitest';
import { isolatedDatabase, type IsolatedDatabase } from '../../support/isolated-database.js';
import { describeWithService } from '../../support/services.js';
import { contractFlow } from './support/contract-flow.js';
import { startSampleApp } from '../../support/sample-app.js';

describeWithService('mysql', 'sample app contract on MariaDB', (url) => {
  // A database of its own, with the server's defaults: other suites use the same server.
  let db: IsolatedDatabase;
  beforeAll(async () => {
    db = await isolatedDatabase('mariadb', url, 'sample_app');
  });
  afterAll(async () => {
    await db?.drop();
  });

  // mariadb:// selects TypeORM's MariaDB dialect, as DATABASE_URL=mariadb://... does for users.
  contractFlow(() => startSampleApp({ DATABASE_URL: db.url.replace(/^mysql:/, 'mariadb:') }));
});
