import { DataSource } from 'typeorm';
import { RefreshSessionEntity, RefreshTokenEntity } from '../../../lib/typeorm/index.js';
import { describeWithService, uniqueName } from '../../support/services.js';
import { defineStoreOutageSuite } from './typeorm-store-outage-suite.js';

describeWithService(
  'postgres',
  'TypeOrmRefreshTokenStore while PostgreSQL is unreachable',
  (url) => {
    defineStoreOutageSuite('PostgreSQL', async () => {
      const schema = uniqueName('store_outage');
      const admin = new DataSource({ type: 'postgres', url });
      await admin.initialize();
      await admin.query(`CREATE SCHEMA "${schema}"`);
      const direct = new DataSource({
        type: 'postgres',
        url,
        schema,
        entities: [RefreshTokenEntity, RefreshSessionEntity],
      });
      await direct.initialize();
      const target = new URL(url);
      return {
        host: target.hostname,
        port: Number(target.port || 5432),
        options: (port) => {
          const proxied = new URL(url);
          proxied.hostname = '127.0.0.1';
          proxied.port = String(port);
          return {
            type: 'postgres',
            url: proxied.toString(),
            schema,
            // Connecting (and waiting for a pool slot) is bounded by the driver; a query on a
            // frozen connection only by the store's timeout.
            extra: { max: 12, connectionTimeoutMillis: 1000 },
          };
        },
        direct,
        drop: async () => {
          await direct.destroy();
          await admin.query(`DROP SCHEMA "${schema}" CASCADE`);
          await admin.destroy();
        },
      };
    });
  },
);
