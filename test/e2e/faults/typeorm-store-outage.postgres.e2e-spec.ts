import { DataSource } from 'typeorm';
import { RefreshSessionEntity, RefreshTokenEntity } from '../../../lib/typeorm/index.js';
import { isolatedDatabase } from '../../support/isolated-database.js';
import { describeWithService } from '../../support/services.js';
import { defineStoreOutageSuite } from './typeorm-store-outage-suite.js';

describeWithService(
  'postgres',
  'TypeOrmRefreshTokenStore while PostgreSQL is unreachable',
  (url) => {
    defineStoreOutageSuite('PostgreSQL', async () => {
      const db = await isolatedDatabase('postgres', url, 'store_outage');
      const schema = db.schema!;
      const direct = new DataSource({
        ...db.options,
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
          await db.drop();
        },
      };
    });
  },
);
