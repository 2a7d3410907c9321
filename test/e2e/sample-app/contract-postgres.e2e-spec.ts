import { afterAll, beforeAll } from 'vitest';
import { isolatedDatabase, type IsolatedDatabase } from '../../support/isolated-database.js';
import { describeWithService } from '../../support/services.js';
import { contractFlow } from './support/contract-flow.js';
import { startSampleApp } from '../../support/sample-app.js';

describeWithService('postgres', 'sample app contract on PostgreSQL', (url) => {
  // A schema of its own: other suites use the same server at the same time.
  let db: IsolatedDatabase;
  beforeAll(async () => {
    db = await isolatedDatabase('postgres', url, 'sample_app');
  });
  afterAll(async () => {
    await db?.drop();
  });

  contractFlow(() => startSampleApp({ DATABASE_URL: db.url, DATABASE_SCHEMA: db.schema! }));
});
