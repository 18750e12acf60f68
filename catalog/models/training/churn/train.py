"""churn-classifier: probability that a subscriber cancels within 30 days.

Trains gradient-boosted trees (xgboost when installed, else scikit-learn's
equivalent) on churn-training-snapshots (./data/churn-training-snapshots.csv,
the catalog's ../data/churn-reference.csv) and reports ROC AUC and the recall
among the 10% highest scores on a held-out 25%.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder

import synth_training as st

NUMERICAL = ["tenure_months", "monthly_charges", "support_tickets_90d", "days_since_last_login"]
CATEGORICAL = ["contract_type"]
BOOLEAN = ["has_autopay"]
TARGET = "churned"


def recall_at(y_true: np.ndarray, scores: np.ndarray, share: float) -> float:
    top = np.argsort(-scores)[: max(1, int(len(scores) * share))]
    return float(y_true[top].sum() / max(1, y_true.sum()))


def main() -> None:
    p = st.parser(__doc__)
    p.add_argument("--data", help="a CSV with the churn-training-snapshots columns")
    p.add_argument("--n_estimators", type=int, default=400)
    p.add_argument("--max_depth", type=int, default=6)
    p.add_argument("--learning_rate", type=float, default=0.05)
    p.add_argument("--balance_classes", type=st.boolean, default=True)
    args = p.parse_args()

    frame, source = st.read_csv("churn-training-snapshots.csv", args.data)
    st.log(f"read {len(frame)} snapshots from {source}")
    X = frame[NUMERICAL + CATEGORICAL + BOOLEAN].copy()
    X[BOOLEAN[0]] = st.as_bool(X[BOOLEAN[0]]).astype(float)
    y = st.as_bool(frame[TARGET]).astype(int)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=args.seed, stratify=y)

    estimator, library = st.gradient_boosting(
        "classification",
        "xgboost",
        {"n_estimators": args.n_estimators, "max_depth": args.max_depth, "learning_rate": args.learning_rate},
        args.seed,
    )
    model = Pipeline(
        [
            (
                "prepare",
                ColumnTransformer(
                    [("contract", OneHotEncoder(handle_unknown="ignore", sparse_output=False), CATEGORICAL)],
                    remainder="passthrough",
                ),
            ),
            ("model", estimator),
        ]
    )
    weights = None
    if args.balance_classes:
        positive = y_train.mean()
        weights = np.where(y_train == 1, 0.5 / positive, 0.5 / (1 - positive))
    model.fit(X_train, y_train, model__sample_weight=weights)
    scores = model.predict_proba(X_test)[:, 1]
    metrics = {
        "roc_auc": roc_auc_score(y_test, scores),
        "recall_at_10pct": recall_at(y_test, scores, 0.10),
        "train_rows": float(len(X_train)),
    }
    st.finish(args, model, metrics, {"library": library, "data": source, "features": NUMERICAL + CATEGORICAL + BOOLEAN})


if __name__ == "__main__":
    main()
