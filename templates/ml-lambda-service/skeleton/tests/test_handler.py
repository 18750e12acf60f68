import base64
import json

import pytest


def api_event(body, base64_encoded=False):
    """An HTTP API (payload format 2.0) event as API Gateway sends it to the function."""
    text = body if isinstance(body, str) else json.dumps(body)
    if base64_encoded:
        text = base64.b64encode(text.encode()).decode()
    return {
        "version": "2.0",
        "routeKey": "POST /predict",
        "rawPath": "/predict",
        "headers": {"content-type": "application/json"},
        "requestContext": {"http": {"method": "POST", "path": "/predict"}},
        "body": text,
        "isBase64Encoded": base64_encoded,
    }


def answer(response):
    return response["statusCode"], json.loads(response["body"])


def test_scores_an_api_gateway_event(handler_module, example_request):
    status, body = answer(handler_module.handler(api_event(example_request), None))
    assert status == 200
    assert len(body["predictions"]) == len(example_request["instances"])
    assert body["model_version"]
    if "probabilities" in body:
        assert all(0.0 <= p <= 1.0 for p in body["probabilities"])


def test_scores_a_base64_body_and_a_direct_invoke_alike(handler_module, example_request):
    _, encoded = answer(handler_module.handler(api_event(example_request, base64_encoded=True), None))
    _, direct = answer(handler_module.handler(example_request, None))
    assert encoded == direct


def test_loads_the_model_once_per_container(handler_module, example_request, monkeypatch):
    loads = []
    real_load = handler_module.joblib.load
    monkeypatch.setattr(handler_module.joblib, "load", lambda path: loads.append(path) or real_load(path))
    for _ in range(3):
        assert handler_module.handler(api_event(example_request), None)["statusCode"] == 200
    assert len(loads) == 1


def first_input(handler_module):
    columns = handler_module.load_model()["columns"]
    return next(name for kind in ("numerical", "categorical", "boolean") for name in columns[kind])


@pytest.mark.parametrize(
    "body, message",
    [
        ("{not json", "body is not valid JSON"),
        ("[1, 2]", "body must be a JSON object"),
        ({}, "instances must be a non-empty list of objects"),
        ({"instances": []}, "instances must be a non-empty list of objects"),
        ({"instances": ["row"]}, "instances[0] must be an object"),
        ({"instances": [{}] * 101}, "at most 100 per request"),
    ],
)
def test_a_bad_request_answers_400_naming_the_field(handler_module, body, message):
    status, answered = answer(handler_module.handler(api_event(body), None))
    assert status == 400
    assert message in answered["error"]


def test_a_missing_or_ill_typed_feature_answers_400_naming_it(handler_module, example_request):
    name = first_input(handler_module)
    missing = {"instances": [{k: v for k, v in example_request["instances"][0].items() if k != name}]}
    status, body = answer(handler_module.handler(api_event(missing), None))
    assert (status, body["error"]) == (400, f"instances[0].{name} is missing")

    ill_typed = {"instances": [dict(example_request["instances"][0], **{name: {"nested": True}})]}
    status, body = answer(handler_module.handler(api_event(ill_typed), None))
    assert status == 400
    assert body["error"].startswith(f"instances[0].{name} must be")


def test_an_empty_body_answers_400(handler_module):
    status, body = answer(handler_module.handler({"body": None}, None))
    assert (status, body["error"]) == (400, "body is empty")
