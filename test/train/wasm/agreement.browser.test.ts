// In Chromium the engine also trains on threads: 1, 2 and 3 of them (the last splits the
// nine models' three quads one per thread) must give the same bits.
import { describeAgreement } from './agreement-suite.ts';

describeAgreement('Chromium', [1, 2, 3]);
