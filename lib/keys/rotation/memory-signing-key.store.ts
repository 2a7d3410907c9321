import { SigningKeyStore, type SigningKeyRecord } from './signing-key.store.js';

/**
 * A {@link SigningKeyStore} in this process's memory: for tests, and for several modules in one
 * process sharing one schedule. Keys are lost on restart, so every restart rotates.
 */
export class MemorySigningKeyStore extends SigningKeyStore {
  private readonly rows = new Map<number, SigningKeyRecord>();

  async list(): Promise<readonly SigningKeyRecord[]> {
    return [...this.rows.values()].toSorted((a, b) => a.generation - b.generation);
  }

  async create(record: SigningKeyRecord): Promise<SigningKeyRecord> {
    const existing = this.rows.get(record.generation);
    if (existing !== undefined) return existing;
    this.rows.set(record.generation, Object.freeze({ ...record }));
    return record;
  }

  async delete(generations: readonly number[]): Promise<void> {
    for (const generation of generations) this.rows.delete(generation);
  }
}
