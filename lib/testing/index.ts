// nest-hybrid-auth/testing: what authors of custom stores and apps need to test against the
// module's own guarantees. Takes the runner's test functions, so it loads no test framework.

export { refreshTokenStoreContract } from './refresh-token-store-contract.js';
export type {
  ContractAssertion,
  ContractOptions,
  ContractTestApi,
  RaceFigures,
  RefreshTokenStoreFactory,
  StoreUnderTest,
} from './refresh-token-store-contract.js';
