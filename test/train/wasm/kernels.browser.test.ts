import { describeKernels } from './kernels-suite.ts';

describeKernels('Chromium');
