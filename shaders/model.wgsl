// What every population kernel may know about a model: its hyperparameters (one row of
// the per-model buffer, packed by packModelHyper in src/train/gpu/structs.ts) and its
// training state (written by metrics_accumulate, read by the optimizer and the engine).

struct ModelHyper {
  hidden_units: u32,
  optimizer: u32,
  learning_rate: f32,
  beta1: f32,
  beta2: f32,
  epsilon: f32,
  weight_decay: f32,
  decay: u32,
  decay_rate: f32,
  decay_every: f32,
  init_seed: u32,
  data_seed: u32,
  rmsprop_alpha: f32,
}

struct ModelState {
  loss_sum: f32,
  accuracy_sum: f32,
  steps: u32,
  first_loss: f32,
  diverged: u32,
  diverged_at: u32,
  stopped: u32,
  validation_loss_sum: f32,
  validation_correct: f32,
}

fn is_frozen(state: ModelState) -> bool {
  return state.diverged != 0u || state.stopped != 0u;
}

// The per-step uniform: one slot per step of a command buffer, chosen by dynamic offset.
struct StepParams {
  step: u32,
}
