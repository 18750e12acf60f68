"""Train the ${{ values.name }} model with Ray Data and Ray Train.

Usage (on a Ray cluster: RAY_ADDRESS, or `ray job submit --runtime-env runtime_env.yaml -- python train.py`):
    python train.py [--data PATH_OR_URL] [--output-dir DIR] [--epochs 20] [--alpha 0.0001]

Ray Data reads the data and learns the preprocessing (means, deviations and
categories) over the whole dataset; a Ray Train worker fits a linear model
(scikit-learn SGD) over its shard, epoch by epoch, and reports metrics and a
checkpoint. The model is written to <output-dir>/model.joblib with
metrics.json; the last line printed is the result line the mlops backend
reads ("mlops-result: {...}").
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
import ray
import ray.data
import ray.train
from ray.train import Checkpoint, DataConfig, RunConfig, ScalingConfig
from ray.train.v2.api.data_parallel_trainer import DataParallelTrainer
from sklearn.linear_model import SGDClassifier, SGDRegressor
from sklearn.metrics import accuracy_score, mean_absolute_error, r2_score, roc_auc_score

PROJECT_DIR = Path(__file__).resolve().parent
CONFIG_PATH = PROJECT_DIR / "model_config.json"
TRUE_VALUES = {"true", "1", "yes", "y", "t"}


def load_config(path: Path = CONFIG_PATH) -> dict:
    with open(path, encoding="utf-8") as f:
        config = json.load(f)
    names = [c["name"] for c in config["columns"]]
    if not config.get("target") or config["target"] not in names:
        raise SystemExit(
            f"model_config.json: the label column {config.get('target')!r} is not one of the columns {names}"
        )
    return config


def feature_columns(config: dict) -> dict[str, list[str]]:
    """The model inputs by type: every numerical, categorical and boolean column but the label."""
    by_type: dict[str, list[str]] = {"numerical": [], "categorical": [], "boolean": []}
    for column in config["columns"]:
        if column["name"] != config["target"] and column["type"] in by_type:
            by_type[column["type"]].append(column["name"])
    if not any(by_type.values()):
        raise SystemExit("model_config.json: no numerical, categorical or boolean input column")
    return by_type


def as_bool(values) -> np.ndarray:
    return np.array([str(v).strip().lower() in TRUE_VALUES for v in values], dtype=np.float64)


def generated_sample(config: dict, rows: int = 400, seed: int = 7) -> list[dict]:
    """A reproducible sample with the dataset's columns, whose label depends on the inputs."""
    rng = random.Random(seed)  # noqa: S311 - a reproducible sample, not a secret
    columns = feature_columns(config)
    target_type = next(c["type"] for c in config["columns"] if c["name"] == config["target"])
    sample = []
    for _ in range(rows):
        row: dict = {}
        score = 0.0
        for name in columns["numerical"]:
            row[name] = round(rng.gauss(0, 1), 4)
            score += row[name]
        for name in columns["categorical"]:
            row[name] = rng.choice(["a", "b", "c"])
            score += {"a": -0.5, "b": 0.0, "c": 0.5}[row[name]]
        for name in columns["boolean"]:
            row[name] = rng.random() < 0.5
            score += 0.5 if row[name] else -0.5
        noisy = score + rng.gauss(0, 0.5)
        row[config["target"]] = round(noisy, 4) if target_type == "numerical" else noisy > 0
        sample.append(row)
    return sample


def read_dataset(config: dict, data: str | None) -> tuple[ray.data.Dataset, str]:
    """The training data as a Ray Dataset: --data, else the configured location, else a generated sample."""
    source = data or config["data"]["location"]
    data_format = config["data"]["format"]
    remote = "://" in source
    local = Path(source) if os.path.isabs(source) else PROJECT_DIR / source
    if not remote and not local.exists():
        if data:
            raise SystemExit(f"--data {data}: no such file")
        print(
            f"train.py: the dataset location {source!r} cannot be read from here; training on a generated "
            "sample with the dataset's columns instead (pass --data PATH_OR_URL for the real data)",
            file=sys.stderr,
        )
        return ray.data.from_items(generated_sample(config)), "generated-sample"
    path = source if remote else str(local.resolve())
    if data_format == "csv":
        return ray.data.read_csv(path), path
    if data_format == "parquet":
        return ray.data.read_parquet(path), path
    if data_format == "jsonl":
        return ray.data.read_json(path, lines=True), path
    raise SystemExit(f"{source}: unsupported format {data_format}")


