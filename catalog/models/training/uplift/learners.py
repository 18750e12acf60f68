"""Meta-learners for uplift: the estimated effect of a treatment on a binary outcome."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor


class MetaLearner:
    """An s-, t- or x-learner over scikit-learn gradient boosting."""

    def __init__(self, kind: str, seed: int = 42):
        if kind not in ("s-learner", "t-learner", "x-learner"):
            raise ValueError(f"unknown learner {kind!r}")
        self.kind = kind
        self.seed = seed
        self.models: dict[str, object] = {}
        self.treated_share = 0.5

    def _classifier(self):
        return HistGradientBoostingClassifier(max_iter=150, learning_rate=0.05, random_state=self.seed)

    def fit(self, X: pd.DataFrame, treated: np.ndarray, y: np.ndarray) -> "MetaLearner":
        if self.kind == "s-learner":
            self.models["s"] = self._classifier().fit(X.assign(treated=treated), y)
            return self
        m1 = self._classifier().fit(X[treated == 1], y[treated == 1])
        m0 = self._classifier().fit(X[treated == 0], y[treated == 0])
        self.models.update(m1=m1, m0=m0)
        if self.kind == "x-learner":
            # Impute individual effects in each group, regress them, blend by the treated share.
            d1 = y[treated == 1] - m0.predict_proba(X[treated == 1])[:, 1]
            d0 = m1.predict_proba(X[treated == 0])[:, 1] - y[treated == 0]
            self.models["r1"] = HistGradientBoostingRegressor(max_iter=150, random_state=self.seed).fit(X[treated == 1], d1)
            self.models["r0"] = HistGradientBoostingRegressor(max_iter=150, random_state=self.seed).fit(X[treated == 0], d0)
            self.treated_share = float(treated.mean())
        return self

    def uplift(self, X: pd.DataFrame) -> np.ndarray:
        m = self.models
        if self.kind == "s-learner":
            return m["s"].predict_proba(X.assign(treated=1))[:, 1] - m["s"].predict_proba(X.assign(treated=0))[:, 1]
        if self.kind == "t-learner":
            return m["m1"].predict_proba(X)[:, 1] - m["m0"].predict_proba(X)[:, 1]
        share = self.treated_share
        return (1 - share) * m["r1"].predict(X) + share * m["r0"].predict(X)
