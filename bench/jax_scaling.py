"""The JAX anchor of `npm run bench` (bench/run.mjs runs it when python3 imports jax).

What an ML engineer would write instead of the lab: the workload's MLP 2-w-w-2 (relu,
softmax cross-entropy, Adam with each trial's learning rate), `jax.vmap` over the trials and
the whole run under `jax.jit` + `lax.scan` over the steps, each step gathering its batch of
32 rows of the same 512-point spiral. Reads one JSON object on stdin:
  {"x": [...], "y": [...], "learning_rates": [...], "batch": 32,
   "cells": [{"trials": P, "width": w, "steps": s}, ...]}
and prints one JSON object: the jax version and, per cell, seconds per timed run (after a
compile-and-warm-up call) and trial-steps per second of the median run.
"""

import json
import statistics
import sys
import time

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

CELL_SECONDS = 6.0


def init_params(key, width):
    """He-normal weights, zero biases (the lab's init for relu)."""
    sizes = [(2, width), (width, width), (width, 2)]
    keys = jax.random.split(key, len(sizes))
    return [
        (jax.random.normal(k, (fan_in, fan_out), jnp.float32) * np.sqrt(2.0 / fan_in), jnp.zeros(fan_out, jnp.float32))
        for k, (fan_in, fan_out) in zip(keys, sizes)
    ]


def loss_fn(params, x, y):
    h = x
    for w, b in params[:-1]:
        h = jax.nn.relu(h @ w + b)
    w, b = params[-1]
    logits = h @ w + b
    return -jnp.mean(jnp.take_along_axis(jax.nn.log_softmax(logits), y[:, None], axis=1))


def make_train(beta1=0.9, beta2=0.999, eps=1e-8):
    def train_one(params, lr, batches, x_all, y_all):
        zeros = jax.tree_util.tree_map(jnp.zeros_like, params)

        def step(carry, batch):
            params, m, v, t = carry
            loss, grads = jax.value_and_grad(loss_fn)(params, x_all[batch], y_all[batch])
            t = t + 1.0
            m = jax.tree_util.tree_map(lambda m, g: beta1 * m + (1 - beta1) * g, m, grads)
            v = jax.tree_util.tree_map(lambda v, g: beta2 * v + (1 - beta2) * g * g, v, grads)
            params = jax.tree_util.tree_map(
                lambda p, m, v: p - lr * (m / (1 - beta1**t)) / (jnp.sqrt(v / (1 - beta2**t)) + eps), params, m, v
            )
            return (params, m, v, t), loss

        (params, _, _, _), losses = lax.scan(step, (params, zeros, zeros, jnp.float32(0)), batches)
        return params, losses

    return jax.jit(jax.vmap(train_one, in_axes=(0, 0, 0, None, None)))


def main():
    request = json.loads(sys.stdin.read())
    x_all = jnp.asarray(np.array(request["x"], np.float32).reshape(-1, 2))
    y_all = jnp.asarray(np.array(request["y"], np.int32))
    n = x_all.shape[0]
    batch = request["batch"]
    rates = np.array(request["learning_rates"], np.float32)
    train = make_train()
    rng = np.random.default_rng(20240601)
    cells = []
    for cell in request["cells"]:
        trials, width, steps = cell["trials"], cell["width"], cell["steps"]
        keys = jax.random.split(jax.random.PRNGKey(0), trials)
        params = jax.vmap(lambda k: init_params(k, width))(keys)
        lr = jnp.asarray(rates[np.arange(trials) % len(rates)])
        batches = jnp.asarray(rng.integers(0, n, size=(trials, steps, batch), dtype=np.int32))
        try:
            jax.block_until_ready(train(params, lr, batches, x_all, y_all))  # compile + warm-up
            seconds = []
            started = time.perf_counter()
            while len(seconds) < 3 and (not seconds or time.perf_counter() - started < CELL_SECONDS):
                t = time.perf_counter()
                jax.block_until_ready(train(params, lr, batches, x_all, y_all))
                seconds.append(time.perf_counter() - t)
            cells.append({**cell, "s_per_run": seconds, "trial_steps_per_s": trials * steps / statistics.median(seconds)})
        except Exception as error:  # out of memory on a large cell: the others still count
            cells.append({**cell, "error": str(error)[:300]})
        print(f"[bench] jax P={trials} w={width} ×{steps} steps: {cells[-1].get('trial_steps_per_s', cells[-1].get('error'))}", file=sys.stderr)
    json.dump({"jax": jax.__version__, "devices": [str(d) for d in jax.devices()], "cells": cells}, sys.stdout)


if __name__ == "__main__":
    main()
