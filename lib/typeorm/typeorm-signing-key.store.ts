import type { DataSource } from 'typeorm';
import type { AccessTokenAlgorithm } from '../options/auth-module-options.js';
import { SigningKeyStore, type SigningKeyRecord } from '../keys/rotation/signing-key.store.js';
import { DEFAULT_SIGNING_KEYS_TABLE } from './signing-key.migration.js';

interface SigningKeyRow {
  generation: number | string;
  kid: string;
  alg: string;
  public_jwk: string;
  encrypted_private_key: string;
  created_at: number | string;
  activates_at: number | string;
}

const COLUMNS = [
  'generation',
  'kid',
  'alg',
  'public_jwk',
  'encrypted_private_key',
  'created_at',
  'activates_at',
] as const;

// pg and mysql2 return BIGINT as a string; epoch milliseconds are exact as numbers.
function toRecord(row: SigningKeyRow): SigningKeyRecord {
  return Object.freeze({
    generation: Number(row.generation),
    kid: row.kid,
    alg: row.alg as AccessTokenAlgorithm,
    publicJwk: row.public_jwk,
    encryptedPrivateKey: row.encrypted_private_key,
    createdAt: Number(row.created_at),
    activatesAt: Number(row.activates_at),
  });
}

/**
 * The TypeORM {@link SigningKeyStore}: the table `auth_signing_keys`, created by the migration
 * in `REFRESH_TOKEN_MIGRATIONS` (or `createSigningKeysMigration()`). No entity needs to be
 * registered.
 *
 * @example
 * rotation: { store: new TypeOrmSigningKeyStore(dataSource), encryptionKey: process.env.AUTH_KEY_ENCRYPTION_KEY! }
 */
export class TypeOrmSigningKeyStore extends SigningKeyStore {
  private readonly table: string;

  constructor(
    private readonly dataSource: DataSource,
    tableName: string = DEFAULT_SIGNING_KEYS_TABLE,
  ) {
    super();
    // Qualified with the DataSource's schema (PostgreSQL `schema` option), where the migration
    // created it; a raw table name would resolve through search_path instead.
    const { driver } = dataSource;
    this.table = driver.buildTableName(tableName, driver.schema, driver.database);
  }

  async list(): Promise<readonly SigningKeyRecord[]> {
    const query = this.dataSource.createQueryBuilder().from(this.table, 'k');
    for (const column of COLUMNS) query.addSelect(`k.${column}`, column);
    const rows = await query.orderBy('k.generation', 'ASC').getRawMany<SigningKeyRow>();
    return rows.map(toRecord);
  }

  async create(record: SigningKeyRecord): Promise<SigningKeyRecord> {
    try {
      await this.dataSource
        .createQueryBuilder()
        .insert()
        .into(this.table, [...COLUMNS])
        .values({
          generation: record.generation,
          kid: record.kid,
          alg: record.alg,
          public_jwk: record.publicJwk,
          encrypted_private_key: record.encryptedPrivateKey,
          created_at: record.createdAt,
          activates_at: record.activatesAt,
        })
        .execute();
      return record;
    } catch (cause) {
      // The primary key refused a second row for this generation: another instance won, and
      // its row is the key. Drivers word the violation differently, so the row decides.
      const winner = (await this.list()).find((row) => row.generation === record.generation);
      if (winner === undefined) throw cause;
      return winner;
    }
  }

  async delete(generations: readonly number[]): Promise<void> {
    if (generations.length === 0) return;
    await this.dataSource
      .createQueryBuilder()
      .delete()
      .from(this.table)
      .where('generation IN (:...generations)', { generations: [...generations] })
      .execute();
  }
}
