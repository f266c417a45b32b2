#!/bin/bash
# Byte-for-byte comparison of `rank` between two installs (issue 17):
#   bench/compare_rank.sh OLD/bin/scenecat OLD.db NEW/bin/scenecat NEW.db FILE.jsonl.meta.json
# OLD.db and NEW.db hold the same catalogue (e.g. NEW.db a copy of OLD.db that NEW upgraded).
# Runs each variant with both, compares stdout and stderr with cmp, prints one line per case
# (with each side's wall time) and exits 1 if any differs.
set -u
OLD=$1 OLD_DB=$2 NEW=$3 NEW_DB=$4 META=$5
OUT=$(mktemp -d)
BUSY=$(python3 -c "import json,sys;print(json.load(open(sys.argv[1]))['busiest_actor'])" "$META")
TYP=$(python3 -c "import json,sys;print(json.load(open(sys.argv[1]))['typical_actor'])" "$META")
cases=(
 ""
 "--kind kiss"
 "--network tvN"
 "--actor|$BUSY"
 "--actor|$TYP"
 "--by drama"
 "--by actor"
 "--by couple --kind kiss"
 "--min-votes 3"
 "--method votes"
 "--method duels --limit 5"
 "--method views --limit 5"
 "--w-views 0.6 --limit 5"
 "--w-duels 0 --limit 50"
 "--limit 500 --json"
 "--explain --limit 30"
 "--kind kiss --json --limit 100"
 "--year 2016..2020 --by drama --json"
)
i=0; fail=0
for c in "${cases[@]}"; do
  i=$((i+1))
  if [[ "$c" == *"|"* ]]; then IFS='|' read -r f v <<< "$c"; args=("$f" "$v" --json); else read -ra args <<< "$c"; fi
  t0=$(date +%s.%N); "$OLD" --db "$OLD_DB" rank "${args[@]}" > "$OUT/old-$i.out" 2> "$OUT/old-$i.err"; t1=$(date +%s.%N)
  "$NEW" --db "$NEW_DB" rank "${args[@]}" > "$OUT/new-$i.out" 2> "$OUT/new-$i.err"; t2=$(date +%s.%N)
  if cmp -s "$OUT/old-$i.out" "$OUT/new-$i.out" && cmp -s "$OUT/old-$i.err" "$OUT/new-$i.err"; then r=same; else r=DIFFERENT; fail=1; fi
  printf "%-42s %-9s old %6.2fs new %6.2fs (%s lines)\n" "rank ${args[*]}" $r "$(echo "$t1-$t0" | bc)" "$(echo "$t2-$t1" | bc)" "$(wc -l < "$OUT/new-$i.out")"
done
rm -rf "$OUT"
exit $fail
