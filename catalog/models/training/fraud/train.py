"""fraud-detector: scores card transactions for fraud before authorisation.

Trains gradient-boosted trees (xgboost when installed, else scikit-learn's
equivalent) on card-transactions-labeled (./data/card-transactions-labeled.csv,
the catalog's ../data/fraud-reference.csv) with an out-of-time split: the newest
--holdout-percent of the transactions by event time are held out. Reports the
average precision (PR AUC), ROC AUC and the recall at a 0.5% false-positive rate.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.metrics import average_precision_score, roc_auc_score, roc_curve

import synth_training as st

NUMERICAL = ["amount", "txn_count_1h", "distance_from_home_km"]
TARGET = "is_fraud"


def features(frame: pd.DataFrame, categories: list[str]) -> pd.DataFrame:
    X = frame[NUMERICAL].astype(float).copy()
    X["log_amount"] = np.log1p(X["amount"])
    X["card_present"] = st.as_bool(frame["card_present"]).astype(float)
    hour = pd.to_datetime(frame["event_time"], utc=True).dt.hour
    X["night"] = ((hour < 6) | (hour >= 22)).astype(float)
    for category in categories:
        X[f"merchant_{category}"] = (frame["merchant_category"] == category).astype(float)
    return X


def main() -> None:
    p = st.parser(__doc__)
    p.add_argument("--data", help="a CSV with the card-transactions-labeled columns")
    p.add_argument("--holdout-percent", type=float, default=30, help="newest share of transactions held out, in percent")
    p.add_argument("--max_depth", type=int, default=8)
    p.add_argument("--scale_pos_weight", type=float, default=25)
    args = p.parse_args()
    if not 5 <= args.holdout_percent <= 50:
        st.fail("--holdout-percent must be between 5 and 50")

    frame, source = st.read_csv("card-transactions-labeled.csv", args.data)
    frame = frame.sort_values("event_time", kind="stable").reset_index(drop=True)
    st.log(f"read {len(frame)} transactions from {source}")
    categories = sorted(frame["merchant_category"].unique())
    X = features(frame, categories)
    y = st.as_bool(frame[TARGET]).astype(int)
    cut = int(len(frame) * (1 - args.holdout_percent / 100))
    if y[:cut].sum() == 0 or y[cut:].sum() == 0:
        st.fail("both the training and the held-out transactions need fraud cases")

    estimator, library = st.gradient_boosting(
        "classification", "xgboost", {"n_estimators": 300, "max_depth": args.max_depth, "learning_rate": 0.05}, args.seed
    )
    weights = np.where(y[:cut] == 1, args.scale_pos_weight, 1.0)
    estimator.fit(X.iloc[:cut], y[:cut], sample_weight=weights)
    scores = estimator.predict_proba(X.iloc[cut:])[:, 1]
    fpr, tpr, _ = roc_curve(y[cut:], scores)
    metrics = {
        "pr_auc": average_precision_score(y[cut:], scores),
        "roc_auc": roc_auc_score(y[cut:], scores),
        "recall_at_0.5pct_fpr": float(np.interp(0.005, fpr, tpr)),
        "holdout_fraud_cases": float(y[cut:].sum()),
    }
    st.finish(args, estimator, metrics, {"library": library, "data": source, "features": list(X.columns)})


if __name__ == "__main__":
    main()
