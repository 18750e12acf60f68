"""demand-forecaster: daily units per store and SKU, --horizon days ahead.

Trains a direct multi-horizon model on store-sales-daily (a seeded synthetic
stand-in with the dataset's columns, as the real table lives in S3): the lag
features (units sold --horizon and --horizon+7 days before, 28-day rolling
mean ending --horizon days before) are all known when the forecast is made.
Gradient-boosted trees (lightgbm when installed, else scikit-learn's
equivalent) are evaluated on the last --horizon days against a seasonal-naive
forecast (same weekday, the last week known).

Usage: python forecast.py --horizon 28 [--use_holidays true]
"""

from __future__ import annotations

import numpy as np
import pandas as pd

import synth_training as st


def build_features(sales: pd.DataFrame, horizon: int, use_holidays: bool) -> pd.DataFrame:
    sales = sales.sort_values(["store_sku_id", "sale_date"]).reset_index(drop=True)
    units = sales.groupby("store_sku_id")["units_sold"]
    frame = pd.DataFrame(
        {
            "units_sold_lag": units.shift(horizon),
            "units_sold_lag_week": units.shift(horizon + 7),
            "rolling_units_mean_28d": units.transform(lambda s: s.shift(horizon).rolling(28).mean()),
            "seasonal_naive": units.shift(7 * int(np.ceil(horizon / 7))),
            "day_of_week": sales["sale_date"].dt.dayofweek,
            "on_promotion": sales["on_promotion"].astype(float),
            "store": sales["store_id"].str[1:].astype(int),
        }
    )
    if use_holidays:
        frame["is_holiday"] = sales["is_holiday"].astype(float)
    frame["units_sold"] = sales["units_sold"]
    frame["sale_date"] = sales["sale_date"]
    return frame.dropna()


def wape(actual: np.ndarray, forecast: np.ndarray) -> float:
    return float(np.abs(actual - forecast).sum() / max(actual.sum(), 1))


def main() -> None:
    p = st.parser(__doc__)
    p.add_argument("--horizon", type=int, default=28)
    p.add_argument("--use_holidays", type=st.boolean, default=True)
    args = p.parse_args()
    if not 1 <= args.horizon <= 90:
        st.fail("--horizon must be between 1 and 90 days")
    rng = np.random.default_rng(args.seed)

    sales = st.store_sales(rng)
    st.log(f"{len(sales)} daily rows of {sales['store_sku_id'].nunique()} store-SKUs (synthetic)")
    table = build_features(sales, args.horizon, args.use_holidays)
    cutoff = table["sale_date"].max() - pd.Timedelta(days=args.horizon)
    train, test = table[table["sale_date"] <= cutoff], table[table["sale_date"] > cutoff]
    columns = [c for c in table.columns if c not in ("units_sold", "sale_date", "seasonal_naive")]
    estimator, library = st.gradient_boosting(
        "regression", "lightgbm", {"n_estimators": 300, "learning_rate": 0.05, "num_leaves": 31, "objective": "poisson"}, args.seed
    )
    estimator.fit(train[columns], train["units_sold"])
    forecast = np.clip(estimator.predict(test[columns]), 0, None)
    actual = test["units_sold"].to_numpy(dtype=float)
    metrics = {
        "wape": wape(actual, forecast),
        "wape_seasonal_naive": wape(actual, test["seasonal_naive"].to_numpy(dtype=float)),
        "horizon_days": float(args.horizon),
    }
    st.finish(args, estimator, metrics, {"library": library, "features": columns})


if __name__ == "__main__":
    main()
