#!/bin/bash
# Byte-identity check of two vsend binaries (before/after a speed change).
#
#   benches/same_output.sh OLD_VSEND NEW_VSEND COHORT.csv [WORKDIR]
#
# COHORT.csv is a generated cohort (gen_cohort); from it come a messy copy
# (benches/messy_cohort.py: §7 duplicates, quotes, bad levels, blank and
# spaced cells, short rows, CRLF, invalid UTF-8) and a JSON Lines copy
# (benches/csv_to_jsonl.py). Each binary runs score (stdout, -o CSV, -o JSON
# Lines, --errors), validate, cohort (plain, --by setting_id, --suppress 3,
# --by age_band --as-of), transitions (2024, 2025) on those and on every
# fixture (fixtures/, fixtures/examples/, fixtures/bad/), plus the worked
# examples' own framework, suppression, timeline and transition commands.
# Every output file, stdout, stderr (its run time masked) and exit code is
# compared with cmp. Synthetic data only: nothing here is a real child's.
set -u
OLD=$1; NEW=$2; COHORT=$3; WORK=${4:-$(mktemp -d)}
HERE=$(cd "$(dirname "$0")" && pwd); F=$(dirname "$HERE")/fixtures; E=$F/examples
mkdir -p "$WORK/in"
cp "$COHORT" "$WORK/in/generated.csv"
python3 "$HERE/messy_cohort.py" "$COHORT" "$WORK/in/generated-messy.csv"
python3 "$HERE/csv_to_jsonl.py" "$COHORT" "$WORK/in/generated.jsonl"
inputs="$WORK/in/generated.csv $WORK/in/generated-messy.csv $WORK/in/generated.jsonl $F/cohort.csv $F/cohort.jsonl
  $F/cohort.xlsx $F/cohort-northshire.csv $F/history.csv $E/cohort-small.csv $E/cohort-bad-rows.csv
  $E/cohort-duplicates.csv $E/cohort-small.pandas.csv $E/history-small.csv $F/bad/*.csv $F/bad/*.jsonl
  $F/bad/xlsx-*.xlsx"
each() { # BIN OUT: every command into OUT
  local BIN=$1 OUT=$2
  rm -rf "$OUT"; mkdir -p "$OUT"
  run() {
    local name=$1; shift
    ( cd "$OUT" && "$BIN" "$@" > "$name.stdout" 2> "$name.stderr"; echo $? > "$name.rc" )
    sed -i -E 's/ in [0-9.]+ (s|ms)$/ in T/' "$OUT/$name.stderr"
  }
  for in in $inputs; do
    local b; b=$(basename "$in" | tr . _)
    run "$b.score.stdout" score "$in"
    run "$b.score.csv" score "$in" -o "$b.scored.csv" --errors "$b.score.errors.csv"
    run "$b.score.jsonl" score "$in" -o "$b.scored.jsonl"
    run "$b.validate" validate "$in" --errors "$b.validate.errors.csv"
    run "$b.validate.stderr" validate "$in"
    run "$b.cohort" cohort "$in"
    run "$b.cohort.by" cohort "$in" --by setting_id -o "$b.cohort.by.json"
    run "$b.cohort.by.sup3" cohort "$in" --by setting_id --suppress 3 -o "$b.cohort.sup3.json"
    run "$b.cohort.age" cohort "$in" --by age_band --as-of 2025-03-01
    run "$b.trans2025" transitions "$in" --year 2025 -o "$b.trans2025.json"
    run "$b.trans2024" transitions "$in" --year 2024
  done
  ( cd "$OUT" && "$BIN" score - < "$WORK/in/generated-messy.csv" > stdin.stdout 2> stdin.stderr; echo $? > stdin.rc )
  sed -i -E 's/ in [0-9.]+ (s|ms)$/ in T/' "$OUT/stdin.stderr"
  run banded.score score "$E/cohort-small.csv" --framework "$E/framework-banded.json" -o banded.jsonl
  run banded.cohort cohort "$E/cohort-small.csv" --framework "$E/framework-banded.json" --by setting_id
  run banded.messy score "$WORK/in/generated-messy.csv" --framework "$E/framework-banded.json" -o banded-messy.csv
  run banded.cohort.messy cohort "$WORK/in/generated-messy.csv" --framework "$E/framework-banded.json" --by setting_id
  run mean.score score "$F/cohort-northshire.csv" --framework "$F/framework-mean.json" -o mean.csv
  run mean.score.jsonl score "$F/cohort-northshire.csv" --framework "$F/framework-mean.json" -o mean.jsonl
  run mean.cohort cohort "$F/cohort-northshire.csv" --framework "$F/framework-mean.json" --by setting_id --suppress 3
  run sup4 cohort "$E/cohort-small.csv" --by age_band --suppress 4
  run sup3r3 cohort "$E/cohort-small.csv" --by setting_id --suppress 3 --round 3
  run timeline timeline "$E/cohort-small.csv" --child C010000011 --as-of 2025-09-01
  run transition transition "$E/cohort-small.csv" "$E/plans-small.csv"
}
# Both binaries are run as `vsend`, so that a usage message names them alike.
mkdir -p "$WORK/old" "$WORK/new"
cp "$OLD" "$WORK/old/vsend"; cp "$NEW" "$WORK/new/vsend"
each "$WORK/old/vsend" "$WORK/out-old"
each "$WORK/new/vsend" "$WORK/out-new"
(cd "$WORK/out-old" && find . -type f | sort) > "$WORK/files-old"
(cd "$WORK/out-new" && find . -type f | sort) > "$WORK/files-new"
cmp "$WORK/files-old" "$WORK/files-new" || { echo "different sets of outputs"; exit 1; }
bad=0
while read -r f; do
  cmp -s "$WORK/out-old/$f" "$WORK/out-new/$f" || { echo "DIFFERS: $f"; bad=1; }
done < "$WORK/files-old"
echo "$(wc -l < "$WORK/files-old") outputs compared (files, stdout, stderr, exit codes); $([ $bad = 0 ] && echo all byte-identical || echo SOME DIFFER)"
rm -rf "$WORK/out-old" "$WORK/out-new"
exit $bad
