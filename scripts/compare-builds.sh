#!/usr/bin/env bash
# Byte-for-byte comparison of the result files of two builds of trappe.
#
# usage: scripts/compare-builds.sh BINARY_A BINARY_B [REPLICATIONS]
#
# Runs every scenario in scenarios/ with both engines (count and individual) and with
# a trajectories file, and the check command's output, once with each binary, on the
# same seed and thread count, and compares every CSV file and the terminal output with
# `cmp`. run.toml is compared with its command line left out (it names the folder).
# Prints one line per comparison and exits 1 if any file differs.
set -euo pipefail
if [ $# -lt 2 ] || [ $# -gt 3 ]; then
  echo "usage: $0 BINARY_A BINARY_B [REPLICATIONS]" >&2
  exit 2
fi
a=$(realpath "$1"); b=$(realpath "$2"); reps=${3:-200}
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
[ -n "${KEEP:-}" ] && trap - EXIT && echo "outputs kept in $tmp"
same=0; differ=0
compare() { # label file_a file_b
  if cmp -s "$2" "$3"; then
    same=$((same + 1))
  else
    differ=$((differ + 1)); echo "DIFFERS  $1"
  fi
}
for scen in scenarios/*.toml; do
  name=$(basename "$scen" .toml)
  for engine in count individual; do
    extra=()
    [ "$engine" = individual ] && extra=(--trajectories 5)
    for side in a b; do
      mkdir -p "$tmp/$side"
      bin=$a; [ "$side" = b ] && bin=$b
      "$bin" run "$scen" -n "$reps" -j 2 --engine "$engine" "${extra[@]}" \
        --out "$tmp/$side/$name-$engine" -q >"$tmp/$side/$name-$engine.stdout" 2>&1 \
        || echo "exit $?" >>"$tmp/$side/$name-$engine.stdout"
      grep -v '^command = ' "$tmp/$side/$name-$engine/run.toml" >"$tmp/$side/$name-$engine.run" 2>/dev/null || true
    done
    for f in "$tmp/a/$name-$engine"/*.csv; do
      compare "$name $engine $(basename "$f")" "$f" "$tmp/b/$name-$engine/$(basename "$f")"
    done
    compare "$name $engine run.toml" "$tmp/a/$name-$engine.run" "$tmp/b/$name-$engine.run"
    sed "s|$tmp/a|OUT|g" "$tmp/a/$name-$engine.stdout" >"$tmp/a.s"
    sed "s|$tmp/b|OUT|g" "$tmp/b/$name-$engine.stdout" >"$tmp/b.s"
    compare "$name $engine terminal" "$tmp/a.s" "$tmp/b.s"
  done
  "$a" check "$scen" >"$tmp/check-a" 2>&1 || true
  "$b" check "$scen" >"$tmp/check-b" 2>&1 || true
  compare "$name check" "$tmp/check-a" "$tmp/check-b"
done
# Shards merged, and a calibration.
scen=scenarios/staircase-default.toml
for side in a b; do
  bin=$a; [ "$side" = b ] && bin=$b
  for i in 1 2 3; do
    "$bin" run "$scen" -n "$reps" -j 2 --shard "$i/3" --out "$tmp/$side/part$i" -q >/dev/null 2>&1
  done
  "$bin" merge "$tmp/$side"/part1 "$tmp/$side"/part2 "$tmp/$side"/part3 --out "$tmp/$side/merged" -q \
    >/dev/null 2>&1 || "$bin" merge "$tmp/$side"/part1 "$tmp/$side"/part2 "$tmp/$side"/part3 \
    --out "$tmp/$side/merged" >/dev/null 2>&1
  "$bin" calibrate scenarios/aalborg-2018-refugees.toml --observed scenarios/observed/aalborg-2018-outflow.csv \
    -n 20 --max-evaluations 30 --out "$tmp/$side/calibrated.toml" >"$tmp/$side/calibrate.stdout" 2>&1 || true
  # The elapsed time is the one line that may differ between two runs of one build.
  sed -i -e "s|$tmp/$side|OUT|g" -e "s/ evaluations in [0-9.]* s;/ evaluations in (time);/" "$tmp/$side/calibrate.stdout"
done
for f in "$tmp/a/merged"/*.csv; do
  compare "merged shards $(basename "$f")" "$f" "$tmp/b/merged/$(basename "$f")"
done
compare "calibrated scenario" "$tmp/a/calibrated.toml" "$tmp/b/calibrated.toml"
compare "calibrate terminal" "$tmp/a/calibrate.stdout" "$tmp/b/calibrate.stdout"

echo "$same identical, $differ differ ($reps replications per run)"
[ "$differ" -eq 0 ]
