"""Drift report as a Ray job (the mlops plugin's Ray drift executor).

Reads the reference and current data with Ray Data, on the cluster, from the
locations in the job's spec (local paths, file:, s3://, http(s)://), tests
every column the way the mlops drift engine (@synth/plugin-mlops-drift) does
(Evidently's default selection and operators, numbers from scipy), and prints
one line

    mlops-drift-result: {json}

in the engine's report format. An error caused by the input (unreadable or
malformed source, missing, empty or mistyped column, an inapplicable method)
is printed as

    mlops-drift-error: {"message": "..."}

and the job exits with status 2.

Usage: python drift_job.py --spec <base64 of the JSON spec>

The spec: {"reference": {"url", "format", "name"}, "current": {...},
"columnTypes": {column: type} | null, "options": {...drift options}}.
"""

import argparse
import base64
import json
import math
import sys
import traceback
from urllib.parse import unquote, urlparse

import numpy as np

RESULT_MARKER = "mlops-drift-result: "
ERROR_MARKER = "mlops-drift-error: "

DEFAULT_DRIFT_SHARE = 0.5
DEFAULT_MAX_HISTOGRAM_CATEGORIES = 50
SMALL_REFERENCE_MAX_ROWS = 1000

# method -> (kind, default threshold, comparison, feature types)
METHODS = {
    "ks": ("p-value", 0.05, "<=", ("numerical",)),
    "chisquare": ("p-value", 0.05, "<", ("categorical", "numerical")),
    "z": ("p-value", 0.05, "<", ("categorical", "numerical")),
    "wasserstein": ("distance", 0.1, ">=", ("numerical",)),
    "jensenshannon": ("distance", 0.1, ">=", ("numerical", "categorical")),
    "psi": ("distance", 0.1, ">=", ("numerical", "categorical")),
    "kl_div": ("distance", 0.1, ">=", ("numerical", "categorical")),
    "hellinger": ("distance", 0.1, ">=", ("numerical", "categorical")),
}

SKIP_REASONS = {
    "text": "text columns are not tested: Evidently tests text with a domain classifier (perc/abs_text_content_drift), which this engine does not implement",
    "datetime": "datetime columns are not tested (Evidently leaves them out of data drift)",
}


class DriftInputError(Exception):
    """A problem caused by the input; its message names the column or source."""


# ------------------------------------------------------------------ reading


def ray_path(url):
    """The path or URL Ray Data reads: file: URLs become local paths."""
    parsed = urlparse(url)
    if parsed.scheme == "file":
        return unquote(parsed.path)
    return url


def read_dataset(source):
    """A (lazy) Ray Dataset of the source."""
    import ray.data

    path = ray_path(source["url"])
    fmt = source["format"]
    filesystem = None
    if urlparse(path).scheme in ("http", "https"):
        import fsspec.implementations.http
        import pyarrow.fs

        filesystem = pyarrow.fs.PyFileSystem(
            pyarrow.fs.FSSpecHandler(fsspec.implementations.http.HTTPFileSystem())
        )
    kwargs = {"filesystem": filesystem} if filesystem is not None else {}
    if fmt == "csv":
        ds = ray.data.read_csv(path, **kwargs)
    elif fmt == "parquet":
        ds = ray.data.read_parquet(path, **kwargs)
    elif fmt == "jsonl":
        ds = ray.data.read_json(path, lines=True, **kwargs)
    else:
        raise DriftInputError(f"Unknown data format '{fmt}' of {source['name']}")
    return ds


class Side:
    """One side read by Ray Data: its blocks stay in the object store."""

    def __init__(self, source, columns):
        try:
            ds = read_dataset(source)
            if columns is not None:
                names = ds.schema(fetch_if_missing=True).names
                for column in columns:
                    if column not in names:
                        raise DriftInputError(
                            f"Column '{column}' is missing from {source['name']}; it has {', '.join(names)}"
                        )
                ds = ds.select_columns(list(columns))
            ds = ds.materialize()
            self.rows = ds.count()
            schema = ds.schema()
            self.schema = schema.base_schema if schema is not None else None
            self.blocks = ds.to_arrow_refs()
        except DriftInputError:
            raise
        except Exception as error:  # noqa: BLE001 - any reader failure names the source
            raise DriftInputError(
                f"Cannot read {source['name']} as {source['format']}: {short_error(error)}"
            ) from None
        self.names = list(self.schema.names) if self.schema is not None else []


