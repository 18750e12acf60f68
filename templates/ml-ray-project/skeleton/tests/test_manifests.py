"""The Serve config, the runtime environment and the KubeRay manifests agree with the code, checked
with Ray's own schemas (the Kubernetes side is scripts/validate_k8s.py, run by the CI lint job)."""

import shlex
from pathlib import Path

import yaml
from ray.runtime_env import RuntimeEnv
from ray.serve.schema import ServeDeploySchema

import train

PROJECT_DIR = Path(__file__).resolve().parent.parent


def load(name):
    return [d for d in yaml.safe_load_all((PROJECT_DIR / name).read_text()) if d]


def test_the_serve_config_is_a_valid_serve_deploy_config_for_serve_app():
    (config,) = load("serve_config.yaml")
    schema = ServeDeploySchema.model_validate(config)
    (application,) = schema.applications
    assert application.import_path == "serve_app:app"
    module, attribute = application.import_path.split(":")
    assert (PROJECT_DIR / f"{module}.py").is_file()
    assert "app = ModelDeployment.bind()" in (PROJECT_DIR / f"{module}.py").read_text()
    assert attribute == "app"
    assert [d.name for d in application.deployments] == ["ModelDeployment"]


def test_the_rayservice_serves_the_same_application_as_serve_config():
    (service,) = load("k8s/rayservice.yaml")
    on_cluster = ServeDeploySchema.model_validate(yaml.safe_load(service["spec"]["serveConfigV2"]))
    (local,) = load("serve_config.yaml")
    local_app = local["applications"][0]
    assert on_cluster.model_dump(exclude_unset=True)["applications"] == [local_app]
    assert service["metadata"]["name"] == local_app["name"]


def test_the_runtime_environments_are_valid():
    (runtime_env,) = load("runtime_env.yaml")
    RuntimeEnv(**runtime_env)
    (job,) = load("k8s/rayjob.yaml")
    RuntimeEnv(**yaml.safe_load(job["spec"]["runtimeEnvYAML"]))


def test_the_rayjob_entrypoint_is_a_valid_train_command():
    (job,) = load("k8s/rayjob.yaml")
    words = shlex.split(job["spec"]["entrypoint"])
    assert words[:2] == ["python", "train.py"]
    args = train.build_parser().parse_args(words[2:])
    assert args.output_dir.startswith("/mnt/models/")
    head = job["spec"]["rayClusterSpec"]["headGroupSpec"]["template"]["spec"]
    mounts = [m["mountPath"] for c in head["containers"] for m in c.get("volumeMounts", [])]
    assert "/mnt/models" in mounts


def test_every_pod_runs_the_project_image():
    images = set()
    for name in ("k8s/rayjob.yaml", "k8s/rayservice.yaml"):
        (resource,) = load(name)
        cluster = resource["spec"].get("rayClusterSpec") or resource["spec"]["rayClusterConfig"]
        groups = [cluster["headGroupSpec"], *cluster["workerGroupSpecs"]]
        images |= {c["image"] for g in groups for c in g["template"]["spec"]["containers"]}
    assert len(images) == 1
