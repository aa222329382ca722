#!/usr/bin/env bash
# The nightly regression suite's runs (make nightly, make baseline):
#   scripts/nightly.sh DIR [--slim]
# writes into DIR the model of every shipped scenario (DIR/model/NAME/model.json)
# and REPS real runs of each suite scenario (scenarios/suite/) on PROVIDER
# (DIR/measured/NAME/run-I/measured.json, with loadgen's own model.json).
# --slim keeps only the JSON runs (for a baseline committed to git).
# A run that fails is reported and makes the script fail after the others.
set -uo pipefail
cd "$(dirname "$0")/.."
out=${1:?usage: nightly.sh DIR [--slim]}
slim=${2:-}
reps=${REPS:-3}
provider=${PROVIDER:-local}
status=0
rm -rf "$out" && mkdir -p "$out"
for f in scenarios/*.yaml; do
  n=$(basename "$f" .yaml)
  bin/sim run "$f" -o "$out/model/$n" >/dev/null || { echo "nightly: model of $n failed" >&2; status=1; }
  echo "model $n: done"
done
for f in scenarios/suite/*.yaml; do
  n=$(basename "$f" .yaml)
  # A kind cluster takes minutes to create: one per scenario (its node
  # pool is the scenario's), shared by its runs (each run redeploys the stack).
  if [ "$provider" = kind ]; then
    bin/loadgen cluster up --provider kind --scenario "$f" >"$out/$n-up.log" 2>&1 ||
      { echo "nightly: kind cluster for $n failed (log: $out/$n-up.log)" >&2; tail -5 "$out/$n-up.log" >&2; status=1; continue; }
  fi
  for i in $(seq 1 "$reps"); do
    dir="$out/measured/$n/run-$i"
    if bin/loadgen run "$f" --provider "$provider" -q -o "$dir" >"$out/$n-run-$i.log" 2>&1; then
      echo "real run $n $i/$reps: done"
    else
      echo "nightly: real run $n $i/$reps failed (log: $out/$n-run-$i.log)" >&2
      tail -5 "$out/$n-run-$i.log" >&2
      status=1
    fi
  done
  if [ "$provider" = kind ]; then
    bin/loadgen cluster down --provider kind >>"$out/$n-up.log" 2>&1 || { echo "nightly: kind cluster down for $n failed" >&2; status=1; }
  fi
done
if [ "$slim" = --slim ]; then
  find "$out" -type f ! -name model.json ! -name measured.json -delete
fi
exit $status
