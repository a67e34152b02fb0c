"""Optuna's samplers on the lab's search spaces, driven by bench/search.ts over stdin/stdout.

The objective stays in TypeScript (one definition): Node sends one JSON line per study,
  {"space": [rows as in src/search/space.ts], "sampler": "random"|"tpe"|"cmaes",
   "seed": int, "trials": int, "parallelism": int}
and this script answers with a JSON line of params per trial and reads back that trial's
value (null: it diverged, told as a failed trial), `parallelism` trials asked before any is told (TPE then uses constant_liar=True).
Each lab scale becomes Optuna's closest suggestion on the same axis:
  float log -> suggest_float(log=True); one-minus-log -> 1 - suggest_float(1-high, 1-low, log=True);
  int -> suggest_int(log=scale == 'log'); power-of-two -> 2 ** suggest_int(exponent);
  categorical -> suggest_categorical.
"""
import json
import sys
import warnings

import optuna

optuna.logging.set_verbosity(optuna.logging.ERROR)
warnings.filterwarnings("ignore")


def suggest(trial, row):
    name, d = row["name"], row["distribution"]
    if d["kind"] == "categorical":
        return trial.suggest_categorical(name, d["choices"])
    if d["kind"] == "power-of-two":
        lo, hi = d["low"].bit_length() - 1, d["high"].bit_length() - 1
        return 2 ** trial.suggest_int(name, lo, hi)
    if d["kind"] == "int":
        return trial.suggest_int(name, d["low"], d["high"], log=d["scale"] == "log")
    if d["scale"] == "one-minus-log":
        return 1 - trial.suggest_float(name, 1 - d["high"], 1 - d["low"], log=True)
    return trial.suggest_float(name, d["low"], d["high"], log=d["scale"] == "log")


def sampler_of(kind, seed, parallelism):
    if kind == "random":
        return optuna.samplers.RandomSampler(seed=seed)
    if kind == "tpe":
        return optuna.samplers.TPESampler(seed=seed, constant_liar=parallelism > 1)
    if kind == "cmaes":
        return optuna.samplers.CmaEsSampler(seed=seed)
    raise ValueError(f"unknown sampler {kind}")


def main():
    send = lambda obj: (sys.stdout.write(json.dumps(obj) + "\n"), sys.stdout.flush())
    send({"optuna": optuna.__version__})
    for line in sys.stdin:
        req = json.loads(line)
        study = optuna.create_study(sampler=sampler_of(req["sampler"], req["seed"], req["parallelism"]))
        issued = 0
        while issued < req["trials"]:
            # Optuna samples at suggest time: the whole population is suggested before any is told.
            batch = [study.ask() for _ in range(min(req["parallelism"], req["trials"] - issued))]
            params = [{row["name"]: suggest(trial, row) for row in req["space"] if row["enabled"]} for trial in batch]
            issued += len(batch)
            for trial, p in zip(batch, params):
                send({"params": p})
                value = json.loads(sys.stdin.readline())["value"]
                # null: the trial diverged; Optuna's way to say so is a failed trial.
                if value is None:
                    study.tell(trial, state=optuna.trial.TrialState.FAIL)
                else:
                    study.tell(trial, value)
        send({"done": True})


main()