def column_table(blocks, column):
    """One column of a side, block after block (never the whole table)."""
    import pyarrow as pa
    import ray

    parts = []
    for ref in blocks:
        block = ray.get(ref)
        if column in block.column_names:
            parts.append(block.select([column]))
        del block
    if not parts:
        return pa.table({column: pa.array([], pa.null())})
    return pa.concat_tables(parts, promote_options="permissive")


def short_error(error):
    """The root cause of a (possibly Ray-wrapped) error in one line."""
    seen = set()
    while id(error) not in seen:
        seen.add(id(error))
        cause = getattr(error, "cause", None) or error.__cause__
        if not isinstance(cause, BaseException):
            break
        error = cause
    lines = [
        line.strip()
        for line in str(error).splitlines()
        if line.strip()
        and not line.startswith((" ", "\t"))
        and not line.startswith(("Traceback", "ray::", "\x1b"))
        # Ray Data's retry notes, appended to the reader's own message
        and not line.startswith(("To change retry attempts", "Failed to read stream", "Failed to apply UDF"))
    ]
    # the reader's message comes first (in a chained traceback, the root cause)
    message = lines[0] if lines else ""
    name = type(error).__name__
    if not message:
        return name
    if not message.startswith(name) and ":" not in message.split(" ")[0]:
        message = f"{name}: {message}"
    return message[:500]


# ----------------------------------------------------------- column data


def arrow_kind(arrow_type):
    import pyarrow.types as t

    if t.is_integer(arrow_type) or t.is_floating(arrow_type):
        return "number"
    if t.is_boolean(arrow_type):
        return "boolean"
    if t.is_timestamp(arrow_type) or t.is_date(arrow_type) or t.is_time(arrow_type):
        return "datetime"
    if t.is_null(arrow_type):
        return "null"
    return "other"


def tested_columns(types):
    """The columns to read: the declared ones but text and datetime (all when undeclared)."""
    if not types:
        return None
    return [c for c, t in types.items() if t not in ("text", "datetime")]


def infer_types(schema):
    types = {}
    for field in schema or []:
        kind = arrow_kind(field.type)
        types[field.name] = {
            "number": "numerical",
            "boolean": "boolean",
            "datetime": "datetime",
        }.get(kind, "categorical")
    return types


def numeric_column(table, column, source_name, declared):
    """(float64 values with NaN for missing, integer dtype flag)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    array = table.column(column).combine_chunks()
    kind = arrow_kind(array.type)
    if kind == "null":
        return np.full(len(array), np.nan), False
    if kind != "number":
        sample = next((v for v in array.to_pylist() if v is not None), None)
        raise DriftInputError(
            f"Type mismatch in column '{column}' of {source_name}: declared {declared}, but it holds {sample!r}"
        )
    integer = pa.types.is_integer(array.type) and array.null_count == 0
    values = pc.cast(array, pa.float64()).to_numpy(zero_copy_only=False)
    return values.astype(np.float64, copy=False), integer


def category_values(table, column):
    """Python values of a categorical column (None for missing)."""
    values = table.column(column).to_pylist()
    out = []
    for v in values:
        if isinstance(v, float) and not math.isfinite(v):
            out.append(None)
        elif isinstance(v, (str, bool, int, float)) or v is None:
            out.append(v)
        else:
            out.append(str(v))
    return out


def category_key(value):
    """Python's sorted() order, numbers and booleans before strings."""
    if isinstance(value, str):
        return (1, 0, value)
    if isinstance(value, bool):
        return (0, float(value), 0)
    return (0, float(value), 1)


# ----------------------------------------------------------- statistics


def sturges_edges(values):
    import numpy

    return numpy.histogram_bin_edges(values, bins="sturges")


def with_dtype(values, integer):
    return values.astype(np.int64) if integer else values


def fill_zeroes(p):
    nonzero = p[p != 0]
    if nonzero.size == 0:
        return p.copy()
    m = nonzero.min()
    fill = m / 10**6 if m <= 0.0001 else 0.0001
    out = p.copy()
    out[out == 0] = fill
    return out


def value_counts(reference, current):
    """Counts per distinct value over the union of both samples' values."""
    ref_keys, ref_n = np.unique(reference, return_counts=True)
    cur_keys, cur_n = np.unique(current, return_counts=True)
    keys = np.union1d(ref_keys, cur_keys)
    ref = np.zeros(keys.size)
    cur = np.zeros(keys.size)
    ref[np.searchsorted(keys, ref_keys)] = ref_n
    cur[np.searchsorted(keys, cur_keys)] = cur_n
    return keys.tolist(), ref, cur


