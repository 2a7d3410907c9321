import { MemoryRefreshTokenStore } from '../../../lib/refresh-token/memory-refresh-token.store.js';
import { refreshTokenStoreContract } from '../../../lib/testing/index.js';
import { contractSettings, vitestApi } from './support/store-contract-run.js';

refreshTokenStoreContract(
  'MemoryRefreshTokenStore',
  () => ({ store: new MemoryRefreshTokenStore() }),
  vitestApi,
  contractSettings('memory'),
);
