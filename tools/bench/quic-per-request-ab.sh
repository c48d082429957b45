#!/bin/bash
# Interleaved A/B of two builds of @agentlink/transport: CPU per 64 B request (sequential and 16
# in flight, quic-transport-profile.ts) and per fleet task (8 executors, 0 ms tasks, four batches
# of 1,500, fleet-profile.ts), one line per build and run. CPU per request moves much less with
# machine load than latency or tasks/s, so this is the before/after figure on a busy machine.
#
#   git stash; npx nx run-many -t build; cp -r packages/transport/dist /tmp/ab/base; git stash pop
#   npx nx run transport:build; cp -r packages/transport/dist /tmp/ab/new
#   cp -a . /tmp/ab/ws      # a copy of the worktree: its dist is swapped per run
#   AB_WORKSPACE=/tmp/ab/ws AB_DIST_DIR=/tmp/ab RUNS=5 sh tools/bench/quic-per-request-ab.sh
set -eu
cd "${AB_WORKSPACE:?a copy of the worktree (cp -a), so the worktree itself is untouched}"
dists="${AB_DIST_DIR:?a directory holding base/ and new/, two builds of packages/transport/dist}"
D=packages/transport/dist
for i in $(seq 1 "${RUNS:-5}"); do
  for v in new base; do
    rm -rf "$D"
    cp -r "$dists/$v" "$D"
    load=$(cut -d' ' -f1 /proc/loadavg)
    seq=$(N=5000 npx tsx tools/bench/quic-transport-profile.ts 2>&1 | tail -1 |
      grep -oE "p50 [0-9.]+|[0-9.]+ ms CPU/req" | tr '\n' ' ')
    s16=$(N=10000 STREAMS=16 npx tsx tools/bench/quic-transport-profile.ts 2>&1 | tail -1 |
      grep -oE "[0-9]+ req/s|[0-9.]+ ms CPU/req" | tr '\n' ' ')
    fleet=$(EXECUTORS=8 BATCHES=4 N=1500 npx tsx tools/bench/fleet-profile.ts 2>&1 | grep batch |
      grep -oE "[0-9.]+ ms CPU/task" | cut -d' ' -f1 | tr '\n' ' ')
    echo "$i $v load $load | seq $seq| s16 $s16| fleet $fleet"
  done
done
