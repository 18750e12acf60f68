import json

import joblib
import pytest

import train


def test_training_writes_a_model_metrics_and_the_result_line(tmp_path, capsys):
    summary = train.main(["--output-dir", str(tmp_path), "--C", "0.5", "--max_iter", "500"])

    bundle = joblib.load(tmp_path / "model.joblib")
    assert set(bundle) == {"pipeline", "config", "columns", "version", "metrics"}
    assert json.loads((tmp_path / "metrics.json").read_text())["metrics"] == summary["metrics"]
    assert summary["rows"] >= 100

    result_lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith("mlops-result: ")]
    assert json.loads(result_lines[-1][len("mlops-result: "):]) == {"metrics": summary["metrics"]}


def test_the_model_learns_better_than_chance():
    config = train.load_config()
    rows, _source = train.training_rows(config, None)
    metrics = train.train(config, rows)["metrics"]
    if config["task"] == "classification":
        assert metrics["roc_auc"] > 0.6
    else:
        assert metrics["r2"] > 0.2


def test_the_output_directory_defaults_to_the_mlops_output_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("MLOPS_OUTPUT_DIR", str(tmp_path / "from-env"))
    train.main([])
    assert (tmp_path / "from-env" / "model.joblib").is_file()


def test_reads_jsonl_data_given_on_the_command_line(tmp_path):
    config = train.load_config()
    rows = train.generated_sample(config, rows=120)
    data = tmp_path / "rows.jsonl"
    data.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    config["data"]["format"] = "jsonl"
    read, source = train.training_rows(config, str(data))
    assert source == str(data)
    assert train.train(config, read)["rows"] == 120


def test_refuses_missing_data_and_bad_parameters(tmp_path):
    with pytest.raises(SystemExit, match="no such file"):
        train.main(["--data", str(tmp_path / "missing.csv"), "--output-dir", str(tmp_path)])
    with pytest.raises(SystemExit):
        train.main(["--C", "0", "--output-dir", str(tmp_path)])


def test_a_bad_value_in_the_data_names_the_row_and_column():
    config = {
        "task": "classification",
        "target": "label",
        "columns": [
            {"name": "amount", "type": "numerical"},
            {"name": "member", "type": "boolean"},
            {"name": "label", "type": "boolean"},
        ],
        "data": {"location": "unused.csv", "format": "csv"},
    }
    rows = train.generated_sample(config, rows=50)
    rows[3]["amount"] = "not-a-number"
    with pytest.raises(ValueError, match="row 3: amount"):
        train.train(config, rows)
    rows[3]["amount"] = 1.0
    rows[7]["member"] = "maybe"
    with pytest.raises(ValueError, match="row 7: member"):
        train.train(config, rows)
