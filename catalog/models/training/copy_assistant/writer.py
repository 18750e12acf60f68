"""The retrieval writer of the product-copy-assistant example."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer


class RetrievalWriter:
    """Drafts a description from the nearest training product's description."""

    def __init__(self, rank: int, seed: int):
        self.vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 4))
        self.svd = TruncatedSVD(n_components=rank, random_state=seed)

    def fit(self, products: pd.DataFrame) -> "RetrievalWriter":
        self.products = products.reset_index(drop=True)
        self.embeddings = self._embed(products, fit=True)
        return self

    def _embed(self, products: pd.DataFrame, fit: bool = False) -> np.ndarray:
        text = products["category"] + " " + products["title"]
        matrix = self.vectorizer.fit_transform(text) if fit else self.vectorizer.transform(text)
        dense = self.svd.fit_transform(matrix) if fit else self.svd.transform(matrix)
        return dense / np.maximum(np.linalg.norm(dense, axis=1, keepdims=True), 1e-12)

    def draft(self, products: pd.DataFrame) -> list[str]:
        similarity = self._embed(products) @ self.embeddings.T
        drafts = []
        for row, scores in zip(products.itertuples(), similarity):
            same = (self.products["category"] == row.category).to_numpy()
            nearest = self.products.iloc[int(np.argmax(np.where(same, scores, -np.inf)))]
            text = nearest["description"]
            # Swap the neighbour's product noun and adjective for the new title's.
            old_words = nearest["title"].lower().split()[:2]
            new_words = row.title.lower().split()[:2]
            for old, new in zip(old_words, new_words):
                text = re.sub(rf"\b{re.escape(old)}\b", new, text)
            drafts.append(text)
        return drafts
