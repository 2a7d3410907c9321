import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MemorySigningKeyStore, type SigningKeyStore } from '../../../lib/index.js';
import { createGuardedTestApp } from '../../support/guarded-test-app.js';
import { TEST_AUDIENCE, TEST_ISSUER } from '../../support/keys.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('automatic rotation: the periodic check', () => {
  it('reads the store every checkInterval by itself, and stops when the app closes', async () => {
    const memory = new MemorySigningKeyStore();
    let reads = 0;
    const store: SigningKeyStore = {
      list: () => {
        reads += 1;
        return memory.list();
      },
      create: (record) => memory.create(record),
      delete: (generations) => memory.delete(generations),
    };
    const app = await createGuardedTestApp({
      issuer: TEST_ISSUER,
      audience: TEST_AUDIENCE,
      rotation: {
        store,
        encryptionKey: randomBytes(32),
        interval: '1h',
        publishAhead: '10m',
        checkInterval: '1s',
      },
    });
    const atStart = reads;
    expect(atStart).toBeGreaterThan(0);
    await sleep(2300);
    const beforeClose = reads;
    expect(beforeClose - atStart).toBeGreaterThanOrEqual(1);
    await app.close();
    await sleep(1500);
    expect(reads).toBe(beforeClose);
  });
});
