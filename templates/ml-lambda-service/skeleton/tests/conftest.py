import json
import sys
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_DIR))


@pytest.fixture(scope="session")
def trained_model_dir(tmp_path_factory):
    """Trains the model once for the whole test session (on the default data) into a temporary directory."""
    import train

    output = tmp_path_factory.mktemp("model")
    train.main(["--output-dir", str(output)])
    return output


@pytest.fixture()
def handler_module(trained_model_dir, monkeypatch):
    """The handler module, pointed at the trained model and with an empty per-container cache."""
    import handler

    monkeypatch.setattr(handler, "MODEL_PATH", str(trained_model_dir / "model.joblib"))
    monkeypatch.setattr(handler, "_model", None)
    return handler


@pytest.fixture()
def example_request(trained_model_dir):
    return json.loads((trained_model_dir / "example_request.json").read_text())
