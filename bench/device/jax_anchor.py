"""The JAX anchor of bench/device/bench.ts: the same workloads (MLP inputs-width-width-outputs,
relu, softmax cross-entropy, Adam at each trial's learning rate, batch 32 drawn at random from
the same 512 spiral points) as an ML engineer would write them: jax.vmap over the trials, the
run under jax.jit + lax.scan over the steps. Reads the workloads from the JSON file bench.ts
writes, prints one JSON line first ({"version", "device"}) and then one per workload as it
finishes ({"name", "seconds", "trial_steps_per_s", "gflops", ...}: bench.ts's flop count),
timed after a compiling run, so that what finished counts even if the run is cut short.
Workloads that would pass the deadline (compiling included) are left out."""
import json
import sys
import time

import jax
import jax.numpy as jnp
import numpy as np


def build(cfg, trials, width, steps):
    n_in, n_out, batch = cfg["inputs"], cfg["outputs"], cfg["batch"]
    x = jnp.asarray(np.asarray(cfg["x"], np.float32).reshape(-1, n_in))
    n = x.shape[0]
    y = np.asarray(cfg["y"], np.float32)
    labels = jnp.asarray(y.reshape(n, n_out).argmax(1) if y.size == n * n_out else y.astype(np.int32))
    dims = [(n_in, width), (width, width), (width, n_out)]

    def init(key):
        keys = jax.random.split(key, len(dims))
        return [(jax.random.normal(k, d) * jnp.sqrt(2.0 / d[0]), jnp.zeros(d[1])) for k, d in zip(keys, dims)]

    def loss(params, xb, yb):
        h = xb
        for i, (w, b) in enumerate(params):
            h = h @ w + b
            if i < len(params) - 1:
                h = jax.nn.relu(h)
        return -jnp.mean(jnp.take_along_axis(jax.nn.log_softmax(h), yb[:, None], axis=1))

    def step(state, t):
        params, m, v, key, lr = state
        key, sub = jax.random.split(key)
        idx = jax.random.randint(sub, (batch,), 0, n)
        value, grads = jax.value_and_grad(loss)(params, x[idx], labels[idx])
        m = jax.tree.map(lambda m, g: 0.9 * m + 0.1 * g, m, grads)
        v = jax.tree.map(lambda v, g: 0.999 * v + 0.001 * g * g, v, grads)
        c1, c2 = 1 - 0.9 ** (t + 1.0), 1 - 0.999 ** (t + 1.0)
        params = jax.tree.map(lambda p, m, v: p - lr * (m / c1) / (jnp.sqrt(v / c2) + 1e-8), params, m, v)
        return (params, m, v, key, lr), value

    def run(state):
        return jax.lax.scan(step, state, jnp.arange(steps))

    trial_run = jax.jit(jax.vmap(run))
    keys = jax.random.split(jax.random.PRNGKey(0), trials)
    params = jax.vmap(init)(keys)
    zeros = jax.tree.map(jnp.zeros_like, params)
    lrs = jnp.asarray(cfg["learning_rates"][:trials], jnp.float32)
    return trial_run, (params, zeros, zeros, keys, lrs)


def main():
    cfg = json.load(open(sys.argv[1]))
    start = time.perf_counter()
    print(json.dumps({"version": jax.__version__, "device": str(jax.devices()[0])}), flush=True)
    last_cost = 0.0  # seconds (compile and both runs) per flop of the last workload
    for w in sorted(cfg["workloads"], key=lambda w: cfg["flops"][w["name"]]):
        flops = cfg["flops"][w["name"]]
        began = time.perf_counter()
        if began - start + 1.5 * last_cost * flops > cfg["deadline_s"]:
            print(f"[jax] {w['name']}: skipped (deadline)", file=sys.stderr)
            continue
        trial_run, state = build(cfg, w["trials"], w["width"], w["steps"])
        jax.block_until_ready(trial_run(state))  # compile
        t0 = time.perf_counter()
        _, losses = jax.block_until_ready(trial_run(state))
        seconds = time.perf_counter() - t0
        last_cost = (time.perf_counter() - began) / flops
        result = {
            "name": w["name"],
            "seconds": round(seconds, 4),
            "trial_steps_per_s": float(f"{w['trials'] * w['steps'] / seconds:.3g}"),
            "gflops": float(f"{flops / seconds / 1e9:.3g}"),
            "final_train_loss_median": float(f"{float(jnp.median(losses[:, -1])):.3g}"),
        }
        print(json.dumps(result), flush=True)
        print(f"[jax] {result}", file=sys.stderr)


if __name__ == "__main__":
    main()
