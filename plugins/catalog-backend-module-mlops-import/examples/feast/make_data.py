"""Writes the example parquet file the FileSource of features.py points at (seeded, so reproducible)."""

from pathlib import Path

import numpy as np
import pandas as pd

DATA = Path(__file__).parent / "data"
DATA.mkdir(exist_ok=True)
rng = np.random.default_rng(7)
n = 200
pd.DataFrame(
    {
        "subscriber_id": np.arange(1, n + 1),
        "event_timestamp": pd.Timestamp("2026-11-01", tz="UTC"),
        "logins_7d": rng.poisson(5, n),
        "sessions_minutes_7d": rng.gamma(2.0, 30.0, n).astype("float32"),
        "plan": rng.choice(["basic", "standard", "premium"], n),
        "tickets_30d": rng.poisson(0.4, n),
    }
).to_parquet(DATA / "subscriber_activity.parquet")
