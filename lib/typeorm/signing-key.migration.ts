import { Table, type MigrationInterface, type QueryRunner } from 'typeorm';

/** Default table of the generated signing keys (automatic rotation). */
export const DEFAULT_SIGNING_KEYS_TABLE = 'auth_signing_keys';

/**
 * The table of `TypeOrmSigningKeyStore`: one row per key generation, the generation being the
 * primary key, so that of two instances creating the same generation exactly one insert wins.
 * Times are BIGINT epoch milliseconds like the refresh-token tables; the JWK and the JWE are
 * TEXT (an RSA-4096 private key is about 4.5 kB as JWE). Built with TypeORM's `Table` API, so
 * one definition serves SQLite, PostgreSQL and MariaDB/MySQL; `up` is idempotent.
 */
export function createSigningKeysMigration(
  tableName: string = DEFAULT_SIGNING_KEYS_TABLE,
): new () => MigrationInterface {
  const table = new Table({
    name: tableName,
    columns: [
      { name: 'generation', type: 'integer', isPrimary: true },
      { name: 'kid', type: 'varchar', length: '64' },
      { name: 'alg', type: 'varchar', length: '16' },
      { name: 'public_jwk', type: 'text' },
      { name: 'encrypted_private_key', type: 'text' },
      { name: 'created_at', type: 'bigint' },
      { name: 'activates_at', type: 'bigint' },
    ],
  });
  return class CreateAuthSigningKeys1764400000002 implements MigrationInterface {
    readonly name = 'CreateAuthSigningKeys1764400000002';

    async up(queryRunner: QueryRunner): Promise<void> {
      if (!(await queryRunner.hasTable(table.name))) await queryRunner.createTable(table.clone());
    }

    async down(queryRunner: QueryRunner): Promise<void> {
      await queryRunner.dropTable(table.name, true);
    }
  };
}
