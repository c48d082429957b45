#!/bin/sh
# Builds the library-era QuicTransport (commit 1238f2e: @matrixai/quic's JavaScript classes plus
# the repository's former patches) into $1 (default /tmp/agentlink-quic-library), next to this
# checkout's node_modules, for tools/bench/quic-endpoint-vs-library.ts --baseline:
#   sh tools/bench/quic-library-baseline.sh && npx tsx tools/bench/quic-endpoint-vs-library.ts
# Needs this checkout's `npm ci` and its resilience build (npx nx run resilience:build).
set -eu
repo=$(cd "$(dirname "$0")/../.." && pwd)
dest=${1:-/tmp/agentlink-quic-library}
commit=1238f2e
rm -rf "$dest" && mkdir -p "$dest/node_modules/@matrixai" "$dest/node_modules/@agentlink"
git -C "$repo" archive "$commit" packages/transport tsconfig.base.json patches | tar -x -C "$dest"
cd "$dest"
for d in "$repo"/node_modules/*; do
  case $(basename "$d") in @matrixai|@agentlink) ;; *) ln -s "$d" "node_modules/$(basename "$d")" ;; esac
done
for d in "$repo"/node_modules/@matrixai/*; do
  case $(basename "$d") in
    quic|async-locks) cp -r "$d" "node_modules/@matrixai/$(basename "$d")" ;;
    *) ln -s "$d" "node_modules/@matrixai/$(basename "$d")" ;;
  esac
done
ln -s "$repo/packages/resilience" node_modules/@agentlink/resilience
patch -p1 -s < "patches/@matrixai+quic+2.0.9.patch"
patch -p1 -s < "patches/@matrixai+async-locks+5.0.2.patch"
cd packages/transport && "$repo/node_modules/.bin/tsup" --no-dts >/dev/null
echo "$dest/packages/transport/dist/index.js"
