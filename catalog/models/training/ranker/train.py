"""search-ranker: re-ranks the top 100 search results by expected purchase.

Learns to rank from search-click-logs joined with product-catalog-snapshot
(seeded synthetic stand-ins with the datasets' columns, as the real ones live
in S3). Features per (query, product): word overlap of query and title or
description, category match, price, stock. Clicks are graded by --label_gain.
Trains a LambdaMART ranker when lightgbm is installed (--objective lambdarank),
else scikit-learn gradient boosting on the graded labels (pointwise), and
reports NDCG@10 and MRR of held-out queries, against the shown order as the baseline.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.metrics import ndcg_score

import synth_training as st


def features(logs: pd.DataFrame, catalog: pd.DataFrame) -> pd.DataFrame:
    joined = logs.merge(catalog, on="product_id", how="left")
    query_words = joined["query_text"].str.lower().str.split()
    title = joined["title"].str.lower()
    description = joined["description"].str.lower()
    return pd.DataFrame(
        {
            "title_overlap": [sum(w in t for w in q) for q, t in zip(query_words, title)],
            "description_overlap": [sum(w in d for w in q) for q, d in zip(query_words, description)],
            "log_price": np.log1p(joined["price"].astype(float)),
            "in_stock": joined["in_stock"].astype(float),
            "mobile": (joined["device"] != "desktop").astype(float),
        }
    )


def ndcg_at_10(groups: np.ndarray, y: np.ndarray, scores: np.ndarray) -> float:
    values = []
    for group in np.unique(groups):
        rows = groups == group
        if y[rows].max() > 0:
            values.append(ndcg_score([y[rows]], [scores[rows]], k=10))
    return float(np.mean(values))


def mrr(groups: np.ndarray, y: np.ndarray, scores: np.ndarray) -> float:
    """Mean reciprocal rank of the first relevant product of each query."""
    values = []
    for group in np.unique(groups):
        rows = groups == group
        if y[rows].max() > 0:
            order = np.argsort(-scores[rows], kind="stable")
            values.append(1.0 / (1 + int(np.argmax(y[rows][order] > 0))))
    return float(np.mean(values))


def main() -> None:
    p = st.parser(__doc__)
    p.add_argument("--objective", default="lambdarank", choices=["lambdarank", "pointwise"])
    p.add_argument("--num_leaves", type=int, default=127)
    p.add_argument("--label_gain", default="0,1,3,7", help="comma-separated gains of the relevance grades")
    args = p.parse_args()
    rng = np.random.default_rng(args.seed)
    try:
        gains = [float(g) for g in args.label_gain.split(",")]
    except ValueError:
        st.fail(f"--label_gain must be comma-separated numbers, got {args.label_gain!r}")

    catalog = st.products(rng)
    logs = st.click_logs(catalog, rng)
    st.log(f"{len(logs)} impressions of {logs['query_id'].nunique()} queries over {len(catalog)} products (synthetic)")
    X = features(logs, catalog)
    # Grades: not clicked 0, clicked 1, clicked and in stock 2, clicked in stock on the first page 3.
    grade = logs["clicked"].astype(int) * (1 + X["in_stock"].astype(int) + (logs["position"] <= 3).astype(int))
    grade = grade.clip(upper=len(gains) - 1).to_numpy()
    relevance = np.array(gains)[grade]
    groups = logs["query_id"].to_numpy()
    queries = np.unique(groups)
    test_queries = set(rng.choice(queries, size=len(queries) // 4, replace=False))
    test = np.array([g in test_queries for g in groups])

    library = None
    if args.objective == "lambdarank":
        try:
            import lightgbm  # type: ignore

            model = lightgbm.LGBMRanker(
                objective="lambdarank", num_leaves=args.num_leaves, label_gain=gains, random_state=args.seed, verbose=-1
            )
            train_groups = pd.Series(groups[~test]).groupby(groups[~test], sort=False).size().to_numpy()
            model.fit(X[~test], grade[~test], group=train_groups)
            library = f"lightgbm {lightgbm.__version__} (lambdarank)"
        except ImportError:
            st.log("lightgbm is not installed here; training a pointwise scikit-learn ranker instead")
    if library is None:
        import sklearn

        model = HistGradientBoostingRegressor(max_leaf_nodes=args.num_leaves, max_iter=200, random_state=args.seed)
        model.fit(X[~test], relevance[~test])
        library = f"scikit-learn {sklearn.__version__} (pointwise)"
    scores = model.predict(X[test])
    shown_order = -logs["position"].to_numpy()[test].astype(float)
    metrics = {
        "ndcg_at_10": ndcg_at_10(groups[test], relevance[test], scores),
        "ndcg_at_10_shown_order": ndcg_at_10(groups[test], relevance[test], shown_order),
        "mrr": mrr(groups[test], relevance[test], scores),
    }
    st.finish(args, model, metrics, {"library": library, "features": list(X.columns), "label_gain": gains})


if __name__ == "__main__":
    main()
