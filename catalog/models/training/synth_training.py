"""Shared pieces of the example catalog's training jobs.

Every job is a module of this directory (the models' ``spec.training.workingDir``
is ``./training``), started as ``python -m <job>.train [--name value ...]`` by
the mlops backend: as a child process by the local executor, or as a Ray job
(the directory is uploaded as the job's working_dir). The jobs need Python 3.10+
with numpy, pandas, scipy and scikit-learn, which the project's Ray venv
(requirements/ray.txt) has.

A job prints its result as its last line, which the backend reads into the
model version: ``mlops-result: {"artifactUri": "file:///...", "metrics": {...}}``.
The model is saved in --output-dir, else $MLOPS_OUTPUT_DIR (set by the local
executor), else ./model/<MLOPS_RUN_ID> in the working directory (on Ray).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent
DATA_DIR = ROOT / "data"
RESULT_MARKER = "mlops-result:"


def boolean(value: str) -> bool:
    """A boolean parameter as the backend passes it (``--flag true``)."""
    lowered = value.strip().lower()
    if lowered in ("true", "1", "yes"):
        return True
    if lowered in ("false", "0", "no"):
        return False
    raise argparse.ArgumentTypeError(f"expected true or false, got {value!r}")


def parser(description: str) -> argparse.ArgumentParser:
    """An argument parser with the options every job accepts."""
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--output-dir", help="where to save the model (default: $MLOPS_OUTPUT_DIR, else ./model/<run id>)")
    p.add_argument("--seed", type=int, default=42, help="random seed of splits and synthetic data")
    return p


def read_csv(name: str, override: str | None) -> tuple[pd.DataFrame, str]:
    """A dataset file of ./data (copies of the catalog's sample files), or the --data file."""
    path = Path(override) if override else DATA_DIR / name
    if not path.is_file():
        raise SystemExit(f"training data {path} not found")
    return pd.read_csv(path), str(path)


def output_dir(args: argparse.Namespace) -> Path:
    """--output-dir, else $MLOPS_OUTPUT_DIR (the local executor's), else ./model/<run id>: on Ray,
    jobs of the same working directory share its unpacked copy, so each run gets its own folder."""
    run_id = os.environ.get("MLOPS_RUN_ID") or f"{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}"
    directory = Path(args.output_dir or os.environ.get("MLOPS_OUTPUT_DIR") or Path.cwd() / "model" / run_id)
    directory.mkdir(parents=True, exist_ok=True)
    return directory.resolve()


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def finish(args: argparse.Namespace, model: Any, metrics: dict[str, float], info: dict[str, Any]) -> None:
    """Saves the model, its metrics and info, and prints the result line."""
    for name, value in metrics.items():
        if not isinstance(value, (int, float)) or not math.isfinite(value):
            raise SystemExit(f"metric {name} is not a finite number: {value!r}")
    directory = output_dir(args)
    joblib.dump(model, directory / "model.joblib")
    rounded = {name: round(float(value), 6) for name, value in metrics.items()}
    with open(directory / "metrics.json", "w", encoding="utf-8") as f:
        json.dump({"metrics": rounded, **info}, f, indent=2, default=str)
    for name, value in rounded.items():
        log(f"{name} = {value}")
    result = {"artifactUri": directory.as_uri(), "metrics": rounded}
    print(f"{RESULT_MARKER} {json.dumps(result)}", flush=True)


def gradient_boosting(task: str, preferred: str, params: dict[str, Any], seed: int):
    """The preferred library's gradient-boosted trees when it is installed (on a
    cluster whose runtime env provides it), else scikit-learn's histogram-based
    gradient boosting with the equivalent settings. Returns (estimator, library)."""
    classification = task == "classification"
    if preferred == "xgboost":
        try:
            import xgboost  # type: ignore

            cls = xgboost.XGBClassifier if classification else xgboost.XGBRegressor
            return cls(random_state=seed, **params), f"xgboost {xgboost.__version__}"
        except ImportError:
            pass
    if preferred == "lightgbm":
        try:
            import lightgbm  # type: ignore

            cls = lightgbm.LGBMClassifier if classification else lightgbm.LGBMRegressor
            return cls(random_state=seed, verbose=-1, **params), f"lightgbm {lightgbm.__version__}"
        except ImportError:
            pass
    import sklearn
    from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor

    mapped = {
        "max_iter": params.get("n_estimators", 200),
        "learning_rate": params.get("learning_rate", 0.1),
        "max_depth": params.get("max_depth"),
        "max_leaf_nodes": params.get("num_leaves", 31),
        "random_state": seed,
    }
    if not classification and params.get("objective") in ("tweedie", "poisson"):
        mapped["loss"] = "poisson"
    cls = HistGradientBoostingClassifier if classification else HistGradientBoostingRegressor
    log(f"{preferred} is not installed here; training scikit-learn's {cls.__name__} instead")
    return cls(**mapped), f"scikit-learn {sklearn.__version__}"


def as_bool(series: pd.Series) -> np.ndarray:
    return series.astype(str).str.strip().str.lower().isin(["true", "1", "yes"]).to_numpy()


# --- Synthetic stand-ins for the datasets that live in object storage -------------------------
# The catalog's commerce and order-history datasets point at an S3 bucket the example cannot
# read; these seeded generators produce data with the same columns and a planted signal.

CATEGORIES = {
    "shoes": ["running", "trail", "leather", "sneaker", "boot", "sandal"],
    "kitchen": ["pan", "knife", "kettle", "blender", "mug", "skillet"],
    "outdoor": ["tent", "backpack", "lantern", "sleeping", "hammock", "stove"],
    "electronics": ["headphones", "charger", "speaker", "keyboard", "monitor", "cable"],
    "garden": ["hose", "shovel", "planter", "pruner", "seeds", "gloves"],
}
ADJECTIVES = ["lightweight", "waterproof", "compact", "durable", "premium", "classic", "wireless", "ergonomic"]


def products(rng: np.random.Generator, count: int = 400) -> pd.DataFrame:
    """product-catalog-snapshot: product_id, title, description, category, price, in_stock."""
    rows = []
    for i in range(count):
        category = list(CATEGORIES)[i % len(CATEGORIES)]
        noun = rng.choice(CATEGORIES[category])
        adjectives = rng.choice(ADJECTIVES, size=2, replace=False)
        title = f"{adjectives[0].title()} {noun} {i:03d}"
        description = (
            f"A {adjectives[0]} and {adjectives[1]} {noun} for {category} lovers. "
            f"Our {noun} is {adjectives[1]}, built to last and easy to use."
        )
        rows.append(
            {
                "product_id": f"P{i:05d}",
                "title": title,
                "description": description,
                "category": category,
                "price": round(float(rng.lognormal(3.2, 0.6)), 2),
                "in_stock": bool(rng.random() < 0.9),
            }
        )
    return pd.DataFrame(rows)


def click_logs(catalog: pd.DataFrame, rng: np.random.Generator, queries: int = 300, shown: int = 10) -> pd.DataFrame:
    """search-click-logs: one row per shown product; clicks favour products matching the query."""
    rows = []
    for q in range(queries):
        category = list(CATEGORIES)[q % len(CATEGORIES)]
        noun = rng.choice(CATEGORIES[category])
        adjective = rng.choice(ADJECTIVES)
        query = f"{adjective} {noun}"
        candidates = catalog.sample(n=shown, random_state=int(rng.integers(1 << 30)))
        # Half the shown products come from the query's category, as a retrieval stage would.
        same = catalog[catalog.category == category].sample(n=shown // 2, random_state=int(rng.integers(1 << 30)))
        candidates = pd.concat([same, candidates]).drop_duplicates("product_id").head(shown)
        candidates = candidates.sample(frac=1, random_state=int(rng.integers(1 << 30)))
        device = rng.choice(["mobile", "desktop", "app"])
        for position, product in enumerate(candidates.itertuples(), start=1):
            text = f"{product.title} {product.description}".lower()
            relevance = 2.0 * (noun in text) + 1.0 * (adjective in text) + 0.5 * (product.category == category)
            logit = -2.5 + 1.3 * relevance - 0.15 * position + (0.3 if product.in_stock else -1.0)
            rows.append(
                {
                    "query_id": f"Q{q:05d}",
                    "query_text": query,
                    "product_id": product.product_id,
                    "position": position,
                    "device": device,
                    "clicked": bool(rng.random() < 1 / (1 + math.exp(-logit))),
                    "event_time": pd.Timestamp("2026-10-01") + pd.Timedelta(minutes=int(q * 37)),
                }
            )
    return pd.DataFrame(rows)


def orders(customer_ids: list[str], rng: np.random.Generator, start: str = "2025-10-01", days: int = 365) -> pd.DataFrame:
    """customer-orders-history: order_id, customer_id, order_date, order_value, channel, is_first_order."""
    rows = []
    begin = pd.Timestamp(start)
    for index, customer in enumerate(customer_ids):
        rate = rng.gamma(2.0, 2.0)  # orders per year
        basket = rng.lognormal(3.5, 0.5)
        count = rng.poisson(rate)
        dates = sorted(begin + pd.to_timedelta(rng.integers(0, days, size=count), unit="D"))
        for n, date in enumerate(dates):
            rows.append(
                {
                    "order_id": f"O{index:05d}{n:03d}",
                    "customer_id": customer,
                    "order_date": date,
                    "order_value": round(float(basket * rng.lognormal(0, 0.3)), 2),
                    "channel": rng.choice(["web", "app", "store"], p=[0.5, 0.35, 0.15]),
                    "is_first_order": n == 0,
                }
            )
    return pd.DataFrame(
        rows, columns=["order_id", "customer_id", "order_date", "order_value", "channel", "is_first_order"]
    )


def store_sales(rng: np.random.Generator, stores: int = 6, skus: int = 8, days: int = 420) -> pd.DataFrame:
    """store-sales-daily: weekly seasonality, promotions and holidays drive units_sold."""
    dates = pd.date_range("2025-09-01", periods=days, freq="D")
    holidays = {pd.Timestamp(d) for d in ["2025-12-24", "2025-12-25", "2025-12-31", "2026-01-01", "2026-04-05", "2026-05-01", "2026-08-15"]}
    rows = []
    for store in range(stores):
        for sku in range(skus):
            base = rng.uniform(5, 40)
            weekly = rng.uniform(0.1, 0.4)
            for t, date in enumerate(dates):
                on_promotion = rng.random() < 0.1
                is_holiday = date in holidays or (date + pd.Timedelta(days=1)) in holidays
                mean = base * (1 + weekly * math.sin(2 * math.pi * date.dayofweek / 7)) * (1 + 0.0008 * t)
                mean *= 1.6 if on_promotion else 1.0
                mean *= 2.2 if is_holiday else 1.0
                rows.append(
                    {
                        "store_sku_id": f"S{store:02d}-K{sku:03d}",
                        "store_id": f"S{store:02d}",
                        "sku": f"K{sku:03d}",
                        "sale_date": date,
                        "units_sold": int(rng.poisson(mean)),
                        "on_promotion": on_promotion,
                        "is_holiday": is_holiday,
                    }
                )
    return pd.DataFrame(rows)


def fail(message: str) -> None:
    print(f"error: {message}", file=sys.stderr)
    raise SystemExit(2)
