// What every population kernel may know about a model: its hyperparameters (one row of
// the per-model buffer, `struct ModelHyper`, generated with the choices' constants from the
// table of hyperparameters and prepended to every kernel: GENERATED_WGSL in
// src/train/gpu/structs.ts) and its training state (written by the loss kernels, read by
// the optimizer and the engine).

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
