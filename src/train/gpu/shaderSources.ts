// The WGSL sources of shaders/, keyed by file name, for the browser: Vite inlines each file
// at build time (`?raw`). Node reads the same files from disk instead (shaderSources.node.ts);
// package.json's "imports" picks one for `#shaders` by environment, so the GPU engine runs
// under a bundler and in plain Node alike.
import activation from '../../../shaders/activation.wgsl?raw';
import batch_gather from '../../../shaders/batch_gather.wgsl?raw';
import batchnorm_backward_input from '../../../shaders/batchnorm_backward_input.wgsl?raw';
import batchnorm_backward_parameters from '../../../shaders/batchnorm_backward_parameters.wgsl?raw';
import batchnorm_common from '../../../shaders/batchnorm_common.wgsl?raw';
import batchnorm_forward from '../../../shaders/batchnorm_forward.wgsl?raw';
import batchnorm_statistics from '../../../shaders/batchnorm_statistics.wgsl?raw';
import conv_common from '../../../shaders/conv_common.wgsl?raw';
import conv2d_backward_input from '../../../shaders/conv2d_backward_input.wgsl?raw';
import conv2d_backward_weight from '../../../shaders/conv2d_backward_weight.wgsl?raw';
import conv2d_forward from '../../../shaders/conv2d_forward.wgsl?raw';
import dropout_backward from '../../../shaders/dropout_backward.wgsl?raw';
import dropout_common from '../../../shaders/dropout_common.wgsl?raw';
import dropout_forward from '../../../shaders/dropout_forward.wgsl?raw';
import elementwise from '../../../shaders/elementwise.wgsl?raw';
import fused_mlp from '../../../shaders/fused_mlp.wgsl?raw';
import loss_common from '../../../shaders/loss_common.wgsl?raw';
import matmul_backward_input from '../../../shaders/matmul_backward_input.wgsl?raw';
import matmul_backward_weight from '../../../shaders/matmul_backward_weight.wgsl?raw';
import matmul_common from '../../../shaders/matmul_common.wgsl?raw';
import matmul_forward from '../../../shaders/matmul_forward.wgsl?raw';
import mean_squared_error from '../../../shaders/mean_squared_error.wgsl?raw';
import model from '../../../shaders/model.wgsl?raw';
import optimizer_common from '../../../shaders/optimizer_common.wgsl?raw';
import optimizer_step from '../../../shaders/optimizer_step.wgsl?raw';
import parameters_init from '../../../shaders/parameters_init.wgsl?raw';
import pool_common from '../../../shaders/pool_common.wgsl?raw';
import pool2d_backward from '../../../shaders/pool2d_backward.wgsl?raw';
import pool2d_forward from '../../../shaders/pool2d_forward.wgsl?raw';
import random from '../../../shaders/random.wgsl?raw';
import reduce_common from '../../../shaders/reduce_common.wgsl?raw';
import softmax_cross_entropy from '../../../shaders/softmax_cross_entropy.wgsl?raw';

export const SHADER_SOURCES = {
  activation,
  batch_gather,
  batchnorm_backward_input,
  batchnorm_backward_parameters,
  batchnorm_common,
  batchnorm_forward,
  batchnorm_statistics,
  conv2d_backward_input,
  conv2d_backward_weight,
  conv2d_forward,
  conv_common,
  dropout_backward,
  dropout_common,
  dropout_forward,
  elementwise,
  fused_mlp,
  loss_common,
  matmul_backward_input,
  matmul_backward_weight,
  matmul_common,
  matmul_forward,
  mean_squared_error,
  model,
  optimizer_common,
  optimizer_step,
  parameters_init,
  pool2d_backward,
  pool2d_forward,
  pool_common,
  random,
  reduce_common,
  softmax_cross_entropy,
};
