import { DataSource } from 'typeorm';
import { afterAll, beforeAll } from 'vitest';
import { describeWithService, uniqueName } from '../../support/services.js';
import { contractFlow } from './support/contract-flow.js';
import { startSampleApp } from '../../support/sample-app.js';

describeWithService('postgres', 'sample app contract on PostgreSQL', (url) => {
  // A schema of its own: other suites use the same server at the same time.
  const schema = uniqueName('sample_app');
  const admin = new DataSource({ type: 'postgres', url });

  beforeAll(async () => {
    await admin.initialize();
    await admin.query(`CREATE SCHEMA "${schema}"`);
  });

  afterAll(async () => {
    await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await admin.destroy();
  });

  contractFlow(() => startSampleApp({ DATABASE_URL: url, DATABASE_SCHEMA: schema }));
});
