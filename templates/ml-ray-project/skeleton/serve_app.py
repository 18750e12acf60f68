"""Ray Serve application of the ${{ values.name }} model (import path: serve_app:app).

POST a JSON object {"instances": [{"<feature>": <value>, ...}, ...]} to the
application's route; it answers {"predictions": [...], "model_version": ...}
(classification adds "probabilities"), or 400 with {"error": ...} naming the
offending field. Each replica loads the model once, when it starts.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
from ray import serve
from starlette.requests import Request
from starlette.responses import JSONResponse

MAX_INSTANCES = 100
HERE = Path(__file__).resolve().parent


def default_model_path() -> Path:
    """MODEL_PATH, else model/model.joblib next to this file (a project), else model.joblib (a training output)."""
    if os.environ.get("MODEL_PATH"):
        return Path(os.environ["MODEL_PATH"])
    nested = HERE / "model" / "model.joblib"
    return nested if nested.is_file() else HERE / "model.joblib"


class BadRequest(ValueError):
    """A request the model cannot score; its message names the field."""


def check_instances(body, preprocessing: dict) -> pd.DataFrame:
    if not isinstance(body, dict):
        raise BadRequest("the request body must be a JSON object")
    instances = body.get("instances")
    if not isinstance(instances, list) or not instances:
        raise BadRequest("instances must be a non-empty list of objects")
    if len(instances) > MAX_INSTANCES:
        raise BadRequest(f"instances holds {len(instances)} items; at most {MAX_INSTANCES} per request")
    columns = preprocessing["columns"]
    for index, instance in enumerate(instances):
        at = f"instances[{index}]"
        if not isinstance(instance, dict):
            raise BadRequest(f"{at} must be an object")
        for name in (*columns["numerical"], *columns["categorical"], *columns["boolean"]):
            if name not in instance:
                raise BadRequest(f"{at}.{name} is missing")
        for name in columns["numerical"]:
            value = instance[name]
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
                raise BadRequest(f"{at}.{name} must be a finite number")
        for name in columns["categorical"]:
            if not isinstance(instance[name], str):
                raise BadRequest(f"{at}.{name} must be a string")
        for name in columns["boolean"]:
            if not isinstance(instance[name], bool):
                raise BadRequest(f"{at}.{name} must be true or false")
    return pd.DataFrame(instances)


def transform(frame: pd.DataFrame, preprocessing: dict) -> np.ndarray:
    """The same inputs train.py feeds the estimator."""
    columns = preprocessing["columns"]
    parts = []
    for name in columns["numerical"]:
        stats = preprocessing["numerical"][name]
        parts.append(((frame[name].to_numpy(dtype=np.float64) - stats["mean"]) / stats["std"])[:, None])
    for name in columns["categorical"]:
        values = frame[name].astype(str).to_numpy()
        parts.append(np.stack([(values == c).astype(np.float64) for c in preprocessing["categories"][name]], axis=1))
    for name in columns["boolean"]:
        parts.append(frame[name].astype(bool).to_numpy(dtype=np.float64)[:, None])
    return np.concatenate(parts, axis=1)


@serve.deployment(name="ModelDeployment", num_replicas=1, ray_actor_options={"num_cpus": 0.25})
class ModelDeployment:
    def __init__(self, model_path: str | None = None):
        self.model = joblib.load(model_path or default_model_path())

    def predict(self, body) -> tuple[int, dict]:
        """(HTTP status, answer) for a request body; callable through a deployment handle."""
        try:
            frame = check_instances(body, self.model["preprocessing"])
        except BadRequest as error:
            return 400, {"error": str(error)}
        X = transform(frame, self.model["preprocessing"])
        estimator = self.model["estimator"]
        answer = {"model_version": self.model["version"]}
        if self.model["config"]["task"] == "classification":
            answer["predictions"] = [bool(p) for p in estimator.predict(X)]
            answer["probabilities"] = [float(p) for p in estimator.predict_proba(X)[:, 1]]
        else:
            answer["predictions"] = [float(p) for p in estimator.predict(X)]
        return 200, answer

    async def __call__(self, request: Request) -> JSONResponse:
        try:
            body = await request.json()
        except ValueError:
            return JSONResponse({"error": "the request body is not valid JSON"}, status_code=400)
        status, answer = self.predict(body)
        return JSONResponse(answer, status_code=status)


def build_app(args: dict) -> serve.Application:
    """`serve run serve_app:build_app model_path=...` for a model elsewhere."""
    return ModelDeployment.bind(args.get("model_path"))


app = ModelDeployment.bind()
