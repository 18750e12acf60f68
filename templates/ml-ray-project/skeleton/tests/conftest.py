"""Tests run against a Ray cluster: RAY_ADDRESS (e.g. a local head from `ray start --head`), else a
Ray instance started in-process. The project directory is shipped to the workers as working_dir."""

import json
import os
import sys
from pathlib import Path

import pytest
import ray

PROJECT_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_DIR))


@pytest.fixture(scope="session")
def ray_cluster():
    ray.init(
        address=os.environ.get("RAY_ADDRESS"),
        runtime_env={
            "working_dir": str(PROJECT_DIR),
            "excludes": ["model/", ".venv/", ".git/", "**/__pycache__/", ".pytest_cache/"],
        },
        log_to_driver=False,
    )
    yield
    ray.shutdown()


@pytest.fixture(scope="session")
def trained(ray_cluster, tmp_path_factory):
    """One Ray Train run on the default data for the whole session: its output directory and summary."""
    import train

    output = tmp_path_factory.mktemp("model")
    summary = train.main(["--output-dir", str(output), "--epochs", "10"])
    return output, summary


@pytest.fixture(scope="session")
def example_instances(trained):
    """Two rows of the default data, typed as a request carries them."""
    import train

    config = train.load_config()
    columns = train.feature_columns(config)
    frame = train.read_dataset(config, None)[0].limit(2).to_pandas()
    rows = []
    for record in frame.to_dict("records"):
        row = {name: float(record[name]) for name in columns["numerical"]}
        row.update({name: str(record[name]) for name in columns["categorical"]})
        row.update({name: str(record[name]).lower() in train.TRUE_VALUES for name in columns["boolean"]})
        rows.append(row)
    return json.loads(json.dumps(rows))