def binned_numerical(reference, current, integer, fill):
    if np.unique(reference).size > 20:
        edges = sturges_edges(np.concatenate([with_dtype(reference, integer), with_dtype(current, integer)]))
        ref = np.histogram(reference, edges)[0].astype(float)
        cur = np.histogram(current, edges)[0].astype(float)
        binning = "sturges"
    else:
        _, ref, cur = value_counts(reference, current)
        binning = "values"
    ref = ref / reference.size
    cur = cur / current.size
    if fill:
        ref, cur = fill_zeroes(ref), fill_zeroes(cur)
    return ref, cur, binning


def binned_counts(ref_counts, cur_counts, fill):
    ref = ref_counts / ref_counts.sum()
    cur = cur_counts / cur_counts.sum()
    if fill:
        ref, cur = fill_zeroes(ref), fill_zeroes(cur)
    return ref, cur


def psi(ref, cur):
    return float(np.sum((ref - cur) * np.log(ref / cur)))


def hellinger_from_proportions(p, q):
    bc = float(np.sum(np.sqrt(p * q)))
    return math.sqrt(1 - min(max(bc, 0.0), 1.0))


def hellinger_numerical(reference, current, integer):
    unique = np.unique(np.concatenate([reference, current]))
    edges = sturges_edges(with_dtype(unique, integer))
    h1 = np.histogram(reference, edges, density=True)[0]
    h2 = np.histogram(current, edges, density=True)[0]
    width = (edges[-1] - edges[0]) / (len(edges) - 1)
    bc = float(np.sum(np.sqrt(h1 * h2) * width))
    return math.sqrt(1 - min(max(bc, 0.0), 1.0))


def chisquare_counts(ref_counts, cur_counts):
    from scipy import stats

    k = len(ref_counts)
    f_exp = ref_counts * (cur_counts.sum() / ref_counts.sum())
    if k == 1:
        return {"statistic": 0.0, "pValue": 1.0, "details": {"degreesOfFreedom": 0}}
    with np.errstate(divide="ignore", invalid="ignore"):
        if np.any((f_exp == 0) & (cur_counts > 0)):
            statistic = math.inf
            p = 0.0
        else:
            result = stats.chisquare(cur_counts, f_exp)
            statistic, p = float(result.statistic), float(result.pvalue)
    return {"statistic": statistic, "pValue": p, "details": {"degreesOfFreedom": k - 1}}


def z_counts(keys, ref_counts, cur_counts):
    from scipy import stats

    first = min(range(len(keys)), key=lambda k: category_key(keys[k]))
    n1, n2 = ref_counts.sum(), cur_counts.sum()
    ref_kinds = np.count_nonzero(ref_counts)
    cur_kinds = np.count_nonzero(cur_counts)
    shared = np.count_nonzero((ref_counts > 0) & (cur_counts > 0))
    if ref_kinds == 1 and cur_kinds == 1 and shared == 1:
        return {"statistic": 0.0, "pValue": 1.0, "details": {}}
    p1 = (n1 - ref_counts[first]) / n1
    p2 = (n2 - cur_counts[first]) / n2
    P = (p1 * n1 + p2 * n2) / (n1 + n2)
    z = (p1 - p2) / np.sqrt(P * (1 - P) * (1.0 / n1 + 1.0 / n2))
    p = 2 * (1 - stats.norm.cdf(abs(z)))
    return {"statistic": float(z), "pValue": float(p), "details": {}}


def score_counts(method, keys, ref_counts, cur_counts):
    from scipy.spatial import distance

    if method == "chisquare":
        return chisquare_counts(ref_counts, cur_counts)
    if method == "z":
        return z_counts(keys, ref_counts, cur_counts)
    if method == "jensenshannon":
        ref, cur = binned_counts(ref_counts, cur_counts, False)
        return {"statistic": float(distance.jensenshannon(ref, cur)), "pValue": None, "details": {"binning": "values"}}
    if method in ("psi", "kl_div"):
        from scipy import stats

        ref, cur = binned_counts(ref_counts, cur_counts, True)
        value = psi(ref, cur) if method == "psi" else float(stats.entropy(ref, cur))
        return {"statistic": value, "pValue": None, "details": {"binning": "values"}}
    if method == "hellinger":
        return {
            "statistic": hellinger_from_proportions(ref_counts / ref_counts.sum(), cur_counts / cur_counts.sum()),
            "pValue": None,
            "details": {},
        }
    raise DriftInputError(f"Method '{method}' cannot test a categorical column")