def batch_statistics(frame: pd.DataFrame, columns: dict[str, list[str]]) -> pd.DataFrame:
    """Partial statistics of one batch: row count, sums and squares per number, categories seen."""
    stats = {"rows": len(frame), "numerical": {}, "categorical": {}}
    for name in columns["numerical"]:
        values = pd.to_numeric(frame[name], errors="raise").to_numpy(dtype=np.float64)
        stats["numerical"][name] = [float(values.sum()), float((values**2).sum())]
    for name in columns["categorical"]:
        stats["categorical"][name] = sorted({str(v) for v in frame[name]})
    return pd.DataFrame({"stats": [json.dumps(stats)]})


def fit_preprocessing(ds: ray.data.Dataset, config: dict) -> dict:
    """Means, deviations and categories over the whole dataset: one distributed pass, combined here."""
    columns = feature_columns(config)
    partials = [
        json.loads(row["stats"])
        for row in ds.map_batches(batch_statistics, fn_kwargs={"columns": columns}, batch_format="pandas").take_all()
    ]
    rows = sum(p["rows"] for p in partials)
    if rows < 20:
        raise SystemExit(f"the training data has {rows} rows; at least 20 are needed")
    numerical = {}
    for name in columns["numerical"]:
        total = sum(p["numerical"][name][0] for p in partials)
        squares = sum(p["numerical"][name][1] for p in partials)
        mean = total / rows
        std = max(squares / rows - mean**2, 0.0) ** 0.5
        numerical[name] = {"mean": mean, "std": std or 1.0}
    categories = {
        name: sorted({c for p in partials for c in p["categorical"][name]}) for name in columns["categorical"]
    }
    return {"columns": columns, "numerical": numerical, "categories": categories}


def split_batch(frame: pd.DataFrame, validation: bool) -> pd.DataFrame:
    """A stable split by row content: about a quarter of the rows validate, whatever the row order."""
    in_validation = pd.util.hash_pandas_object(frame, index=False).to_numpy() % 4 == 0
    return frame[in_validation == validation]


def transform(frame: pd.DataFrame, preprocessing: dict) -> np.ndarray:
    """Model inputs of a batch: standardised numbers, one-hot categories, 0/1 booleans."""
    columns = preprocessing["columns"]
    parts = []
    for name in columns["numerical"]:
        stats = preprocessing["numerical"][name]
        values = pd.to_numeric(frame[name], errors="raise").to_numpy(dtype=np.float64)
        parts.append(((values - stats["mean"]) / stats["std"])[:, None])
    for name in columns["categorical"]:
        values = frame[name].astype(str).to_numpy()
        parts.append(np.stack([(values == c).astype(np.float64) for c in preprocessing["categories"][name]], axis=1))
    for name in columns["boolean"]:
        parts.append(as_bool(frame[name])[:, None])
    return np.concatenate(parts, axis=1)


def labels(frame: pd.DataFrame, config: dict) -> np.ndarray:
    values = frame[config["target"]]
    return as_bool(values).astype(int) if config["task"] == "classification" else values.to_numpy(np.float64)


def train_loop_per_worker(loop_config: dict) -> None:
    """Runs on each Ray Train worker: SGD epochs over the worker's shard, a report per epoch."""
    config = loop_config["config"]
    preprocessing = loop_config["preprocessing"]
    classification = config["task"] == "classification"
    model = (
        SGDClassifier(loss="log_loss", alpha=loop_config["alpha"], random_state=0)
        if classification
        else SGDRegressor(alpha=loop_config["alpha"], random_state=0)
    )
    shard = ray.train.get_dataset_shard("train")
    valid = pd.concat(ray.train.get_dataset_shard("valid").iter_batches(batch_format="pandas"), ignore_index=True)
    X_valid, y_valid = transform(valid, preprocessing), labels(valid, config)
    for epoch in range(loop_config["epochs"]):
        for batch in shard.iter_batches(batch_size=128, batch_format="pandas"):
            X, y = transform(batch, preprocessing), labels(batch, config)
            if classification:
                model.partial_fit(X, y, classes=np.array([0, 1]))
            else:
                model.partial_fit(X, y)
        metrics = evaluate(model, X_valid, y_valid, classification)
        metrics["epoch"] = epoch + 1
        with tempfile.TemporaryDirectory() as tmp:
            checkpoint = None
            if ray.train.get_context().get_world_rank() == 0:
                joblib.dump(model, Path(tmp) / "estimator.joblib")
                checkpoint = Checkpoint.from_directory(tmp)
            ray.train.report(metrics, checkpoint=checkpoint)


