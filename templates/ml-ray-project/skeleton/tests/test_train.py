import json

import joblib
import numpy as np
import pandas as pd
import pytest

import train


def test_a_ray_train_run_writes_a_deployable_model_and_the_result_line(trained):
    output, summary = trained
    bundle = joblib.load(output / "model.joblib")
    assert set(bundle) == {"estimator", "preprocessing", "config", "version", "metrics"}
    assert json.loads((output / "metrics.json").read_text())["metrics"] == summary["metrics"]
    # The output directory is a Ray Serve working_dir.
    assert (output / "serve_app.py").is_file()
    assert (output / "model_config.json").is_file()


def test_the_model_learns_better_than_chance(trained):
    _output, summary = trained
    metrics = summary["metrics"]
    if "roc_auc" in metrics:
        assert metrics["roc_auc"] > 0.55
    else:
        assert metrics["r2"] > 0.2


def test_preprocessing_statistics_come_from_the_whole_dataset(ray_cluster):
    config = train.load_config()
    ds, _source = train.read_dataset(config, None)
    preprocessing = train.fit_preprocessing(ds, config)
    frame = ds.to_pandas()
    for name, stats in preprocessing["numerical"].items():
        values = pd.to_numeric(frame[name]).to_numpy(dtype=float)
        assert stats["mean"] == pytest.approx(values.mean())
        assert stats["std"] == pytest.approx(values.std())
    for name, categories in preprocessing["categories"].items():
        assert categories == sorted({str(v) for v in frame[name]})
    X = train.transform(frame, preprocessing)
    assert X.shape[0] == len(frame)
    assert np.isfinite(X).all()


def test_the_validation_split_is_stable_and_about_a_quarter():
    frame = pd.DataFrame({"a": range(400), "b": [i % 7 for i in range(400)]})
    valid = train.split_batch(frame, validation=True)
    rest = train.split_batch(frame, validation=False)
    assert len(valid) + len(rest) == 400
    assert 60 < len(valid) < 140
    pd.testing.assert_frame_equal(valid, train.split_batch(frame.iloc[::-1], validation=True).iloc[::-1])


def test_refuses_missing_data_and_bad_parameters(tmp_path):
    with pytest.raises(SystemExit, match="no such file"):
        train.main(["--data", str(tmp_path / "missing.csv"), "--output-dir", str(tmp_path)])
    with pytest.raises(SystemExit):
        train.main(["--epochs", "0", "--output-dir", str(tmp_path)])
