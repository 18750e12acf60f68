"""product-embedding-encoder: embeds product titles and queries in one vector space.

A small, CPU-only stand-in of the sentence-transformers fine-tune: TF-IDF of
word and character n-grams over product titles and descriptions, reduced with
truncated SVD to a dense embedding (iterations per --epochs), products embedded
in batches of --batch_size. Trained on product-catalog-snapshot and evaluated
on the clicks of search-click-logs (seeded synthetic stand-ins with the
datasets' columns): recall@10, recall@100 and MRR of the clicked product among all
products, for held-out queries.
"""

from __future__ import annotations

import numpy as np
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import make_pipeline, make_union
from sklearn.preprocessing import Normalizer

import synth_training as st


def main() -> None:
    p = st.parser(__doc__)
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--batch_size", type=int, default=256)
    p.add_argument("--dimensions", type=int, default=64)
    args = p.parse_args()
    rng = np.random.default_rng(args.seed)

    catalog = st.products(rng)
    clicks = st.click_logs(catalog, rng)
    clicks = clicks[clicks["clicked"]]
    st.log(f"{len(catalog)} products, {len(clicks)} clicked (query, product) pairs (synthetic)")
    texts = (catalog["title"] + ". " + catalog["description"]).tolist()
    encoder = make_pipeline(
        make_union(
            TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True),
            TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 4), sublinear_tf=True),
        ),
        TruncatedSVD(n_components=args.dimensions, n_iter=max(1, args.epochs) * 2, random_state=args.seed),
        Normalizer(),
    )
    encoder.fit(texts)
    embeddings = np.vstack(
        [encoder.transform(texts[start : start + args.batch_size]) for start in range(0, len(texts), args.batch_size)]
    )
    held_out = clicks.sample(frac=0.3, random_state=args.seed)
    queries = encoder.transform(held_out["query_text"].tolist())
    similarity = queries @ embeddings.T
    index = {pid: i for i, pid in enumerate(catalog["product_id"])}
    target = np.array([index[pid] for pid in held_out["product_id"]])
    ranks = (similarity > similarity[np.arange(len(target)), target][:, None]).sum(axis=1) + 1
    metrics = {
        "recall_at_10": float((ranks <= 10).mean()),
        "recall_at_100": float((ranks <= 100).mean()),
        "mrr": float((1.0 / ranks).mean()),
        "dimensions": float(args.dimensions),
    }
    st.finish(args, encoder, metrics, {"library": "scikit-learn", "stand_in_for": "sentence-transformers"})


if __name__ == "__main__":
    main()
