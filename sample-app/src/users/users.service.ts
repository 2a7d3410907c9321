import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { QueryFailedError, Repository } from 'typeorm';
import { guardStoreCall } from '../../../lib/typeorm/index.js';
import { DATABASE_TIMEOUT_MS } from '../database/database-options.js';
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

/** Users: registration, credential checks, look-ups, password changes, the administrator. */
@Injectable()
export class UsersService {
  private readonly logger = new Logger(UsersService.name);

  constructor(
    @InjectRepository(UserEntity) private readonly users: Repository<UserEntity>,
    private readonly hasher: PasswordHasher,
  ) {}

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
   * Sets a new password when `currentPassword` is the user's one. The caller must then revoke
   * every session of the user (see `AuthController.changePassword`).
   *
   * @returns `false` for an unknown user or a wrong current password (nothing changed)
   * @example if (await users.changePassword(claims.sub, current, next)) await tokens.revokeAllSessions(claims.sub);
   */
  async changePassword(
    userId: string,
    currentPassword: string,
    newPassword: string,
  ): Promise<boolean> {
    const user = await database(() => this.users.findOneBy({ id: userId }));
    if (!(await this.hasher.verify(currentPassword, user?.passwordHash ?? null)) || user === null) {
      return false;
    }
    const passwordHash = await this.hasher.hash(newPassword);
    await database(() => this.users.update({ id: user.id }, { passwordHash }));
    return true;
  }

  /**
   * Makes sure `email` exists with the admin roles and this password.
   *
   * @returns the user's id, and `existed: true` when the account was there before (its
   *   sessions were opened by whoever knew the old password: the caller revokes them)
   * @example const { id, existed } = await users.ensureAdmin('admin@example.com', 'a long password');
   */
  async ensureAdmin(email: string, password: string): Promise<{ id: string; existed: boolean }> {
    const normalized = normalizeEmail(email);
    const passwordHash = await this.hasher.hash(password);
    const existing = await this.users.findOneBy({ email: normalized });
    if (existing === null) {
      const id = randomUUID();
      await this.users.insert({ id, email: normalized, passwordHash, roles: [...ADMIN_ROLES] });
      this.logger.log(`created the administrator ${normalized}`);
      return { id, existed: false };
    }
    await this.users.update({ id: existing.id }, { passwordHash, roles: [...ADMIN_ROLES] });
    this.logger.log(`updated the administrator ${normalized}`);
    return { id: existing.id, existed: true };
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
