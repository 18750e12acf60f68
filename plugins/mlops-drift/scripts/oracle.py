"""Reference oracle for @synth/plugin-mlops-drift.

Reads one JSON document on stdin, {"cases": [{"id": ..., "op": ..., ...}]},
computes every case with scipy (and Evidently 0.7.x for the `evidently_*`
ops) and writes {"versions": {...}, "results": [{"id": ..., ...}]} on stdout.

Run it with the project venv: `.venvs/drift/bin/python scripts/oracle.py`
(requirements/drift.txt). Numeric arrays may contain null, "NaN",
"Infinity" and "-Infinity" for values JSON cannot spell.
"""

import json
import math
import sys
import warnings

import numpy as np
import pandas as pd
import scipy
from scipy import special, stats
from scipy.spatial import distance

warnings.filterwarnings("ignore")

EVIDENTLY_NAMES = {
    "K-S p_value": "ks",
    "chi-square p_value": "chisquare",
    "Z-test p_value": "z",
    "Wasserstein distance (normed)": "wasserstein",
    "Jensen-Shannon distance": "jensenshannon",
    "PSI": "psi",
    "Kullback-Leibler divergence": "kl_div",
    "Hellinger distance": "hellinger",
}


def num(value):
    if value is None:
        return math.nan
    if isinstance(value, str):
        return {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}[value]
    return float(value)


def out(value):
    """A float for JSON: +-inf as strings, NaN as null."""
    value = float(value)
    if math.isnan(value):
        return None
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return value


def series(values, dtype):
    if dtype == "float":
        return pd.Series([num(v) for v in values], dtype="float64")
    if dtype == "int":
        return pd.Series([int(v) for v in values], dtype="int64")
    if dtype == "bool":
        return pd.Series([None if v is None else bool(v) for v in values], dtype="object")
    return pd.Series([None if v is None else v for v in values], dtype="object")


def clean(s):
    """What Evidently's get_one_column_drift does before testing a column."""
    return s.replace([-np.inf, np.inf], np.nan).dropna()


def op_ks_2samp(case):
    a = np.array([num(v) for v in case["a"]])
    b = np.array([num(v) for v in case["b"]])
    res = stats.ks_2samp(a, b)
    exact = max(len(a), len(b)) <= 10000
    return {"statistic": out(res.statistic), "pvalue": out(res.pvalue), "exact": exact}


def op_kstwo_sf(case):
    return {"p": out(stats.kstwo.sf(case["d"], case["n"]))}


def op_smirnov(case):
    return {"p": out(special.smirnov(case["n"], case["x"]))}


def op_chisquare(case):
    f_obs = np.array(case["f_obs"], dtype=float)
    if case.get("f_exp") is None:
        res = stats.chisquare(f_obs)
    else:
        with np.errstate(divide="ignore", invalid="ignore"):
            res = stats.chisquare(f_obs, np.array(case["f_exp"], dtype=float))
    return {"statistic": out(res.statistic), "pvalue": out(res.pvalue)}


def op_chi2_sf(case):
    return {"p": out(stats.chi2.sf(case["x"], case["df"]))}


def op_ndtr(case):
    return {"p": out(special.ndtr(case["x"]))}


def op_wasserstein(case):
    return {
        "w": out(
            stats.wasserstein_distance(
                [num(v) for v in case["u"]],
                [num(v) for v in case["v"]],
                case.get("u_w"),
                case.get("v_w"),
            )
        )
    }


def op_jensenshannon(case):
    return {"d": out(distance.jensenshannon(case["p"], case["q"], case.get("base")))}


