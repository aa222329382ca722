#!/usr/bin/env bash
# Times a 32-point sweep of evening-peak with GOMAXPROCS=1 and =2 in
# separate processes, alternating, and prints the best of three of each
# and their ratio (the target: ≥ 1.8×).
set -euo pipefail
sim=${1:?usage: bench-sweep.sh path/to/sim}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
best() { sort -n | head -1; }
t1=() t2=()
for _ in 1 2 3; do
  for p in 1 2; do
    start=$(date +%s.%N)
    GOMAXPROCS=$p "$sim" sweep evening-peak --set fleet.policy.minAvailable.count=1:32:1 -o "$out" >/dev/null
    end=$(date +%s.%N)
    t=$(awk -v a="$start" -v b="$end" 'BEGIN{print b-a}')
    if [ "$p" = 1 ]; then t1+=("$t"); else t2+=("$t"); fi
  done
done
one=$(printf '%s\n' "${t1[@]}" | best)
two=$(printf '%s\n' "${t2[@]}" | best)
awk -v a="$one" -v b="$two" 'BEGIN{printf "32-point sweep: 1 core %.2f s, 2 cores %.2f s, speed-up %.2fx\n", a, b, a/b}'
