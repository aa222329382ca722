#!/usr/bin/env bash
# The nightly regression suite's runs (make nightly, make baseline):
#   scripts/nightly.sh DIR [--slim]
# writes into DIR the model of every shipped scenario (DIR/model/NAME/model.json)
# and REPS real runs of each suite scenario (scenarios/suite/) on PROVIDER
# (those under fleet.controller okg on kind only: skipped elsewhere)
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
# kind_up FILE LOG: a kind cluster with FILE's room pool (reused when the
# one up has it).
# NODE_IMAGE is passed as --node-image (empty: the provider's default).
kind_up() {
  local up=(bin/loadgen cluster up --provider kind --scenario "$1" --node-image "${NODE_IMAGE:-}")
  "${up[@]}" >"$2" 2>&1 && return 0
  grep -q "made for another scenario" "$2" || return 1
  bin/loadgen cluster down --provider kind >>"$2" 2>&1 && "${up[@]}" >>"$2" 2>&1
}
rm -rf "$out" && mkdir -p "$out"
for f in scenarios/*.yaml; do
  n=$(basename "$f" .yaml)
  bin/sim run "$f" -o "$out/model/$n" >/dev/null || { echo "nightly: model of $n failed" >&2; status=1; }
  echo "model $n: done"
done
for f in scenarios/suite/*.yaml; do
  n=$(basename "$f" .yaml)
  # A kind cluster takes minutes to create: scenarios with the same room
  # pool share one (each run redeploys the stack); another pool replaces it.
  if [ "$provider" = kind ] && ! kind_up "$f" "$out/$n-up.log"; then
    echo "nightly: kind cluster for $n failed (log: $out/$n-up.log)" >&2; tail -5 "$out/$n-up.log" >&2; status=1; continue
  fi
  for i in $(seq 1 "$reps"); do
    dir="$out/measured/$n/run-$i"
    if bin/loadgen run "$f" --provider "$provider" -q -o "$dir" >"$out/$n-run-$i.log" 2>&1; then
      echo "real run $n $i/$reps: done"
    elif grep -q "is installed on kind only" "$out/$n-run-$i.log"; then
      # fleet.controller okg: loadgen refuses it before any cluster is
      # asked; the scenario runs in the kind nightly only.
      echo "real runs of $n: skipped on $provider ($(tail -1 "$out/$n-run-$i.log"))"
      rm -rf "$out/measured/$n"
      break
    else
      echo "nightly: real run $n $i/$reps failed (log: $out/$n-run-$i.log)" >&2
      tail -5 "$out/$n-run-$i.log" >&2
      status=1
    fi
  done
done
if [ "$provider" = kind ]; then
  bin/loadgen cluster down --provider kind >/dev/null || { echo "nightly: kind cluster down failed" >&2; status=1; }
fi
if [ "$slim" = --slim ]; then
  find "$out" -type f ! -name model.json ! -name measured.json -delete
fi
exit $status
