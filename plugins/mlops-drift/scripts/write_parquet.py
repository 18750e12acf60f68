"""Writes the small Parquet test fixtures of @synth/plugin-mlops-drift with pyarrow.

Reads JSON on stdin: {"files": [{"path": ..., "compression": "snappy"|"zstd"|"gzip"|"none",
"columns": {name: {"type": "float64"|"int64"|"string"|"bool"|"timestamp", "values": [...]}}}]}
Values may be null; timestamps are ISO strings.
"""

import datetime
import json
import sys

import pyarrow as pa
import pyarrow.parquet as pq

TYPES = {
    "float64": pa.float64(),
    "int64": pa.int64(),
    "string": pa.string(),
    "bool": pa.bool_(),
    "timestamp": pa.timestamp("ms"),
}


def convert(spec):
    values = spec["values"]
    if spec["type"] == "timestamp":
        values = [None if v is None else datetime.datetime.fromisoformat(v) for v in values]
    return pa.array(values, type=TYPES[spec["type"]])


def main():
    request = json.load(sys.stdin)
    for file in request["files"]:
        table = pa.table({name: convert(spec) for name, spec in file["columns"].items()})
        pq.write_table(table, file["path"], compression=file.get("compression", "snappy"), row_group_size=file.get("row_group_size"))


if __name__ == "__main__":
    main()
