import { DataSource } from 'typeorm';
import { afterAll, beforeAll } from 'vitest';
import { describeWithService, uniqueName } from '../../support/services.js';
import { contractFlow } from './support/contract-flow.js';
import { startSampleApp } from '../../support/sample-app.js';

describeWithService('mysql', 'sample app contract on MariaDB', (url) => {
  // A database of its own: other suites use the same server at the same time.
  const database = uniqueName('sample_app');
  const admin = new DataSource({ type: 'mysql', url });
  const databaseUrl = new URL(url);
  databaseUrl.pathname = `/${database}`;

  beforeAll(async () => {
    await admin.initialize();
    await admin.query(`CREATE DATABASE \`${database}\` CHARACTER SET utf8mb4`);
  });

  afterAll(async () => {
    await admin.query(`DROP DATABASE IF EXISTS \`${database}\``);
    await admin.destroy();
  });

  // mariadb:// selects TypeORM's MariaDB dialect, as DATABASE_URL=mariadb://... does for users.
  contractFlow(() =>
    startSampleApp({ DATABASE_URL: databaseUrl.toString().replace(/^mysql:/, 'mariadb:') }),
  );
});
