"""Validate the Kubernetes manifests in k8s/ (the CI lint job runs this).

- Built-in kinds are validated by kubernetes-validate, strictly (unknown fields are errors),
  against the newest Kubernetes schema it ships.
- KubeRay's RayJob and RayService (ray.io/v1) are custom resources that kubernetes-validate
  has no schema for. Their fields are checked against RAY_SCHEMAS below (the fields of
  KubeRay's rayjob_types.go and rayservice_types.go this project uses; unknown fields are
  errors), and every pod template inside them is validated strictly as a Kubernetes
  PodTemplate, which covers containers, resources, ports, volumes and mounts.

Usage: python scripts/validate_k8s.py [k8s/*.yaml ...]
"""

from __future__ import annotations

import sys
from pathlib import Path

import jsonschema
import yaml
from kubernetes_validate import utils as kv

K8S_DIR = Path(__file__).resolve().parent.parent / "k8s"

_GROUP_COMMON = {
    "rayStartParams": {"type": "object", "additionalProperties": {"type": "string"}},
    "template": {"type": "object", "required": ["spec"]},
}
_CLUSTER = {
    "type": "object",
    "required": ["headGroupSpec"],
    "additionalProperties": False,
    "properties": {
        "rayVersion": {"type": "string"},
        "enableInTreeAutoscaling": {"type": "boolean"},
        "headGroupSpec": {
            "type": "object",
            "required": ["template"],
            "additionalProperties": False,
            "properties": {**_GROUP_COMMON, "serviceType": {"type": "string"}},
        },
        "workerGroupSpecs": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["groupName", "template"],
                "additionalProperties": False,
                "properties": {
                    **_GROUP_COMMON,
                    "groupName": {"type": "string", "pattern": "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"},
                    "replicas": {"type": "integer", "minimum": 0},
                    "minReplicas": {"type": "integer", "minimum": 0},
                    "maxReplicas": {"type": "integer", "minimum": 0},
                    "numOfHosts": {"type": "integer", "minimum": 1},
                },
            },
        },
    },
}
_METADATA = {
    "type": "object",
    "required": ["name"],
    "properties": {"name": {"type": "string", "pattern": "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", "maxLength": 63}},
}
RAY_SCHEMAS = {
    "RayJob": {
        "type": "object",
        "required": ["apiVersion", "kind", "metadata", "spec"],
        "properties": {
            "metadata": _METADATA,
            "spec": {
                "type": "object",
                "required": ["entrypoint"],
                "additionalProperties": False,
                "properties": {
                    "entrypoint": {"type": "string", "minLength": 1},
                    "runtimeEnvYAML": {"type": "string"},
                    "jobId": {"type": "string"},
                    "metadata": {"type": "object", "additionalProperties": {"type": "string"}},
                    "submissionMode": {"enum": ["K8sJobMode", "HTTPMode", "InteractiveMode", "SidecarMode"]},
                    "entrypointNumCpus": {"type": "number"},
                    "entrypointNumGpus": {"type": "number"},
                    "entrypointResources": {"type": "string"},
                    "shutdownAfterJobFinishes": {"type": "boolean"},
                    "ttlSecondsAfterFinished": {"type": "integer", "minimum": 0},
                    "activeDeadlineSeconds": {"type": "integer", "minimum": 1},
                    "backoffLimit": {"type": "integer", "minimum": 0},
                    "suspend": {"type": "boolean"},
                    "rayClusterSpec": _CLUSTER,
                    "clusterSelector": {"type": "object", "additionalProperties": {"type": "string"}},
                    "submitterPodTemplate": {"type": "object", "required": ["spec"]},
                },
                "oneOf": [{"required": ["rayClusterSpec"]}, {"required": ["clusterSelector"]}],
            },
        },
    },
    "RayService": {
        "type": "object",
        "required": ["apiVersion", "kind", "metadata", "spec"],
        "properties": {
            "metadata": _METADATA,
            "spec": {
                "type": "object",
                "required": ["serveConfigV2", "rayClusterConfig"],
                "additionalProperties": False,
                "properties": {
                    "serveConfigV2": {"type": "string", "minLength": 1},
                    "rayClusterConfig": _CLUSTER,
                    "upgradeStrategy": {
                        "type": "object",
                        "additionalProperties": False,
                        "properties": {"type": {"enum": ["NewCluster", "NewClusterWithIncrementalUpgrade", "None"]}},
                    },
                    "excludeHeadPodFromServeSvc": {"type": "boolean"},
                    "serveService": {"type": "object"},
                },
            },
        },
    },
}


def pod_templates(resource: dict) -> list[tuple[str, dict]]:
    spec = resource["spec"]
    cluster = spec.get("rayClusterSpec") or spec.get("rayClusterConfig") or {}
    found = []
    if "headGroupSpec" in cluster:
        found.append(("headGroupSpec.template", cluster["headGroupSpec"]["template"]))
    for index, group in enumerate(cluster.get("workerGroupSpecs", [])):
        found.append((f"workerGroupSpecs[{index}].template", group["template"]))
    if "submitterPodTemplate" in spec:
        found.append(("submitterPodTemplate", spec["submitterPodTemplate"]))
    return found


def validate(path: Path, version: str) -> list[str]:
    errors = []
    for resource in (d for d in yaml.safe_load_all(path.read_text(encoding="utf-8")) if d):
        where = f"{path.name}: {resource.get('kind')}/{resource.get('metadata', {}).get('name')}"
        if resource.get("apiVersion") == "ray.io/v1":
            schema = RAY_SCHEMAS.get(resource.get("kind"))
            if schema is None:
                errors.append(f"{where}: unknown KubeRay kind")
                continue
            for error in jsonschema.Draft7Validator(schema).iter_errors(resource):
                errors.append(f"{where}: {'.'.join(map(str, error.absolute_path))}: {error.message}")
            for field, template in pod_templates(resource):
                document = {
                    "apiVersion": "v1",
                    "kind": "PodTemplate",
                    "metadata": {"name": resource["metadata"]["name"]},
                    "template": template,
                }
                try:
                    kv.validate(document, version, strict=True)
                except kv.ValidationError as error:
                    inner = ".".join(map(str, list(error.path)[1:]))  # the path below the PodTemplate's template
                    errors.append(f"{where}: {field}.{inner}: {error.message}")
        else:
            try:
                kv.validate(resource, version, strict=True)
            except kv.ValidationError as error:
                errors.append(f"{where}: {'.'.join(map(str, error.path))}: {error.message}")
            except kv.SchemaNotFoundError as error:
                errors.append(f"{where}: {error.message}")
    return errors


def main(argv: list[str]) -> int:
    paths = [Path(p) for p in argv] or sorted(K8S_DIR.glob("*.yaml"))
    version = kv.latest_version()
    errors = [e for p in paths for e in validate(p, version)]
    for error in errors:
        print(error, file=sys.stderr)
    print(f"{len(paths)} files, Kubernetes {version} schemas: {'invalid' if errors else 'valid'}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
