#!/usr/bin/env bash
# test.sh: every test, as CI runs it (.ci/run calls exactly this).
#
#   1. setup.sh             install missing packages (no-op when all are present)
#   2. dev                  gcc Debug build, ctest (unit + interop); not in the default run:
#                           the asan stage builds and runs the same suite with sanitizers
#   3. asan                 gcc ASan+UBSan build, ctest (the whole suite, interop included)
#   4. fuzz                 clang libFuzzer build; each target runs briefly on a copy of its corpus
#   5. format               clang-format-16 --dry-run -Werror on src include tools tests bench examples
#   6. banned calls         scripts/check_banned.py (memcpy & co., libssl)
#
# Every stage runs even when an earlier one failed, so one run shows every problem. Counts: one
# per stage, plus one per ctest test and one per fuzz target. The last line is
# "N passed, N failed"; the exit status is non-zero when anything failed.
#
# Environment knobs: HS_JOBS (default 2), HS_FUZZ_SECONDS (per target, default 6),
# HS_STAGES (space-separated subset of: setup dev asan fuzz format banned; default all but dev,
# which repeats the asan stage without sanitizers and would push CI on 2 cores past 30 minutes).
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="$(pwd)"
JOBS="${HS_JOBS:-2}"
FUZZ_SECONDS="${HS_FUZZ_SECONDS:-6}"
STAGES="${HS_STAGES:-setup asan fuzz format banned}"
export CMAKE_BUILD_PARALLEL_LEVEL="$JOBS"
export CTEST_PARALLEL_LEVEL="$JOBS"

PASSED=0
FAILED=0
REPORT=()
LOGDIR="$(mktemp -d "${TMPDIR:-/tmp}/hs-test.XXXXXX")"
trap 'rm -rf "$LOGDIR"' EXIT
START_ALL=$SECONDS

banner() { printf '\n==== %s ====\n' "$*"; }
want() { [[ " $STAGES " == *" $1 "* ]]; }

# record NAME STATUS SECONDS [DETAIL]: count one stage result and remember it for the summary.
record() {
  local name="$1" status="$2" secs="$3" detail="${4:-}"
  if [[ "$status" -eq 0 ]]; then
    PASSED=$((PASSED + 1))
    REPORT+=("$(printf '%-28s ok     %4ss %s' "$name" "$secs" "$detail")")
  else
    FAILED=$((FAILED + 1))
    REPORT+=("$(printf '%-28s FAILED %4ss %s' "$name" "$secs" "$detail")")
  fi
}

# step NAME CMD...: run CMD, count it as one result.
step() {
  local name="$1"
  shift
  banner "$name"
  local t0=$SECONDS
  "$@"
  local rc=$?
  record "$name" "$rc" $((SECONDS - t0))
  return "$rc"
}

# run_ctest PRESET: run the preset's tests and count each test.
run_ctest() {
  local preset="$1"
  banner "$preset: ctest"
  local log="$LOGDIR/ctest-$preset.log" t0=$SECONDS
  ctest --preset "$preset" --output-on-failure 2>&1 | tee "$log"
  local rc=${PIPESTATUS[0]}
  local secs=$((SECONDS - t0))
  local line total failed
  line="$(grep -E 'tests passed, [0-9]+ tests? failed out of [0-9]+' "$log" | tail -1)"
  if [[ -n "$line" ]]; then
    total="$(sed -E 's/.* out of ([0-9]+).*/\1/' <<<"$line")"
    failed="$(sed -E 's/.*passed, ([0-9]+) tests? failed.*/\1/' <<<"$line")"
    PASSED=$((PASSED + total - failed))
    FAILED=$((FAILED + failed))
    if [[ "$rc" -ne 0 && "$failed" -eq 0 ]]; then
      FAILED=$((FAILED + 1))  # ctest failed for another reason (e.g. discovery)
    fi
    REPORT+=("$(printf '%-28s %-6s %4ss %s' "$preset: ctest" "$([[ $rc -eq 0 ]] && echo ok || echo FAILED)" "$secs" \
      "$((total - failed)) of $total tests passed")")
  else
    # No summary: nothing ran (ctest crashed or found no tests) - that is a failure.
    FAILED=$((FAILED + 1))
    REPORT+=("$(printf '%-28s FAILED %4ss %s' "$preset: ctest" "$secs" "no test ran")")
  fi
}

# preset_build_and_test PRESET: configure, build, ctest. The build keeps going past errors (-k 0)
# and ctest runs even after a failed build, so one broken module does not hide every other
# module's results; the failed build itself still counts as a failure.
preset_build_and_test() {
  local preset="$1"
  if step "$preset: configure" cmake --preset "$preset"; then
    step "$preset: build" cmake --build --preset "$preset" -j "$JOBS" -- -k 0
    run_ctest "$preset"
  fi
}