def evaluate(model, X, y, classification: bool) -> dict:
    if classification:
        metrics = {"accuracy": float(accuracy_score(y, model.predict(X)))}
        if len(set(y)) == 2:
            metrics["roc_auc"] = float(roc_auc_score(y, model.predict_proba(X)[:, 1]))
        return metrics
    predicted = model.predict(X)
    return {"mae": float(mean_absolute_error(y, predicted)), "r2": float(r2_score(y, predicted))}


def train(
    config: dict, ds: ray.data.Dataset, *, epochs: int = 20, alpha: float = 1e-4, storage: Path
) -> dict:
    ds = ds.materialize()
    preprocessing = fit_preprocessing(ds, config)
    train_ds = ds.map_batches(split_batch, fn_kwargs={"validation": False}, batch_format="pandas").materialize()
    valid_ds = ds.map_batches(split_batch, fn_kwargs={"validation": True}, batch_format="pandas").materialize()
    trainer = DataParallelTrainer(
        train_loop_per_worker,
        train_loop_config={"config": config, "preprocessing": preprocessing, "epochs": epochs, "alpha": alpha},
        scaling_config=ScalingConfig(num_workers=1, resources_per_worker={"CPU": 1}),
        datasets={"train": train_ds, "valid": valid_ds},
        dataset_config=DataConfig(datasets_to_split=["train"]),
        run_config=RunConfig(name="${{ values.name }}", storage_path=str(storage.resolve())),
    )
    result = trainer.fit()
    with result.checkpoint.as_directory() as directory:
        estimator = joblib.load(Path(directory) / "estimator.joblib")
    metrics = {k: v for k, v in result.metrics.items() if k != "epoch"}
    return {"estimator": estimator, "preprocessing": preprocessing, "metrics": metrics, "rows": ds.count()}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", help="training data: a local path or a URL Ray Data reads (s3://, https://)")
    parser.add_argument(
        "--output-dir",
        default=os.environ.get("MLOPS_OUTPUT_DIR", str(PROJECT_DIR / "model")),
        help="where model.joblib and metrics.json go (default: $MLOPS_OUTPUT_DIR, else ./model)",
    )
    parser.add_argument("--epochs", type=int, default=20, help="passes over the training data")
    parser.add_argument("--alpha", type=float, default=1e-4, help="L2 regularisation strength")
    return parser


def main(argv: list[str] | None = None) -> dict:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.epochs < 1 or args.alpha <= 0:
        parser.error("--epochs must be at least 1 and --alpha positive")

    config = load_config()
    ray.init(ignore_reinit_error=True)
    ds, source = read_dataset(config, args.data)
    output = Path(args.output_dir)
    output.mkdir(parents=True, exist_ok=True)
    result = train(config, ds, epochs=args.epochs, alpha=args.alpha, storage=output / "ray_results")
    version = time.strftime("%Y%m%d%H%M%S", time.gmtime())
    joblib.dump(
        {
            "estimator": result["estimator"],
            "preprocessing": result["preprocessing"],
            "config": config,
            "version": version,
            "metrics": result["metrics"],
        },
        output / "model.joblib",
    )
    summary = {"metrics": result["metrics"], "rows": result["rows"], "data": source, "version": version}
    (output / "metrics.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    # The output directory is a deployable Ray Serve working_dir: the app, its config and the model.
    for name in ("serve_app.py", "model_config.json"):
        shutil.copyfile(PROJECT_DIR / name, output / name)
    print(f"trained on {result['rows']} rows from {source}; model in {output / 'model.joblib'}")
    print("mlops-result: " + json.dumps({"metrics": result["metrics"]}))
    return summary


if __name__ == "__main__":
    main()
