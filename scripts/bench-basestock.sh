#!/usr/bin/env bash
# Simulated arrivals per wall-second on the base-stock model, fleetbench
# against SimPy 2.3.1 (Debian python3-simpy) on the same model and sizes,
# as ratios.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! /usr/bin/python3 -c 'import SimPy' 2>/dev/null && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-simpy) >/dev/null 2>&1 || true
fi
go test -run '^$' -bench 'BaseStockArrivals' -benchtime 3x -cpu 1 ./sim/ |
  awk '/arrivals\/s/{split($1, a, "="); sub(/-[0-9]+$/, "", a[2]); for(i=1;i<=NF;i++) if($i=="arrivals/s") print a[2], $(i-1)}' |
  while read -r lambda rate; do
    case "$lambda" in 20) size=300 ;; *) size=2000 ;; esac
    line=$(printf 'λ=%-4s fleetbench %9.0f arrivals/s (one core)' "$lambda" "$rate")
    if /usr/bin/python3 -c 'import SimPy' 2>/dev/null; then
      py=$(/usr/bin/python3 scripts/simpy_basestock.py "$lambda" "$size" | awk '{print $2}')
      line+=$(awk -v g="$rate" -v p="$py" 'BEGIN{printf "   SimPy 2.3.1 %7.0f arrivals/s   ratio %.1fx", p, g/p}')
    else
      line+="   (install Debian python3-simpy for the SimPy ratio)"
    fi
    echo "$line"
  done