def score_numerical(method, reference, current, integer):
    from scipy import stats
    from scipy.spatial import distance

    if method == "ks":
        result = stats.ks_2samp(reference, current)
        exact = max(reference.size, current.size) <= 10000
        return {
            "statistic": float(result.statistic),
            "pValue": float(result.pvalue),
            "details": {"ksPValueMethod": "exact" if exact else "asymptotic"},
        }
    if method == "wasserstein":
        w = float(stats.wasserstein_distance(reference, current))
        std = float(np.std(reference))
        return {
            "statistic": w / max(std, 0.001),
            "pValue": None,
            "details": {"wassersteinDistance": w, "referenceStd": std},
        }
    if method in ("chisquare", "z"):
        keys, ref, cur = value_counts(reference, current)
        return score_counts(method, keys, ref, cur)
    if method == "jensenshannon":
        ref, cur, binning = binned_numerical(reference, current, integer, False)
        return {"statistic": float(distance.jensenshannon(ref, cur)), "pValue": None, "details": {"binning": binning}}
    if method in ("psi", "kl_div"):
        ref, cur, binning = binned_numerical(reference, current, integer, True)
        value = psi(ref, cur) if method == "psi" else float(stats.entropy(ref, cur))
        return {"statistic": value, "pValue": None, "details": {"binning": binning}}
    if method == "hellinger":
        return {"statistic": hellinger_numerical(reference, current, integer), "pValue": None, "details": {}}
    raise DriftInputError(f"Unknown drift method '{method}'")


def select_default_method(feature_type, reference_rows, distinct):
    if reference_rows <= SMALL_REFERENCE_MAX_ROWS:
        if feature_type == "numerical" and distinct > 5:
            return "ks"
        return "chisquare" if distinct > 2 else "z"
    if feature_type == "numerical" and distinct > 5:
        return "wasserstein"
    return "jensenshannon"


def is_drifted(comparison, score, threshold):
    if score is None or (isinstance(score, float) and math.isnan(score)):
        return False
    if comparison == "<=":
        return score <= threshold
    if comparison == "<":
        return score < threshold
    return score >= threshold


# ----------------------------------------------------------- one column


def resolve_method(task, feature_type, reference_rows, distinct):
    method = task["method"]
    if method is None:
        return select_default_method(feature_type, reference_rows, distinct), "default"
    if method not in METHODS:
        raise DriftInputError(f"Unknown drift method '{method}'")
    allowed = METHODS[method][3]
    if feature_type not in allowed:
        raise DriftInputError(
            f"Method '{method}' cannot test column '{task['column']}': it applies to {' and '.join(allowed)} columns, and '{task['column']}' is {task['type']}"
        )
    return method, "override"


def empty_error(task, which):
    name = task["referenceName"] if which == "reference" else task["currentName"]
    return DriftInputError(
        f"Column '{task['column']}' is empty in the {which} dataset ({name}) after dropping missing, NaN and ±inf values"
    )


def finish(task, feature_type, method, source, score, histogram, counts):
    kind, default_threshold, comparison, _ = METHODS[method]
    threshold = task["threshold"] if task["threshold"] is not None else default_threshold
    verdict_score = score["pValue"] if kind == "p-value" else score["statistic"]
    details = dict(score["details"])
    details["distinctValues"] = counts.pop("distinctValues")
    return {
        "column": task["column"],
        "type": task["type"],
        "featureType": feature_type,
        "method": method,
        "methodSource": source,
        "statistic": score["statistic"],
        "pValue": score["pValue"] if kind == "p-value" else None,
        "threshold": threshold,
        "comparison": comparison,
        "drifted": bool(is_drifted(comparison, verdict_score, threshold)),
        **counts,
        "details": details,
        "histogram": histogram,
    }


