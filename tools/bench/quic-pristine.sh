#!/bin/sh
# Unpacks an unpatched @matrixai/quic 2.0.9 into $1 (default /tmp/quic-pristine) and links its
# dependencies from this repository, so quic-floor.ts --pristine can load it by path:
#   sh tools/bench/quic-pristine.sh && npx tsx tools/bench/quic-floor.ts --pristine /tmp/quic-pristine/node_modules/@matrixai/quic
set -eu
repo=$(cd "$(dirname "$0")/../.." && pwd)
dest=${1:-/tmp/quic-pristine}
rm -rf "$dest" && mkdir -p "$dest/node_modules/@matrixai"
cd "$dest"
npm pack --silent @matrixai/quic@2.0.9 >/dev/null
tar xzf matrixai-quic-2.0.9.tgz && mv package node_modules/@matrixai/quic
for d in "$repo"/node_modules/@matrixai/*; do
  [ "$(basename "$d")" = quic ] || ln -sfn "$d" "node_modules/@matrixai/$(basename "$d")"
done
ln -sfn "$repo/node_modules/ip-num" node_modules/ip-num
echo "$dest/node_modules/@matrixai/quic"
