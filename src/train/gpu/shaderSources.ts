// The WGSL sources of shaders/, keyed by file name, for the browser: Vite inlines each file
// at build time (`?raw`). Node reads the same files from disk instead (shaderSources.node.ts);
// package.json's "imports" picks one for `#shaders` by environment, so the GPU engine runs
// under a bundler and in plain Node alike.
import activation from '../../../shaders/activation.wgsl?raw';
import batch_gather from '../../../shaders/batch_gather.wgsl?raw';
import elementwise from '../../../shaders/elementwise.wgsl?raw';
import loss_common from '../../../shaders/loss_common.wgsl?raw';
import matmul_backward_input from '../../../shaders/matmul_backward_input.wgsl?raw';
import matmul_backward_weight from '../../../shaders/matmul_backward_weight.wgsl?raw';
import matmul_common from '../../../shaders/matmul_common.wgsl?raw';
import matmul_forward from '../../../shaders/matmul_forward.wgsl?raw';
import mean_squared_error from '../../../shaders/mean_squared_error.wgsl?raw';
import metrics_accumulate from '../../../shaders/metrics_accumulate.wgsl?raw';
import model from '../../../shaders/model.wgsl?raw';
import optimizer_step from '../../../shaders/optimizer_step.wgsl?raw';
import parameters_init from '../../../shaders/parameters_init.wgsl?raw';
import random from '../../../shaders/random.wgsl?raw';
import softmax_cross_entropy from '../../../shaders/softmax_cross_entropy.wgsl?raw';

export const SHADER_SOURCES = {
  activation,
  batch_gather,
  elementwise,
  loss_common,
  matmul_backward_input,
  matmul_backward_weight,
  matmul_common,
  matmul_forward,
  mean_squared_error,
  metrics_accumulate,
  model,
  optimizer_step,
  parameters_init,
  random,
  softmax_cross_entropy,
};
