"""customer-ltv-regressor: margin a customer generates over the next months.

Builds, per subscriber of churn-training-snapshots (./data/churn-training-snapshots.csv),
order features from the first nine months of customer-orders-history (a seeded
synthetic stand-in, as the real table lives in S3) and the order value of the
following three months as the target. Trains gradient-boosted trees with a
Tweedie objective (lightgbm when installed, else scikit-learn's equivalent with
a Poisson loss) and reports RMSE and Spearman correlation on a held-out 25%.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import spearmanr
from sklearn.metrics import mean_squared_error
from sklearn.model_selection import train_test_split

import synth_training as st

CUTOFF = pd.Timestamp("2026-07-01")


def main() -> None:
    p = st.parser(__doc__)
    p.add_argument("--data", help="a CSV with the churn-training-snapshots columns")
    p.add_argument("--objective", default="tweedie", choices=["tweedie", "regression"])
    p.add_argument("--num_leaves", type=int, default=63)
    p.add_argument("--tweedie_variance_power", type=float, default=1.5)
    args = p.parse_args()
    rng = np.random.default_rng(args.seed)

    customers, source = st.read_csv("churn-training-snapshots.csv", args.data)
    history = st.orders(list(customers["customer_id"]), rng)
    st.log(f"{len(customers)} customers from {source}, {len(history)} synthetic orders")
    past = history[history["order_date"] < CUTOFF]
    future = history[history["order_date"] >= CUTOFF]
    last_order = past.groupby("customer_id")["order_date"].max()
    table = pd.DataFrame(index=customers["customer_id"])
    table["orders_count_365d"] = past.groupby("customer_id").size()
    table["avg_order_value_365d"] = past.groupby("customer_id")["order_value"].mean()
    table["days_since_last_order"] = (CUTOFF - last_order).dt.days
    table["app_share"] = past.assign(app=past["channel"] == "app").groupby("customer_id")["app"].mean()
    table = table.fillna({"orders_count_365d": 0, "avg_order_value_365d": 0, "days_since_last_order": 400, "app_share": 0})
    snapshot = customers.set_index("customer_id")
    table["tenure_months"] = snapshot["tenure_months"]
    table["monthly_charges"] = snapshot["monthly_charges"]
    target = future.groupby("customer_id")["order_value"].sum().reindex(table.index).fillna(0.0)

    X_train, X_test, y_train, y_test = train_test_split(table, target, test_size=0.25, random_state=args.seed)
    params = {"n_estimators": 300, "num_leaves": args.num_leaves, "learning_rate": 0.05, "objective": args.objective}
    if args.objective == "tweedie":
        params["tweedie_variance_power"] = args.tweedie_variance_power
    estimator, library = st.gradient_boosting("regression", "lightgbm", params, args.seed)
    if library.startswith("scikit-learn"):
        estimator.set_params(max_leaf_nodes=args.num_leaves)
    estimator.fit(X_train, y_train)
    predicted = estimator.predict(X_test)
    metrics = {
        "rmse_eur": float(np.sqrt(mean_squared_error(y_test, predicted))),
        "spearman": float(spearmanr(y_test, predicted).statistic),
        "mean_target_eur": float(y_test.mean()),
    }
    st.finish(args, estimator, metrics, {"library": library, "data": source, "features": list(table.columns)})


if __name__ == "__main__":
    main()
