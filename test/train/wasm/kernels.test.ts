import { describeKernels } from './kernels-suite.ts';

describeKernels('Node');
