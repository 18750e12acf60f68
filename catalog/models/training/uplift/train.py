"""retention-offer-ranker: orders retention offers by the expected reduction in churn.

An uplift model over churn-training-snapshots (./data/churn-training-snapshots.csv)
and order features (customer-orders-history; a seeded synthetic stand-in). The
offer campaign is simulated: each subscriber is randomly offered one of
discount, upgrade or pause (or nothing), and the retention effect of an offer
depends on contract type, charges and tenure. A meta-learner (--learner:
s-, t- or x-learner over scikit-learn gradient boosting) estimates the uplift
of each offer; reported are the mean true uplift of the recommended offers and
the gain over a random offer on a held-out 30%.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split

import synth_training as st
from uplift.learners import MetaLearner

OFFERS = ["discount", "upgrade", "pause"]


def true_uplift(X: pd.DataFrame, offer: str) -> np.ndarray:
    month_to_month = X["month_to_month"].to_numpy()
    charges = X["monthly_charges"].to_numpy()
    tenure = X["tenure_months"].to_numpy()
    if offer == "discount":
        return 0.05 + 0.12 * (charges > 70) * month_to_month
    if offer == "upgrade":
        return 0.02 + 0.10 * (tenure > 24)
    return 0.01 + 0.08 * (tenure < 12) * month_to_month


def main() -> None:
    p = st.parser(__doc__)
    p.add_argument("--data", help="a CSV with the churn-training-snapshots columns")
    p.add_argument("--learner", default="t-learner", choices=["s-learner", "t-learner", "x-learner"])
    args = p.parse_args()
    rng = np.random.default_rng(args.seed)

    customers, source = st.read_csv("churn-training-snapshots.csv", args.data)
    history = st.orders(list(customers["customer_id"]), rng)
    per_customer = history.groupby("customer_id")["order_value"].agg(["count", "mean"])
    X = pd.DataFrame(
        {
            "tenure_months": customers["tenure_months"].astype(float),
            "monthly_charges": customers["monthly_charges"].astype(float),
            "month_to_month": (customers["contract_type"] == "month-to-month").astype(float),
            "orders_count_365d": customers["customer_id"].map(per_customer["count"]).fillna(0).to_numpy(dtype=float),
            "avg_order_value_365d": customers["customer_id"].map(per_customer["mean"]).fillna(0).to_numpy(dtype=float),
        }
    )
    # Simulated campaign: the offer is random, retention = not churned after the offer.
    offer = rng.choice(["none", *OFFERS], size=len(X))
    base_retention = 1 - st.as_bool(customers["churned"]).astype(float)
    effect = np.zeros(len(X))
    for name in OFFERS:
        effect += np.where(offer == name, true_uplift(X, name), 0.0)
    retained = (rng.random(len(X)) < np.clip(0.85 * base_retention + 0.1 + effect, 0, 1)).astype(int)
    st.log(f"{len(X)} subscribers from {source}; simulated offers {dict(pd.Series(offer).value_counts())}")

    train, test = train_test_split(np.arange(len(X)), test_size=0.3, random_state=args.seed)
    estimates = {}
    models = {}
    for name in OFFERS:
        rows = train[(offer[train] == name) | (offer[train] == "none")]
        learner = MetaLearner(args.learner, args.seed)
        learner.fit(X.iloc[rows], (offer[rows] == name).astype(int), retained[rows])
        models[name] = learner
        estimates[name] = learner.uplift(X.iloc[test])
    chosen = np.array(OFFERS)[np.argmax(np.column_stack([estimates[n] for n in OFFERS]), axis=1)]
    truth = np.column_stack([true_uplift(X.iloc[test], n) for n in OFFERS])
    recommended = truth[np.arange(len(test)), [OFFERS.index(c) for c in chosen]]
    metrics = {
        "mean_uplift_recommended": float(recommended.mean()),
        "gain_over_random_offer": float(recommended.mean() - truth.mean()),
        "best_offer_accuracy": float((recommended == truth.max(axis=1)).mean()),
    }
    st.finish(
        args,
        {"offers": models, "features": list(X.columns)},
        metrics,
        {"library": "scikit-learn", "data": source, "learner": args.learner},
    )


if __name__ == "__main__":
    main()
