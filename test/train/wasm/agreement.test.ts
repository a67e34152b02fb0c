import { describeAgreement } from './agreement-suite.ts';

describeAgreement('Node', [1]);