def op_evidently_stattest(case):
    from evidently.legacy.calculations.stattests import registry
    from evidently.legacy.core import ColumnType

    feature_type = ColumnType.Numerical if case["feature_type"] == "num" else ColumnType.Categorical
    ref = clean(series(case["ref"], case["dtype"]))
    cur = clean(series(case["cur"], case["dtype"]))
    # the registry refuses chisquare/z for numerical columns; Evidently's
    # default selection calls them directly, so do the same
    test = registry._registered_stat_tests[case["method"]]
    test = test.get(feature_type) or next(iter(test.values()))
    res = test(ref, cur, feature_type, case.get("threshold"))
    return {
        "score": out(res.drift_score),
        "drifted": bool(res.drifted),
        "threshold": out(res.actual_threshold),
    }


def op_evidently_default(case):
    from evidently.legacy.calculations.stattests.registry import _get_default_stattest
    from evidently.legacy.core import ColumnType

    feature_type = ColumnType.Numerical if case["feature_type"] == "num" else ColumnType.Categorical
    ref = clean(series(case["ref"], case["dtype"]))
    cur = clean(series(case["cur"], case["dtype"]))
    return {"method": _get_default_stattest(ref, cur, feature_type).name}


def op_evidently_preset(case):
    from evidently import DataDefinition, Dataset, Report
    from evidently.presets import DataDriftPreset

    def frame(columns):
        data = {}
        for name, spec in columns.items():
            data[name] = series(spec["values"], spec["dtype"])
        return pd.DataFrame(data)

    ref = frame(case["reference"])
    cur = frame(case["current"])
    dd = DataDefinition(
        numerical_columns=case.get("numerical", []),
        categorical_columns=case.get("categorical", []),
    )
    report = Report([DataDriftPreset(**case.get("options", {}))], include_tests=True)
    snapshot = report.run(
        Dataset.from_pandas(cur, data_definition=dd),
        Dataset.from_pandas(ref, data_definition=dd),
    )
    result = snapshot.dict()
    columns = {}
    share = None
    count = None
    for metric in result["metrics"]:
        config = metric["config"]
        if config["type"].endswith("DriftedColumnsCount"):
            share = metric["value"]["share"]
            count = metric["value"]["count"]
        elif config["type"].endswith("ValueDrift"):
            columns[config["column"]] = {
                # auto-selected methods carry the display name, explicit ones the name
                "method": EVIDENTLY_NAMES.get(config["method"], config["method"]),
                "score": out(metric["value"]),
                "threshold": config["threshold"],
            }
    for test in result["tests"]:
        name = test["name"]
        if name.startswith("Value Drift for column "):
            column = name[len("Value Drift for column "):]
            columns[column]["drifted"] = test["status"] == "FAIL"
    drift_share = case.get("options", {}).get("drift_share", 0.5)
    return {
        "columns": columns,
        "share": share,
        "drifted_count": count,
        "dataset_drift": bool(share >= drift_share),
    }


OPS = {
    "ks_2samp": op_ks_2samp,
    "kstwo_sf": op_kstwo_sf,
    "smirnov": op_smirnov,
    "chisquare": op_chisquare,
    "chi2_sf": op_chi2_sf,
    "ndtr": op_ndtr,
    "wasserstein": op_wasserstein,
    "jensenshannon": op_jensenshannon,
    "evidently_stattest": op_evidently_stattest,
    "evidently_default": op_evidently_default,
    "evidently_preset": op_evidently_preset,
}


def versions():
    info = {"python": sys.version.split()[0], "numpy": np.__version__, "scipy": scipy.__version__, "pandas": pd.__version__}
    try:
        import evidently

        info["evidently"] = evidently.__version__
    except ImportError:
        pass
    return info


def main():
    request = json.load(sys.stdin)
    results = []
    for case in request["cases"]:
        op = OPS.get(case["op"])
        if op is None:
            raise SystemExit(f"unknown op {case['op']!r} in case {case.get('id')!r}")
        result = op(case)
        result["id"] = case["id"]
        results.append(result)
    json.dump({"versions": versions(), "results": results}, sys.stdout, allow_nan=False)


if __name__ == "__main__":
    main()
