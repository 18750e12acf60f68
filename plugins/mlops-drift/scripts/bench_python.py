"""Python side of the drift benchmark (scripts/bench.ts), run with .venvs/drift/bin/python.

  generate --rows N --columns K --seed S --out DIR
      Writes DIR/reference.parquet and DIR/current.parquet: K float64 columns
      c00..c{K-1} of N rows from numpy's default_rng(S); in the current data
      every other column is shifted (mean + 0.02·j, sd × 1.05) so some drift.
  scipy --reference R --current C
      Per column: scipy.stats.ks_2samp (asymptotic at this size) and
      wasserstein_distance / max(np.std(ref), 0.001), the statistics behind
      Evidently's ks and wasserstein tests. Prints timings and the values.
  evidently --reference R --current C --rows N
      Evidently's DataDriftPreset on the first N rows (all columns numerical).

Every command prints one JSON object; times exclude Python start-up and
imports but include what each library needs to do with in-memory data.
"""

import argparse
import json
import resource
import sys
import time
import warnings

import numpy as np
import pandas as pd

warnings.filterwarnings("ignore")


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def generate(args):
    rng = np.random.default_rng(args.seed)
    names = [f"c{j:02d}" for j in range(args.columns)]
    reference = pd.DataFrame({name: rng.standard_normal(args.rows) for name in names})
    current = pd.DataFrame(
        {
            name: rng.standard_normal(args.rows) * (1.05 if j % 2 else 1.0) + (0.02 * j if j % 2 else 0.0)
            for j, name in enumerate(names)
        }
    )
    reference.to_parquet(f"{args.out}/reference.parquet", index=False)
    current.to_parquet(f"{args.out}/current.parquet", index=False)
    return {"rows": args.rows, "columns": args.columns, "seed": args.seed}


def read(args, rows=None):
    reference = pd.read_parquet(args.reference)
    current = pd.read_parquet(args.current)
    if rows is not None:
        reference = reference.iloc[:rows]
        current = current.iloc[:rows]
    return reference, current


def scipy_bench(args):
    from scipy import stats

    reference, current = read(args)
    columns = {}
    ks_time = w_time = ks_cpu = w_cpu = 0.0
    for name in reference.columns:
        r = reference[name].to_numpy()
        c = current[name].to_numpy()
        t0, p0 = time.perf_counter(), time.process_time()
        ks = stats.ks_2samp(r, c)
        t1, p1 = time.perf_counter(), time.process_time()
        w = stats.wasserstein_distance(r, c) / max(float(np.std(r)), 0.001)
        t2, p2 = time.perf_counter(), time.process_time()
        ks_time += t1 - t0
        w_time += t2 - t1
        ks_cpu += p1 - p0
        w_cpu += p2 - p1
        columns[name] = {"ks_statistic": float(ks.statistic), "ks_pvalue": float(ks.pvalue), "wasserstein_normed": float(w)}
    return {
        "ks_seconds": ks_time,
        "wasserstein_seconds": w_time,
        "ks_cpu_seconds": ks_cpu,
        "wasserstein_cpu_seconds": w_cpu,
        "total_seconds": ks_time + w_time,
        "peak_rss_mb": peak_rss_mb(),
        "columns": columns,
    }


def evidently_bench(args):
    from evidently import DataDefinition, Dataset, Report
    from evidently.presets import DataDriftPreset

    reference, current = read(args, args.rows)
    definition = DataDefinition(numerical_columns=list(reference.columns))
    t0, p0 = time.perf_counter(), time.process_time()
    report = Report([DataDriftPreset()])
    snapshot = report.run(
        Dataset.from_pandas(current, data_definition=definition),
        Dataset.from_pandas(reference, data_definition=definition),
    )
    result = snapshot.dict()
    seconds = time.perf_counter() - t0
    cpu_seconds = time.process_time() - p0
    share = next(m["value"]["share"] for m in result["metrics"] if m["config"]["type"].endswith("DriftedColumnsCount"))
    scores = {
        m["config"]["column"]: m["value"] for m in result["metrics"] if m["config"]["type"].endswith("ValueDrift")
    }
    return {
        "rows": len(reference),
        "seconds": seconds,
        "cpu_seconds": cpu_seconds,
        "peak_rss_mb": peak_rss_mb(),
        "share": share,
        "scores": scores,
    }


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    g = sub.add_parser("generate")
    g.add_argument("--rows", type=int, required=True)
    g.add_argument("--columns", type=int, required=True)
    g.add_argument("--seed", type=int, required=True)
    g.add_argument("--out", required=True)
    for name in ("scipy", "evidently"):
        p = sub.add_parser(name)
        p.add_argument("--reference", required=True)
        p.add_argument("--current", required=True)
        if name == "evidently":
            p.add_argument("--rows", type=int, required=True)
    args = parser.parse_args()
    handler = {"generate": generate, "scipy": scipy_bench, "evidently": evidently_bench}[args.command]
    json.dump(handler(args), sys.stdout)


if __name__ == "__main__":
    main()
