import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A sample-app user. `email` is stored normalised (trimmed, lower case), so case variants collide. */
@Entity({ name: 'users' })
export class UserEntity {
  /** A random UUID, as a string. */
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'varchar', length: 254, unique: true })
  email!: string;

  /** `scrypt$N$r$p$salt$key` (see `PasswordHasher`); never leaves the service. */
  @Column({ name: 'password_hash', type: 'varchar', length: 255 })
  passwordHash!: string;

  @Column({ type: 'simple-json' })
  roles!: string[];
}

/** What the API shows of a user. */
export interface PublicUser {
  readonly id: string;
  readonly email: string;
  readonly roles: readonly string[];
}

/** Trims, Unicode-normalises and lower-cases an email address, the form it is stored and looked up in. */
export function normalizeEmail(email: string): string {
  return email.trim().normalize('NFC').toLowerCase();
}

/** The public view of a user. */
export function toPublicUser(user: UserEntity): PublicUser {
  return { id: user.id, email: user.email, roles: [...user.roles] };
}
