import { describeWithService } from '../../support/services.js';
import { defineAutomaticRotationSuite } from './automatic-rotation-suite.js';
import { twoInstanceStores } from './two-instance-stores.js';

describeWithService('mysql', 'TypeOrmSigningKeyStore', (url) => {
  defineAutomaticRotationSuite('mariadb', () => twoInstanceStores('mariadb', url));
});