def compute_numerical(task, ref_table, cur_table):
    ref_raw, ref_int = numeric_column(ref_table, task["column"], task["referenceName"], task["type"])
    cur_raw, cur_int = numeric_column(cur_table, task["column"], task["currentName"], task["type"])
    reference = ref_raw[np.isfinite(ref_raw)]
    current = cur_raw[np.isfinite(cur_raw)]
    if reference.size == 0:
        raise empty_error(task, "reference")
    if current.size == 0:
        raise empty_error(task, "current")
    integer = ref_int and cur_int
    distinct = min(int(np.unique(np.concatenate([reference, current])).size), 6)
    method, source = resolve_method(task, "numerical", reference.size, distinct)
    edges = sturges_edges(np.concatenate([with_dtype(reference, integer), with_dtype(current, integer)]))
    histogram = {
        "kind": "numeric",
        "edges": [float(e) for e in edges],
        "reference": np.histogram(reference, edges)[0].astype(float).tolist(),
        "current": np.histogram(current, edges)[0].astype(float).tolist(),
    }
    score = score_numerical(method, np.sort(reference), np.sort(current), integer)
    return finish(
        task,
        "numerical",
        method,
        source,
        score,
        histogram,
        {
            "referenceCount": int(reference.size),
            "currentCount": int(current.size),
            "referenceDropped": int(ref_raw.size - reference.size),
            "currentDropped": int(cur_raw.size - current.size),
            "distinctValues": distinct,
        },
    )


def compute_categorical(task, ref_table, cur_table, max_categories):
    ref_values = category_values(ref_table, task["column"])
    cur_values = category_values(cur_table, task["column"])
    if task["type"] == "boolean":
        def to_bool(v):
            if v is None or isinstance(v, bool):
                return v
            return str(v).strip().lower() in ("true", "1")

        ref_values = [to_bool(v) for v in ref_values]
        cur_values = [to_bool(v) for v in cur_values]
    index = {}
    keys = []

    def count(values):
        counts = {}
        for v in values:
            if v is None:
                continue
            key = (type(v) is bool, v)
            if key not in index:
                index[key] = len(keys)
                keys.append(v)
            k = index[key]
            counts[k] = counts.get(k, 0) + 1
        return counts

    ref_counts_map = count(ref_values)
    cur_counts_map = count(cur_values)
    ref_counts = np.array([ref_counts_map.get(k, 0) for k in range(len(keys))], dtype=float)
    cur_counts = np.array([cur_counts_map.get(k, 0) for k in range(len(keys))], dtype=float)
    ref_total, cur_total = int(ref_counts.sum()), int(cur_counts.sum())
    if ref_total == 0:
        raise empty_error(task, "reference")
    if cur_total == 0:
        raise empty_error(task, "current")
    distinct = len(keys)
    method, source = resolve_method(task, "categorical", ref_total, distinct)
    score = score_counts(method, keys, ref_counts, cur_counts)
    order = sorted(range(len(keys)), key=lambda k: (-(ref_counts[k] + cur_counts[k]), category_key(keys[k])))
    shown, rest = order[:max_categories], order[max_categories:]
    histogram = {
        "kind": "categorical",
        "categories": [keys[k] for k in shown],
        "reference": [float(ref_counts[k]) for k in shown],
        "current": [float(cur_counts[k]) for k in shown],
        "otherReference": float(sum(ref_counts[k] for k in rest)),
        "otherCurrent": float(sum(cur_counts[k] for k in rest)),
    }
    return finish(
        task,
        "categorical",
        method,
        source,
        score,
        histogram,
        {
            "referenceCount": ref_total,
            "currentCount": cur_total,
            "referenceDropped": len(ref_values) - ref_total,
            "currentDropped": len(cur_values) - cur_total,
            "distinctValues": distinct,
        },
    )


def column_drift(task, ref_blocks, cur_blocks, max_categories):
    """One column's result, or {"error": message} for an input error. Runs as
    a Ray task: it fetches only its column of both sides."""
    try:
        ref_table = column_table(ref_blocks, task["column"])
        cur_table = column_table(cur_blocks, task["column"])
        if task["type"] == "numerical":
            return compute_numerical(task, ref_table, cur_table)
        return compute_categorical(task, ref_table, cur_table, max_categories)
    except DriftInputError as error:
        return {"error": str(error)}


# ----------------------------------------------------------- the report


def resolve_override(options, column, feature_type, key):
    per_column = (options.get("perColumn" + key[0].upper() + key[1:]) or {}).get(column)
    if per_column is not None:
        return per_column
    typed = options.get(("num" if feature_type == "numerical" else "cat") + key[0].upper() + key[1:])
    return typed if typed is not None else options.get(key)


