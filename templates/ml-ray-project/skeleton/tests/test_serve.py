import uuid

import pytest
from ray import serve

import serve_app


@pytest.fixture(scope="module")
def model_handle(trained):
    """The application on the test cluster's Ray Serve, reached through its deployment handle."""
    output, _summary = trained
    name = f"test-{uuid.uuid4().hex[:8]}"
    handle = serve.run(serve_app.build_app({"model_path": str(output / "model.joblib")}), name=name, route_prefix=None)
    yield handle
    serve.delete(name)


def call(handle, body):
    return handle.predict.remote(body).result(timeout_s=60)


def test_scores_rows(model_handle, example_instances):
    status, answer = call(model_handle, {"instances": example_instances})
    assert status == 200
    assert len(answer["predictions"]) == len(example_instances)
    assert answer["model_version"]
    if "probabilities" in answer:
        assert all(0.0 <= p <= 1.0 for p in answer["probabilities"])


@pytest.mark.parametrize(
    "body, message",
    [
        ([1, 2], "the request body must be a JSON object"),
        ({}, "instances must be a non-empty list of objects"),
        ({"instances": ["row"]}, "instances[0] must be an object"),
        ({"instances": [{}] * 101}, "at most 100 per request"),
    ],
)
def test_a_bad_request_answers_400_naming_the_field(model_handle, body, message):
    status, answer = call(model_handle, body)
    assert status == 400
    assert message in answer["error"]


def test_a_missing_or_ill_typed_feature_answers_400_naming_it(model_handle, example_instances):
    name = next(iter(example_instances[0]))
    missing = {k: v for k, v in example_instances[0].items() if k != name}
    assert call(model_handle, {"instances": [missing]}) == (400, {"error": f"instances[0].{name} is missing"})
    ill_typed = dict(example_instances[0], **{name: {"nested": True}})
    status, answer = call(model_handle, {"instances": [ill_typed]})
    assert status == 400
    assert answer["error"].startswith(f"instances[0].{name} must be")


def test_the_default_model_path_prefers_model_joblib_in_a_project(tmp_path, monkeypatch):
    monkeypatch.delenv("MODEL_PATH", raising=False)
    monkeypatch.setattr(serve_app, "HERE", tmp_path)
    assert serve_app.default_model_path() == tmp_path / "model.joblib"
    (tmp_path / "model").mkdir()
    (tmp_path / "model" / "model.joblib").write_bytes(b"")
    assert serve_app.default_model_path() == tmp_path / "model" / "model.joblib"
    monkeypatch.setenv("MODEL_PATH", "/elsewhere/model.joblib")
    assert str(serve_app.default_model_path()) == "/elsewhere/model.joblib"
