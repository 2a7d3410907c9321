import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { QueryFailedError, Repository } from 'typeorm';
import { guardStoreCall } from '../../../lib/typeorm/index.js';
import { SAMPLE_CONFIG } from '../config/sample-config.module.js';
import { DATABASE_TIMEOUT_MS } from '../database/database-options.js';
import type { SampleConfig } from '../sample-config.js';
import { PasswordHasher } from './password-hasher.js';
import { normalizeEmail, toPublicUser, UserEntity, type PublicUser } from './user.entity.js';

/** Roles of a newly registered user. */
export const DEFAULT_ROLES: readonly string[] = Object.freeze(['user']);
/** Roles of the administrator named by `SAMPLE_ADMIN_EMAIL`. */
export const ADMIN_ROLES: readonly string[] = Object.freeze(['admin', 'user']);

/**
 * One users query, bounded and classified like the refresh-token store's: a database that is
 * down or stalled fails with `StoreUnavailableError`, which the error filter answers with 503.
 */
function database<T>(call: () => Promise<T>): Promise<T> {
  return guardStoreCall(call, DATABASE_TIMEOUT_MS);
}

/** Users: registration, credential checks, look-ups, and the start-up administrator. */
@Injectable()
export class UsersService implements OnApplicationBootstrap {
  private readonly logger = new Logger(UsersService.name);

  constructor(
    @InjectRepository(UserEntity) private readonly users: Repository<UserEntity>,
    private readonly hasher: PasswordHasher,
    @Inject(SAMPLE_CONFIG) private readonly config: SampleConfig,
  ) {}

  /** Creates or updates the configured administrator once the database is migrated. */
  async onApplicationBootstrap(): Promise<void> {
    if (this.config.admin !== null) {
      await this.ensureAdmin(this.config.admin.email, this.config.admin.password);
    }
  }

  /**
   * Registers a user with the `user` role.
   *
   * @returns the new user, or `null` when the (normalised) email is taken
   * @example const user = await users.register('Ada@Example.com', 'correct horse');
   */
  async register(email: string, password: string): Promise<PublicUser | null> {
    const normalized = normalizeEmail(email);
    if (await database(() => this.users.existsBy({ email: normalized }))) {
      return null;
    }
    const user = this.users.create({
      id: randomUUID(),
      email: normalized,
      passwordHash: await this.hasher.hash(password),
      roles: [...DEFAULT_ROLES],
    });
    try {
      await database(() => this.users.insert(user));
    } catch (error) {
      // Two registrations raced past the existence check: the unique index decides.
      if (isUniqueViolation(error)) {
        return null;
      }
      throw error;
    }
    return toPublicUser(user);
  }

  /**
   * Checks an email and password. An unknown email costs one scrypt run like a wrong password,
   * so response time does not reveal which accounts exist.
   *
   * @returns the user, or `null` for an unknown email or a wrong password alike
   * @example const user = await users.verifyCredentials(email, password);
   */
  async verifyCredentials(email: string, password: string): Promise<UserEntity | null> {
    const user = await database(() => this.users.findOneBy({ email: normalizeEmail(email) }));
    const valid = await this.hasher.verify(password, user?.passwordHash ?? null);
    return valid ? user : null;
  }

  /**
   * @returns the user with that id, or `null`
   * @example const me = await users.findById(claims.sub);
   */
  async findById(id: string): Promise<PublicUser | null> {
    const user = await database(() => this.users.findOneBy({ id }));
    return user === null ? null : toPublicUser(user);
  }

  /**
   * @returns every user, sorted by email
   * @example const all = await users.list();
   */
  async list(): Promise<PublicUser[]> {
    const all = await database(() => this.users.find({ order: { email: 'ASC' } }));
    return all.map(toPublicUser);
  }

  /**
   * Makes sure `email` exists with the admin roles and this password.
   *
   * @example await users.ensureAdmin('admin@example.com', 'a long password');
   */
  async ensureAdmin(email: string, password: string): Promise<void> {
    const normalized = normalizeEmail(email);
    const passwordHash = await this.hasher.hash(password);
    const existing = await this.users.findOneBy({ email: normalized });
    if (existing === null) {
      await this.users.insert({
        id: randomUUID(),
        email: normalized,
        passwordHash,
        roles: [...ADMIN_ROLES],
      });
      this.logger.log(`created the administrator ${normalized}`);
      return;
    }
    await this.users.update({ id: existing.id }, { passwordHash, roles: [...ADMIN_ROLES] });
    this.logger.log(`updated the administrator ${normalized}`);
  }
}

const UNIQUE_VIOLATION_CODES = new Set([
  '23505',
  'ER_DUP_ENTRY',
  'SQLITE_CONSTRAINT_UNIQUE',
  'SQLITE_CONSTRAINT',
]);

function isUniqueViolation(error: unknown): boolean {
  if (!(error instanceof QueryFailedError)) {
    return false;
  }
  const code = (error.driverError as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && UNIQUE_VIOLATION_CODES.has(code);
}
