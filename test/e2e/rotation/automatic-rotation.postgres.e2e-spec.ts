import { describeWithService } from '../../support/services.js';
import { defineAutomaticRotationSuite } from './automatic-rotation-suite.js';
import { twoInstanceStores } from './two-instance-stores.js';

describeWithService('postgres', 'TypeOrmSigningKeyStore', (url) => {
  defineAutomaticRotationSuite('postgres', () => twoInstanceStores('postgres', url));
});