# fuzz_one NAME EXE CORPUS: run one fuzz target on a private copy of its corpus; writes the exit
# status to $LOGDIR/fuzz-NAME.rc and the log to $LOGDIR/fuzz-NAME.log.
fuzz_one() {
  local name="$1" exe="$2" corpus="$3"
  local work="$LOGDIR/fuzz-$name"
  mkdir -p "$work/corpus" "$work/artifacts"
  if [[ -d "$corpus" ]]; then
    cp -R "$corpus/." "$work/corpus/"
  fi
  "$exe" -max_total_time="$FUZZ_SECONDS" -timeout=5 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$work/artifacts/" "$work/corpus" >"$LOGDIR/fuzz-$name.log" 2>&1
  local rc=$?
  if [[ $rc -ne 0 ]] && compgen -G "$work/artifacts/*" >/dev/null; then
    # Keep what crashed where a developer can find it after the temp dir is gone.
    mkdir -p "$ROOT/build/fuzz/artifacts/$name"
    cp "$work/artifacts/"* "$ROOT/build/fuzz/artifacts/$name/"
  fi
  echo "$rc" >"$LOGDIR/fuzz-$name.rc"
}

fuzz_stage() {
  local t0=$SECONDS
  banner "fuzz: configure"
  if ! cmake --preset fuzz; then
    record "fuzz: configure" 1 $((SECONDS - t0))
    return
  fi
  local manifest="$ROOT/build/fuzz/fuzz_targets.txt"
  if [[ ! -s "$manifest" ]]; then
    echo "no fuzz targets in $manifest"
    record "fuzz: targets found" 1 $((SECONDS - t0))
    return
  fi
  local names=() exes=() corpora=()
  while IFS=$'\t' read -r name exe corpus; do
    names+=("$name")
    exes+=("$exe")
    corpora+=("$corpus")
  done <"$manifest"

  banner "fuzz: build ${#names[@]} targets"
  local targets=()
  for name in "${names[@]}"; do targets+=("fuzz_$name"); done
  # Delete old executables first: whichever exists after the build was built from today's
  # sources. -k 0: keep going, so a target that does not compile does not stop the others.
  rm -f "${exes[@]}"
  cmake --build "$ROOT/build/fuzz" -j "$JOBS" --target "${targets[@]}" -- -k 0
  local build_secs=$((SECONDS - t0))

  banner "fuzz: run each target ${FUZZ_SECONDS}s on its corpus ($JOBS at a time)"
  local t1=$SECONDS i built=()
  for i in "${!names[@]}"; do
    if [[ -x "${exes[$i]}" ]]; then
      built+=("$i")
      if [[ ! -d "${corpora[$i]}" ]] || [[ -z "$(ls -A "${corpora[$i]}")" ]]; then
        echo "warning: fuzz_${names[$i]} has no seed corpus in ${corpora[$i]}"
      fi
      while [[ $(jobs -rp | wc -l) -ge $JOBS ]]; do wait -n; done
      fuzz_one "${names[$i]}" "${exes[$i]}" "${corpora[$i]}" &
    else
      echo "$(printf '%-28s' "fuzz_${names[$i]}") does not build"
      echo 255 >"$LOGDIR/fuzz-${names[$i]}.rc"
      echo "build failed (see the fuzz build output above)" >"$LOGDIR/fuzz-${names[$i]}.log"
    fi
  done
  wait
  local run_secs=$((SECONDS - t1))
  local ok=0 bad=0
  for name in "${names[@]}"; do
    local rc execs
    rc="$(cat "$LOGDIR/fuzz-$name.rc")"
    execs="$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$LOGDIR/fuzz-$name.log" |
      grep -oE '[0-9]+$' || true)"
    if [[ "$rc" -eq 0 ]]; then
      ok=$((ok + 1))
      PASSED=$((PASSED + 1))
      printf '  fuzz_%-28s ok      %s runs\n' "$name" "${execs:-?}"
    else
      bad=$((bad + 1))
      FAILED=$((FAILED + 1))
      printf '  fuzz_%-28s FAILED  (exit %s)\n' "$name" "$rc"
      echo "---- fuzz_$name log (last 40 lines) ----"
      tail -40 "$LOGDIR/fuzz-$name.log"
      if [[ -d "$ROOT/build/fuzz/artifacts/$name" ]]; then
        echo "---- reproducer(s) kept in build/fuzz/artifacts/$name/ ----"
      fi
    fi
  done
  REPORT+=("$(printf '%-28s %-6s %4ss %s' "fuzz: build + run" "$([[ $bad -eq 0 ]] && echo ok || echo FAILED)" \
    $((SECONDS - t0)) "$ok of ${#names[@]} targets ok (build ${build_secs}s, run ${run_secs}s)")")
}

format_check() {
  local files
  mapfile -t files < <(find src include tools tests bench examples -type f \( -name '*.cc' -o -name '*.h' \) \
    2>/dev/null | sort)
  echo "checking ${#files[@]} files"
  [[ ${#files[@]} -eq 0 ]] || clang-format-16 --dry-run -Werror "${files[@]}"
}

if want setup; then
  step "setup" ./scripts/setup.sh
fi
if want dev; then
  preset_build_and_test dev
fi
if want asan; then
  preset_build_and_test asan
fi
if want fuzz; then
  fuzz_stage
fi
if want format; then
  step "format (clang-format-16)" format_check
fi
if want banned; then
  step "banned calls, no libssl" python3 scripts/check_banned.py
fi

banner "summary ($(((SECONDS - START_ALL) / 60))m $(((SECONDS - START_ALL) % 60))s)"
printf '%s\n' "${REPORT[@]}"
echo
echo "$PASSED passed, $FAILED failed"
[[ "$FAILED" -eq 0 ]]
