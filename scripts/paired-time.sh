#!/usr/bin/env bash
# Paired CPU time of two builds of trappe, robust to the machine's drift in speed.
#
# usage: scripts/paired-time.sh SCENARIO REPLICATIONS ROUNDS BINARY_A BINARY_B
#
# Each round runs both binaries at the same time, one on each of the first two cores
# (taskset), with one worker thread each, and measures each one's CPU time (perf stat,
# task-clock); the cores are swapped every round. Prints each round's times and ratio
# B/A, then the median ratio: below 1 means B is faster. Needs perf and taskset
# (Debian: linux-perf, util-linux). docs/benchmarks.md says when and how to use it.
set -euo pipefail
if [ $# -ne 5 ]; then
  echo "usage: $0 SCENARIO REPLICATIONS ROUNDS BINARY_A BINARY_B" >&2
  exit 2
fi
scen=$1; reps=$2; rounds=$3; a=$4; b=$5
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
run() { # binary core tag -> task-clock in ms on stdout (written to a file)
  taskset -c "$2" perf stat -x, -e task-clock -o "$tmp/$3.stat" \
    "$1" run "$scen" -n "$reps" -j 1 --out "$tmp/out-$3" --force -q >/dev/null
  awk -F, '/task-clock/ {print $1}' "$tmp/$3.stat"
}
for ((r = 0; r < rounds; r++)); do
  if ((r % 2 == 0)); then ca=0; cb=1; else ca=1; cb=0; fi
  run "$a" "$ca" a >"$tmp/a.ms" &
  pa=$!
  run "$b" "$cb" b >"$tmp/b.ms" &
  pb=$!
  wait "$pa" "$pb"
  ta=$(cat "$tmp/a.ms"); tb=$(cat "$tmp/b.ms")
  ratio=$(awk -v a="$ta" -v b="$tb" 'BEGIN {printf "%.4f", b / a}')
  echo "round $((r + 1)): A $ta ms, B $tb ms, B/A $ratio"
  echo "$ratio" >>"$tmp/ratios"
done
sort -g "$tmp/ratios" | awk '{v[NR] = $1} END {
  m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
  printf "median B/A over %d rounds: %.4f (min %.4f, max %.4f)\n", NR, m, v[1], v[NR]
}'
