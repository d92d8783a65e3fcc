#!/usr/bin/env bash
# The command-line tool end to end: a grey-box tuning study driven through a study file
# (init with ASHA, ask, report until stopped, tell, best), and the errors a user meets.
# Usage: run.sh <path of the prospect executable>
set -euo pipefail
prospect=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
fail() { echo "cli test: $*" >&2; exit 1; }
cat >space.json <<'JSON'
{"parameters": [{"name": "x", "type": "real", "lower": 0, "upper": 1, "scale": "linear"},
                {"name": "lr", "type": "real", "lower": 1e-4, "upper": 1, "scale": "log"}]}
JSON
"$prospect" init --study s.json --space space.json --scheduler asha --max-resource 9 \
  --surrogate cqr --seed 3 >/dev/null
grep -q '"type": "asha"' s.json || fail "the study file does not record the ASHA scheduler"
grep -q '"type": "cqr"' s.json || fail "the study file does not record the CQR surrogate"
grep -q '"quantile_ts"' s.json || fail "--surrogate cqr did not pick the quantile_ts acquisition"
stopped=0
for trial in 0 1 2 3 4 5 6 7; do
  line=$("$prospect" ask --study s.json)
  [[ $line == *"\"id\":$trial"* ]] || fail "ask gave '$line', expected trial $trial"
  value=0
  for step in 1 2 3 4 5 6 7 8 9; do
    # A learning curve that ranks the trials by id: later trials are worse.
    value=$(awk -v t="$trial" -v s="$step" 'BEGIN { printf "%.6f", t + 5 / s }')
    out=$("$prospect" report --study s.json --id "$trial" --step "$step" --value "$value")
    if [[ $out == *'"should_stop":true'* ]]; then stopped=$((stopped + 1)); break; fi
    [[ $out == *'"should_stop":false'* ]] || fail "report gave '$out'"
  done
  "$prospect" tell --study s.json --id "$trial" --value "$value"
done
# Every trial after the first is worse than all before it, so the n-th at rung 1 ranks n - 1,
# never within the best ceil(n / 3) for n >= 2: ASHA stops all but trial 0 there.
[[ $stopped -eq 7 ]] || fail "$stopped of 8 steadily worse trials were stopped, expected 7"
best=$("$prospect" best --study s.json)
[[ $best == *'"id":0'* ]] || fail "best gave '$best', expected trial 0 (the best full run)"
# Errors: exit status 2 and a message naming the parameter; the study is unchanged.
if "$prospect" report --study s.json --id 99 --step 1 --value 1 2>err.txt; then
  fail "a report on an unknown trial succeeded"
fi
grep -q "trial id" err.txt || fail "unknown trial: message '$(cat err.txt)'"
"$prospect" --device cpu ask --study s.json >/dev/null
if "$prospect" --device gpu ask --study s.json 2>err.txt; then
  fail "an unknown device was accepted"
fi
grep -q "device" err.txt || fail "unknown device: message '$(cat err.txt)'"
id=$(grep -o '"id":[0-9]*' <<<"$("$prospect" show --study s.json | tail -1)" | cut -d: -f2)
if "$prospect" report --study s.json --id "$id" --step 10 --value 1 2>err.txt; then
  fail "a step beyond max_resource succeeded"
fi
grep -q "max_resource" err.txt || fail "step beyond max_resource: message '$(cat err.txt)'"
[[ $("$prospect" show --study s.json | tail -1) == *'"intermediate":[]'* ]] ||
  fail "a refused report changed the study"
echo "cli test: ok ($stopped of 8 trials stopped)"
