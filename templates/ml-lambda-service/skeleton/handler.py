"""AWS Lambda handler of the ${{ values.name }} model.

The model is loaded once per execution environment (container), on the first
request, and reused by every later invocation. Requests come from the HTTP API
(API Gateway proxy events with a JSON body) or from a direct invoke with the
same JSON object as the event:

    {"instances": [{"<feature>": <value>, ...}, ...]}

A request that is not such an object answers 400 with a message naming the
offending field.
"""

from __future__ import annotations

import base64
import json
import math
import os
from pathlib import Path

import joblib
import numpy as np

MAX_INSTANCES = 100
MODEL_PATH = os.environ.get("MODEL_PATH", str(Path(__file__).resolve().parent / "model" / "model.joblib"))
TRUE_VALUES = {"true", "1", "yes", "y", "t"}
FALSE_VALUES = {"false", "0", "no", "n", "f"}

_model: dict | None = None


class BadRequest(ValueError):
    """A request the model cannot score; its message names the field."""


def load_model() -> dict:
    """The trained model of this container, loaded on first use."""
    global _model
    if _model is None:
        _model = joblib.load(MODEL_PATH)
    return _model


def _response(status: int, body: dict) -> dict:
    return {
        "statusCode": status,
        "headers": {"content-type": "application/json"},
        "body": json.dumps(body),
    }


def _request_body(event) -> dict:
    if not isinstance(event, dict):
        raise BadRequest("the event must be a JSON object")
    if "body" not in event:
        return event  # direct invoke: the event is the request
    raw = event["body"]
    if raw is None:
        raise BadRequest("body is empty")
    if event.get("isBase64Encoded"):
        raw = base64.b64decode(raw).decode("utf-8")
    try:
        body = json.loads(raw) if isinstance(raw, str) else raw
    except json.JSONDecodeError as error:
        raise BadRequest(f"body is not valid JSON ({error.msg})") from error
    if not isinstance(body, dict):
        raise BadRequest("body must be a JSON object")
    return body


def _number(value, field: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise BadRequest(f"{field} must be a finite number")
    return float(value)


def _boolean(value, field: str) -> float:
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, str) and value.strip().lower() in TRUE_VALUES | FALSE_VALUES:
        return 1.0 if value.strip().lower() in TRUE_VALUES else 0.0
    raise BadRequest(f"{field} must be true or false")


def features_of(body: dict, columns: dict[str, list[str]]):
    instances = body.get("instances")
    if not isinstance(instances, list) or not instances:
        raise BadRequest("instances must be a non-empty list of objects")
    if len(instances) > MAX_INSTANCES:
        raise BadRequest(f"instances holds {len(instances)} items; at most {MAX_INSTANCES} per request")
    rows = []
    for index, instance in enumerate(instances):
        at = f"instances[{index}]"
        if not isinstance(instance, dict):
            raise BadRequest(f"{at} must be an object")
        for name in (*columns["numerical"], *columns["categorical"], *columns["boolean"]):
            if name not in instance:
                raise BadRequest(f"{at}.{name} is missing")
        row = [_number(instance[n], f"{at}.{n}") for n in columns["numerical"]]
        for name in columns["categorical"]:
            if not isinstance(instance[name], (str, int)) or isinstance(instance[name], bool):
                raise BadRequest(f"{at}.{name} must be a string")
            row.append(str(instance[name]))
        row.extend(_boolean(instance[n], f"{at}.{n}") for n in columns["boolean"])
        rows.append(row)
    return np.array(rows, dtype=object)


def predict(body: dict) -> dict:
    model = load_model()
    X = features_of(body, model["columns"])
    pipeline = model["pipeline"]
    result = {"model_version": model["version"]}
    if model["config"]["task"] == "classification":
        result["predictions"] = [bool(p) for p in pipeline.predict(X)]
        result["probabilities"] = [float(p) for p in pipeline.predict_proba(X)[:, 1]]
    else:
        result["predictions"] = [float(p) for p in pipeline.predict(X)]
    return result


def handler(event, context):  # noqa: ARG001 - the Lambda signature
    try:
        return _response(200, predict(_request_body(event)))
    except BadRequest as error:
        return _response(400, {"error": str(error)})
