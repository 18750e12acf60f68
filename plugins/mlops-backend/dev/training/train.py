# A tiny "training" script for the mlops backend's tests: it prints its
# arguments, optionally sleeps or fails, writes an artefact and reports
# metrics on an `mlops-result:` line.
import argparse
import json
import os
import sys
import time

parser = argparse.ArgumentParser()
parser.add_argument("--epochs", type=int, default=1)
parser.add_argument("--learning_rate", type=float, default=0.1)
parser.add_argument("--mode", default="ok")
parser.add_argument("--sleep", type=float, default=0)
parser.add_argument("--artifact", default="")
args = parser.parse_args()

print("training", json.dumps(vars(args), sort_keys=True), flush=True)
print("run", os.environ.get("MLOPS_RUN_ID"), "model", os.environ.get("MLOPS_MODEL_REF"), flush=True)
print("secret visible:", "SYNTH_TEST_SECRET" in os.environ, flush=True)
deadline = time.time() + args.sleep
while time.time() < deadline:
    time.sleep(0.1)
if args.mode == "fail":
    print("something went wrong", file=sys.stderr, flush=True)
    sys.exit(3)
out = os.environ.get("MLOPS_OUTPUT_DIR")
if out:
    with open(os.path.join(out, "model.txt"), "w") as f:
        f.write("weights")
result = {"metrics": {"auc": 0.91, "epochs": args.epochs}}
if args.artifact:
    result["artifactUri"] = args.artifact
print("mlops-result: " + json.dumps(result), flush=True)
