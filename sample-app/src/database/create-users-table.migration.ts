import { Table, TableUnique, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Creates the sample app's `users` table with TypeORM's portable Table API (SQLite,
 * PostgreSQL, MySQL/MariaDB). Idempotent, so it also adopts a table created by hand.
 */
export class CreateUsersTable1767225600000 implements MigrationInterface {
  readonly name = 'CreateUsersTable1767225600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    if (await queryRunner.hasTable('users')) {
      return;
    }
    await queryRunner.createTable(
      new Table({
        name: 'users',
        columns: [
          // UUIDs generated in code: the same column type on every database.
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          // 254: the longest deliverable address (RFC 5321 section 4.5.3.1).
          { name: 'email', type: 'varchar', length: '254', isNullable: false },
          { name: 'password_hash', type: 'varchar', length: '255', isNullable: false },
          { name: 'roles', type: 'text', isNullable: false },
        ],
        uniques: [new TableUnique({ name: 'UQ_users_email', columnNames: ['email'] })],
      }),
      true,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('users', true);
  }
}
