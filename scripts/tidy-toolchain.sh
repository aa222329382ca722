#!/usr/bin/env bash
# Regenerates clusters/toolchain/modules/NAME.{mod,sum} after a version bump:
# each is a go.mod/go.sum pair, stored under another name because go:embed
# refuses files of a nested module. Usage: scripts/tidy-toolchain.sh [NAME...]
set -euo pipefail
dir=$(cd "$(dirname "$0")/../clusters/toolchain/modules" && pwd)
names=("$@")
[ ${#names[@]} -gt 0 ] || names=(etcd kubernetes kubernetes-node kwok karpenter coredns kruise kruise-game keda)
for n in "${names[@]}"; do
  tmp=$(mktemp -d)
  cp "$dir/$n.mod" "$tmp/go.mod"
  [ -f "$dir/$n.sum" ] && cp "$dir/$n.sum" "$tmp/go.sum"
  (cd "$tmp" && GOWORK=off go mod tidy)
  cp "$tmp/go.mod" "$dir/$n.mod"
  cp "$tmp/go.sum" "$dir/$n.sum"
  rm -rf "$tmp"
  echo "tidied $n"
done
