import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { exportPKCS8, generateKeyPair, type JWK } from 'jose';
import type { SampleConfig } from '../sample-config.js';
import { resolvePreviousKeys, type SamplePreviousKey } from './resolve-previous-keys.js';

/** The key the sample app signs access tokens with. */
export interface SampleSigningKey {
  readonly algorithm: SampleConfig['auth']['algorithm'];
  /** PKCS#8 PEM or private JWK. */
  readonly privateKey: string | JWK;
  /** `AUTH_PREVIOUS_PUBLIC_KEYS`: verify-only keys kept in the JWKS. @default [] */
  readonly previousKeys?: readonly SamplePreviousKey[];
}

/**
 * Returns `AUTH_PRIVATE_KEY` when it is set, with the keys of `AUTH_PREVIOUS_PUBLIC_KEYS`. Otherwise a development key: generated once with
 * jose, written as PKCS#8 PEM to `dataDir` (mode 0600) and reused on later starts, with a
 * warning, because a key on disk next to the database is not a production key store.
 *
 * @throws when the data folder cannot be created or the key file cannot be read
 * @throws {SampleConfigError} when a key of `AUTH_PREVIOUS_PUBLIC_KEYS` cannot be imported
 * @example const key = await resolveSigningKey(config);
 */
export async function resolveSigningKey(config: SampleConfig): Promise<SampleSigningKey> {
  const { algorithm, privateKey } = config.auth;
  if (privateKey !== null) {
    return { algorithm, privateKey, previousKeys: await resolvePreviousKeys(config, privateKey) };
  }
  const path = join(config.dataDir, `dev-signing-key-${algorithm.toLowerCase()}.pem`);
  const { pem, generated } = await readOrGenerate(path, algorithm, config.dataDir);
  // The path only: never key material in a log line.
  new Logger('SigningKey').warn(
    `AUTH_PRIVATE_KEY is not set: ${generated ? 'generated a' : 'using the'} development ${algorithm} key ` +
      `in ${path}; set AUTH_PRIVATE_KEY in production`,
  );
  return { algorithm, privateKey: pem, previousKeys: await resolvePreviousKeys(config, pem) };
}

async function readOrGenerate(
  path: string,
  algorithm: SampleSigningKey['algorithm'],
  dataDir: string,
): Promise<{ pem: string; generated: boolean }> {
  const existing = await readExisting(path);
  if (existing !== null) {
    return { pem: existing, generated: false };
  }
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const pair = await generateKeyPair(algorithm, { extractable: true });
  const pem = await exportPKCS8(pair.privateKey);
  try {
    // 'wx': when two instances start together, the second reads the first one's key.
    await writeFile(path, pem, { mode: 0o600, flag: 'wx' });
    // The mode given to writeFile is filtered by the umask; make sure.
    await chmod(path, 0o600);
    return { pem, generated: true };
  } catch (error) {
    const raced = await readExisting(path);
    if (raced === null) {
      throw error;
    }
    return { pem: raced, generated: false };
  }
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
