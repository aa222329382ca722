#!/usr/bin/env bash
# Simulated arrivals per wall-second on the base-stock model, fleetbench
# against SimPy 2.3.1 (Debian python3-simpy) on the same model, as a ratio.
set -euo pipefail
cd "$(dirname "$0")/.."
go_rate=$(go test -run '^$' -bench 'BaseStockArrivals' -benchtime 3x -cpu 1 ./sim/ | awk '/arrivals\/s/{for(i=1;i<=NF;i++) if($i=="arrivals/s") print $(i-1)}')
echo "fleetbench model: ${go_rate} arrivals/s (one core)"
if ! /usr/bin/python3 -c 'import SimPy' 2>/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-simpy) >/dev/null 2>&1 || true
  fi
fi
if /usr/bin/python3 -c 'import SimPy' 2>/dev/null; then
  py_rate=$(/usr/bin/python3 scripts/simpy_basestock.py 300 | awk '{print $2}')
  awk -v g="$go_rate" -v p="$py_rate" 'BEGIN{printf "SimPy 2.3.1:      %d arrivals/s\nratio:            %.1fx\n", p, g/p}'
else
  echo "SimPy not available (install Debian python3-simpy for the ratio)"
fi