def compute_report(spec):
    import ray

    options = spec.get("options") or {}
    declared = spec.get("columnTypes")
    if declared is not None and len(declared) == 0:
        raise DriftInputError("No columns to compare: the column types are empty")
    if declared and not tested_columns(declared):
        raise DriftInputError("No columns to compare: every column is text or datetime, which are not tested")
    reference = Side(spec["reference"], tested_columns(declared))
    types = declared if declared else infer_types(reference.schema)
    current = Side(spec["current"], tested_columns(types))
    for side, source in ((reference, spec["reference"]), (current, spec["current"])):
        for column, column_type in types.items():
            if column_type in ("text", "datetime"):
                continue
            if column not in side.names:
                listed = ", ".join(side.names)
                raise DriftInputError(
                    f"Column '{column}' is missing from {source['name']}; it has {listed}"
                )
    compared = list(types)
    for key in ("perColumnMethod", "perColumnThreshold"):
        for column in (options.get(key) or {}):
            if column not in compared:
                raise DriftInputError(
                    f"{key} refers to column '{column}', which is not among the compared columns"
                )
    max_categories = options.get("maxHistogramCategories") or DEFAULT_MAX_HISTOGRAM_CATEGORIES

    skipped = []
    tasks = []
    for column in compared:
        column_type = types[column]
        if column_type in ("text", "datetime"):
            skipped.append({"column": column, "type": column_type, "reason": SKIP_REASONS[column_type]})
            continue
        feature_type = "numerical" if column_type == "numerical" else "categorical"
        tasks.append(
            {
                "column": column,
                "type": column_type,
                "referenceName": spec["reference"]["name"],
                "currentName": spec["current"]["name"],
                "method": resolve_override(options, column, feature_type, "method"),
                "threshold": resolve_override(options, column, feature_type, "threshold"),
            }
        )
    if not tasks:
        raise DriftInputError("No columns to compare: every column is text or datetime, which are not tested")

    # One Ray task per column; the block references are passed inside a list,
    # so each task fetches the blocks itself and keeps only its column.
    remote = ray.remote(column_drift)
    results = ray.get(
        [remote.remote(task, list(reference.blocks), list(current.blocks), max_categories) for task in tasks]
    )
    for result in results:
        if "error" in result:
            raise DriftInputError(result["error"])

    threshold = options.get("driftShare") or DEFAULT_DRIFT_SHARE
    drifted = sum(1 for c in results if c["drifted"])
    share = drifted / len(results)
    return {
        "dataset": {
            "driftShare": share,
            "drifted": share >= threshold,
            "driftShareThreshold": threshold,
            "numberOfColumns": len(results),
            "numberOfDriftedColumns": drifted,
        },
        "columns": results,
        "skipped": skipped,
        "reference": {"name": spec["reference"]["name"], "rows": reference.rows},
        "current": {"name": spec["current"]["name"], "rows": current.rows},
    }


def json_safe(value):
    """JSON has no infinities: +inf is written as the string "Infinity"."""
    if isinstance(value, float):
        if math.isnan(value):
            return None
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        return value
    if isinstance(value, (np.floating,)):
        return json_safe(float(value))
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.bool_,)):
        return bool(value)
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    return value


def emit(marker, payload):
    sys.stdout.flush()
    sys.stderr.flush()
    # a line of its own, even after a progress bar's carriage returns
    sys.stdout.write("\n" + marker + json.dumps(json_safe(payload), allow_nan=False) + "\n")
    sys.stdout.flush()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--spec", required=True, help="base64 of the JSON spec")
    args = parser.parse_args(argv)
    spec = json.loads(base64.b64decode(args.spec).decode("utf-8"))

    import ray

    ray.init(log_to_driver=False)
    try:
        try:
            from ray.data import DataContext

            DataContext.get_current().enable_progress_bars = False
        except Exception:  # noqa: BLE001 - cosmetic only
            pass
        report = compute_report(spec)
    except DriftInputError as error:
        emit(ERROR_MARKER, {"message": str(error)})
        return 2
    except Exception as error:  # noqa: BLE001 - reported, then the job fails
        traceback.print_exc()
        emit(ERROR_MARKER, {"message": f"Drift job failed: {type(error).__name__}: {short_error(error)}"})
        return 1
    emit(RESULT_MARKER, report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
