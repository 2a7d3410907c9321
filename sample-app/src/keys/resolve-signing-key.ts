import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { exportPKCS8, generateKeyPair, type JWK } from 'jose';
import type { SampleConfig } from '../sample-config.js';

/** The key the sample app signs access tokens with. */
export interface SampleSigningKey {
  readonly algorithm: SampleConfig['auth']['algorithm'];
  /** PKCS#8 PEM or private JWK. */
  readonly privateKey: string | JWK;
}

/**
 * Returns `AUTH_PRIVATE_KEY` when it is set. Otherwise a development key: generated once with
 * jose, written as PKCS#8 PEM to `dataDir` (mode 0600) and reused on later starts, with a
 * warning, because a key on disk next to the database is not a production key store.
 *
 * @throws when the data folder cannot be created or the key file cannot be read
 * @example const key = await resolveSigningKey(config);
 */
export async function resolveSigningKey(config: SampleConfig): Promise<SampleSigningKey> {
  const { algorithm, privateKey } = config.auth;
  if (privateKey !== null) {
    return { algorithm, privateKey };
  }
  const path = join(config.dataDir, `dev-signing-key-${algorithm.toLowerCase()}.pem`);
  const logger = new Logger('SigningKey');
  const existing = await readExisting(path);
  if (existing !== null) {
    logger.warn(`AUTH_PRIVATE_KEY is not set: using the development key in ${path}; set AUTH_PRIVATE_KEY in production`);
    return { algorithm, privateKey: existing };
  }
  await mkdir(config.dataDir, { recursive: true, mode: 0o700 });
  const pair = await generateKeyPair(algorithm, { extractable: true });
  const pem = await exportPKCS8(pair.privateKey);
  try {
    // 'wx': when two instances start together, the second reads the first one's key.
    await writeFile(path, pem, { mode: 0o600, flag: 'wx' });
    await chmod(path, 0o600);
  } catch (error) {
    const raced = await readExisting(path);
    if (raced === null) {
      throw error;
    }
    logger.warn(`AUTH_PRIVATE_KEY is not set: using the development key in ${path}; set AUTH_PRIVATE_KEY in production`);
    return { algorithm, privateKey: raced };
  }
  logger.warn(
    `AUTH_PRIVATE_KEY is not set: generated a development ${algorithm} key in ${path}; set AUTH_PRIVATE_KEY in production`,
  );
  return { algorithm, privateKey: pem };
}

async function readExisting(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return null;
    }
    throw error;
  }
}
