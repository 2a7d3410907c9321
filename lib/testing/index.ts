// nest-hybrid-auth/testing: what an app's own tests need (a clock, keys, tokens without a
// login), and what authors of a custom store need to prove it keeps the session rules. The
// contract takes the runner's test functions, so this entry point loads no test framework.

export { FixedClock } from './fixed-clock.js';
export { generateSigningKey } from './generate-signing-key.js';
export type { GeneratedSigningKey } from './generate-signing-key.js';
export { mintAccessToken } from './mint-access-token.js';
export type { ProviderSource } from './mint-access-token.js';
export { refreshTokenStoreContract } from './refresh-token-store-contract.js';
export type {
  ContractAssertion,
  ContractOptions,
  ContractTestApi,
  RaceFigures,
  RefreshTokenStoreFactory,
  StoreUnderTest,
} from './refresh-token-store-contract.js';
