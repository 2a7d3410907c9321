// The refresh benchmark's server, in its own process. BENCH_DB=sqlite|postgres,
// BENCH_SQLITE_PATH or BENCH_PG_URL + BENCH_PG_SCHEMA, BENCH_KEY (JSON key material).
// Besides HTTP it answers IPC: open-sessions, seed (bulk rows), raw-cas (the rotation done
// directly with the driver, the baseline) and service-rotations (TokenService.refresh, no HTTP).
import { NestFactory } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { TokenService } from '../../lib/index.js';
import {
  REFRESH_TOKEN_MIGRATIONS,
  RefreshSessionEntity,
  RefreshTokenEntity,
} from '../../lib/typeorm/index.js';
import type { BenchKeyMaterial } from '../support/bench-keys.js';
import { failStartup, serveOverIpc } from '../support/serve-over-ipc.js';
import { RawRotation, runChains } from './raw-rotation.js';
import { refreshApp } from './refresh-app.js';
import { seedRows } from './seed-rows.js';
import type { SqliteDatabase } from './raw-drivers.js';

try {
  const kind = process.env.BENCH_DB === 'postgres' ? 'postgres' : 'sqlite';
  const material = JSON.parse(process.env.BENCH_KEY ?? '') as BenchKeyMaterial;
  const schema = process.env.BENCH_PG_SCHEMA ?? '';
  const common = {
    entities: [RefreshTokenEntity, RefreshSessionEntity],
    migrations: REFRESH_TOKEN_MIGRATIONS,
    migrationsRun: true,
    synchronize: false,
    logging: false,
  };
  const dataSource = new DataSource(
    kind === 'postgres'
      ? {
          ...common,
          type: 'postgres',
          url: process.env.BENCH_PG_URL!,
          schema,
          // One connection per concurrent client, as the raw baseline gets.
          poolSize: 16,
          extra: { options: `-c search_path=${schema}` },
        }
      : { ...common, type: 'better-sqlite3', database: process.env.BENCH_SQLITE_PATH! },
  );
  await dataSource.initialize();
  const app = await NestFactory.create(refreshApp(material, dataSource), {
    logger: ['error', 'warn'],
  });
  const raw =
    kind === 'postgres'
      ? RawRotation.postgres(process.env.BENCH_PG_URL!, schema, 16)
      : RawRotation.sqlite(
          (dataSource.driver as unknown as { databaseConnection: SqliteDatabase })
            .databaseConnection,
        );
  // TokenService.refresh called directly, without HTTP: chains of their own.
  const serviceChains: { token: string }[] = [];
  await serveOverIpc(app, {
    'service-rotations': async (payload) => {
      const { clients, rotations } = payload as { clients: number; rotations: number };
      const tokens = app.get(TokenService);
      while (serviceChains.length < clients) {
        const pair = await tokens.issueTokens(
          { id: `service-user-${serviceChains.length}` },
          { userAgent: 'bench', ip: '127.0.0.1' },
        );
        serviceChains.push({ token: pair.refreshToken });
      }
      return runChains(serviceChains.slice(0, clients), rotations, async (chain) => {
        chain.token = (
          await tokens.refresh(chain.token, { userAgent: 'bench', ip: '127.0.0.1' })
        ).refreshToken;
      });
    },
    'open-sessions': async (payload) => {
      const tokens = app.get(TokenService);
      const pairs = [];
      for (let index = 0; index < (payload as number); index += 1) {
        pairs.push(
          await tokens.issueTokens(
            { id: `bench-user-${index}` },
            { userAgent: 'bench', ip: '127.0.0.1' },
          ),
        );
      }
      return pairs.map((pair) => pair.refreshToken);
    },
    seed: (payload) => {
      const { from, to } = payload as { from: number; to: number };
      return seedRows(kind, dataSource, from, to);
    },
    'raw-cas': (payload) => {
      const { clients, rotations } = payload as { clients: number; rotations: number };
      return raw.run(clients, rotations);
    },
    'count-rows': async () => {
      const [row] = (await dataSource.query('SELECT COUNT(*) AS n FROM auth_refresh_tokens')) as {
        n: number | string;
      }[];
      return Number(row?.n);
    },
  });
  process.on('exit', () => void raw.close());
} catch (error) {
  failStartup(error);
}
