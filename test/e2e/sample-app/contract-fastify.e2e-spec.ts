import { describe } from 'vitest';
import { contractFlow } from './support/contract-flow.js';
import { startSampleApp } from '../../support/sample-app.js';

describe('sample app contract on SQLite in memory (Fastify)', () => {
  contractFlow(() => startSampleApp({ HTTP_ADAPTER: 'fastify' }));
});
