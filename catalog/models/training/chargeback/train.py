"""chargeback-risk-scorer: probability that a settled order turns into a chargeback.

Joins card-transactions-labeled (./data/card-transactions-labeled.csv) with
each card holder's order history (customer-orders-history; a seeded synthetic
stand-in, as the real table lives in S3) and labels a transaction a chargeback
when it was fraud or, for a few non-fraud ones, disputed (seeded, likelier for
large card-not-present amounts). Trains gradient-boosted trees (lightgbm when
installed, else scikit-learn's equivalent) and reports ROC AUC and the
precision among the 5% highest scores on a held-out 25%.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split

import synth_training as st


def main() -> None:
    p = st.parser(__doc__)
    p.add_argument("--data", help="a CSV with the card-transactions-labeled columns")
    args = p.parse_args()
    rng = np.random.default_rng(args.seed)

    frame, source = st.read_csv("card-transactions-labeled.csv", args.data)
    st.log(f"read {len(frame)} transactions from {source}")
    cards = sorted(frame["card_id"].unique())
    history = st.orders(cards, rng)
    per_card = history.groupby("customer_id")["order_value"].agg(["mean", "count"])
    st.log(f"joined {len(history)} orders of {len(per_card)} card holders (synthetic order history)")

    amount = frame["amount"].astype(float)
    card_mean = frame.groupby("card_id")["amount"].transform("mean")
    card_std = frame.groupby("card_id")["amount"].transform("std").fillna(0).replace(0, amount.std())
    X = pd.DataFrame(
        {
            "txn_amount_zscore": (amount - card_mean) / card_std,
            "amount": amount,
            "card_present": st.as_bool(frame["card_present"]).astype(float),
            "avg_order_value_365d": frame["card_id"].map(per_card["mean"]).fillna(0.0).to_numpy(),
            "orders_365d": frame["card_id"].map(per_card["count"]).fillna(0).to_numpy(dtype=float),
        }
    )
    for category in sorted(frame["merchant_category"].unique()):
        X[f"merchant_{category}"] = (frame["merchant_category"] == category).astype(float)
    fraud = st.as_bool(frame["is_fraud"])
    dispute_logit = -4.0 + 0.004 * amount.to_numpy() - 1.2 * X["card_present"].to_numpy()
    disputed = rng.random(len(frame)) < 1 / (1 + np.exp(-dispute_logit))
    y = (fraud | disputed).astype(int)
    st.log(f"chargeback rate {y.mean():.3f}")

    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=args.seed, stratify=y)
    estimator, library = st.gradient_boosting(
        "classification", "lightgbm", {"n_estimators": 200, "num_leaves": 31, "learning_rate": 0.05}, args.seed
    )
    estimator.fit(X_train, y_train)
    scores = estimator.predict_proba(X_test)[:, 1]
    top = np.argsort(-scores)[: max(1, len(scores) // 20)]
    metrics = {"roc_auc": roc_auc_score(y_test, scores), "precision_at_5pct": float(y_test[top].mean())}
    st.finish(args, estimator, metrics, {"library": library, "data": source, "features": list(X.columns)})


if __name__ == "__main__":
    main()
