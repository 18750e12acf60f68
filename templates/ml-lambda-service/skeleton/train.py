"""Train the ${{ values.name }} model with scikit-learn and save it for the Lambda handler.

Usage:
    python train.py [--data PATH_OR_URL] [--output-dir DIR] [--C 1.0] [--max_iter 1000]

The columns, the label and the default data come from model_config.json. The
model is written to <output-dir>/model.joblib together with metrics.json; the
last line printed is the result line the mlops backend reads
("mlops-result: {...}").
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import random
import sys
import time
import urllib.request
from pathlib import Path

import joblib
import numpy as np
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.metrics import accuracy_score, mean_absolute_error, r2_score, roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

PROJECT_DIR = Path(__file__).resolve().parent
CONFIG_PATH = PROJECT_DIR / "model_config.json"
TRUE_VALUES = {"true", "1", "yes", "y", "t"}
FALSE_VALUES = {"false", "0", "no", "n", "f"}


def load_config(path: Path = CONFIG_PATH) -> dict:
    with open(path, encoding="utf-8") as f:
        config = json.load(f)
    target = config.get("target")
    names = [c["name"] for c in config["columns"]]
    if not target or target not in names:
        raise SystemExit(
            f"model_config.json: the label column {target!r} is not one of the columns {names}; "
            "give the dataset a schema.target"
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


def parse_bool(value, column: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in TRUE_VALUES:
        return True
    if text in FALSE_VALUES:
        return False
    raise ValueError(f"{column}: {value!r} is not a boolean")


def read_rows(source: str, data_format: str) -> list[dict]:
    """Rows of a CSV or JSON-lines file, from a local path or an http(s) URL."""
    if source.startswith(("http://", "https://")):
        with urllib.request.urlopen(source, timeout=60) as response:  # noqa: S310 - http(s) only
            text = response.read().decode("utf-8")
    else:
        text = Path(source).read_text(encoding="utf-8")
    if data_format == "jsonl":
        return [json.loads(line) for line in text.splitlines() if line.strip()]
    if data_format == "csv":
        return list(csv.DictReader(io.StringIO(text)))
    raise SystemExit(f"{source}: the {data_format} format is not supported by train.py (use csv or jsonl)")


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


def training_rows(config: dict, data: str | None) -> tuple[list[dict], str]:
    source = data or config["data"]["location"]
    local = PROJECT_DIR / source if not os.path.isabs(source) else Path(source)
    if source.startswith(("http://", "https://")):
        return read_rows(source, config["data"]["format"]), source
    if local.is_file():
        return read_rows(str(local), config["data"]["format"]), str(local)
    if data:
        raise SystemExit(f"--data {data}: no such file")
    print(
        f"train.py: the dataset location {source!r} cannot be read from here; training on a generated "
        "sample with the dataset's columns instead (pass --data PATH_OR_URL for the real data)",
        file=sys.stderr,
    )
    return generated_sample(config), "generated-sample"


def to_matrix(rows: list[dict], config: dict):
    """Typed columns for the pipeline: floats, strings and 0/1 booleans, in a fixed column order."""
    columns = feature_columns(config)
    features = []
    for index, row in enumerate(rows):
        record = []
        for name in columns["numerical"]:
            try:
                record.append(float(row[name]))
            except (KeyError, TypeError, ValueError) as error:
                raise ValueError(f"row {index}: {name}: {error}") from error
        for name in columns["categorical"]:
            record.append(str(row[name]))
        for name in columns["boolean"]:
            try:
                record.append(1.0 if parse_bool(row[name], name) else 0.0)
            except (KeyError, ValueError) as error:
                raise ValueError(f"row {index}: {name}: {error}") from error
        features.append(record)
    return np.array(features, dtype=object)


def typed_inputs(row: dict, config: dict) -> dict:
    """The model inputs of a data row, typed as a request carries them (numbers, strings, booleans)."""
    columns = feature_columns(config)
    typed: dict = {name: float(row[name]) for name in columns["numerical"]}
    typed.update({name: str(row[name]) for name in columns["categorical"]})
    typed.update({name: parse_bool(row[name], name) for name in columns["boolean"]})
    return typed


def build_pipeline(config: dict, task: str, C: float, max_iter: int) -> Pipeline:
    columns = feature_columns(config)
    n_num, n_cat, n_bool = (len(columns[k]) for k in ("numerical", "categorical", "boolean"))
    transformers = []
    if n_num:
        transformers.append(("numerical", StandardScaler(), list(range(n_num))))
    if n_cat:
        transformers.append(
            ("categorical", OneHotEncoder(handle_unknown="ignore"), list(range(n_num, n_num + n_cat)))
        )
    if n_bool:
        transformers.append(("boolean", "passthrough", list(range(n_num + n_cat, n_num + n_cat + n_bool))))
    estimator = (
        LogisticRegression(C=C, max_iter=max_iter, class_weight="balanced")
        if task == "classification"
        else Ridge(alpha=1.0 / C)
    )
    return Pipeline([("features", ColumnTransformer(transformers)), ("model", estimator)])


def train(config: dict, rows: list[dict], C: float = 1.0, max_iter: int = 1000, seed: int = 42) -> dict:
    task = config["task"]
    X = to_matrix(rows, config)
    if task == "classification":
        y = np.array([parse_bool(r[config["target"]], config["target"]) for r in rows], dtype=int)
        stratify = y if min(np.bincount(y, minlength=2)) >= 2 else None
    else:
        y = np.array([float(r[config["target"]]) for r in rows])
        stratify = None
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, random_state=seed, stratify=stratify
    )
    pipeline = build_pipeline(config, task, C, max_iter)
    pipeline.fit(X_train, y_train)
    if task == "classification":
        metrics = {"accuracy": float(accuracy_score(y_test, pipeline.predict(X_test)))}
        if len(set(y_test)) == 2:
            metrics["roc_auc"] = float(roc_auc_score(y_test, pipeline.predict_proba(X_test)[:, 1]))
    else:
        predicted = pipeline.predict(X_test)
        metrics = {
            "mae": float(mean_absolute_error(y_test, predicted)),
            "r2": float(r2_score(y_test, predicted)),
        }
    return {"pipeline": pipeline, "metrics": metrics, "rows": len(rows)}


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", help="training data: a local path or an http(s) URL (default: model_config.json)")
    parser.add_argument(
        "--output-dir",
        default=os.environ.get("MLOPS_OUTPUT_DIR", str(PROJECT_DIR / "model")),
        help="where model.joblib and metrics.json go (default: $MLOPS_OUTPUT_DIR, else ./model)",
    )
    parser.add_argument("--C", type=float, default=1.0, help="inverse regularisation strength")
    parser.add_argument("--max_iter", type=int, default=1000, help="solver iterations (classification)")
    args = parser.parse_args(argv)
    if args.C <= 0:
        parser.error("--C must be positive")

    config = load_config()
    rows, source = training_rows(config, args.data)
    result = train(config, rows, C=args.C, max_iter=args.max_iter)
    output = Path(args.output_dir)
    output.mkdir(parents=True, exist_ok=True)
    version = time.strftime("%Y%m%d%H%M%S", time.gmtime())
    joblib.dump(
        {
            "pipeline": result["pipeline"],
            "config": config,
            "columns": feature_columns(config),
            "version": version,
            "metrics": result["metrics"],
        },
        output / "model.joblib",
    )
    summary = {"metrics": result["metrics"], "rows": result["rows"], "data": source, "version": version}
    (output / "metrics.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    # A request that this model answers, for `sam local invoke -e` and for the tests.
    example = {"instances": [typed_inputs(row, config) for row in rows[:2]]}
    (output / "example_request.json").write_text(json.dumps(example, indent=2) + "\n", encoding="utf-8")
    print(f"trained on {result['rows']} rows from {source}; model in {output / 'model.joblib'}")
    print("mlops-result: " + json.dumps({"metrics": result["metrics"]}))
    return summary


if __name__ == "__main__":
    main()
