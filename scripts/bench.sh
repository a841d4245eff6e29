#!/usr/bin/env bash
# bench.sh: build the release preset and run hs_bench (our library against OpenSSL's libssl and
# GnuTLS in one process; see bench/bench.cc and README.md, "Performance").
#
#   ./scripts/bench.sh                      timed table: medians of 5 runs with their spread
#   ./scripts/bench.sh --reps 9 --seconds 1 more and longer runs (any hs_bench flag passes through)
#   ./scripts/bench.sh --callgrind          instruction counts per scenario and side under
#                                           valgrind's callgrind: stable on a busy machine, for
#                                           judging a change (installs valgrind when missing)
#   HS_BENCH_FILTER="full tls1.3" ./scripts/bench.sh --callgrind   one family of scenarios
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
./scripts/setup.sh

callgrind=0
args=()
for a in "$@"; do
  if [[ "$a" == "--callgrind" ]]; then
    callgrind=1
  else
    args+=("$a")
  fi
done

launcher=()
if command -v ccache >/dev/null 2>&1; then
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
fi
cmake --preset release "${launcher[@]}" >/dev/null
cmake --build --preset release --target hs_bench
BENCH="$ROOT/build/release/bench/hs_bench"

if [[ $callgrind -eq 0 ]]; then
  exec "$BENCH" ${HS_BENCH_FILTER:+--filter "$HS_BENCH_FILTER"} "${args[@]}"
fi

# valgrind is needed here only (no test uses it), so it is installed here, not by setup.sh.
if ! command -v valgrind >/dev/null 2>&1; then
  SUDO=()
  if [[ "$(id -u)" -ne 0 ]]; then SUDO=(sudo); fi
  "${SUDO[@]}" apt-get update -q
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
    valgrind
fi

out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
# Collection is off at start; hs_bench toggles it around one side's calls and dumps one file per
# scenario, library and side, labelled "scenario|library|side|count|unit".
valgrind --tool=callgrind --collect-atstart=no --callgrind-out-file="$out/cg.%p" \
  "$BENCH" --callgrind ${HS_BENCH_FILTER:+--filter "$HS_BENCH_FILTER"} "${args[@]}" \
  >"$out/log" 2>&1 || { cat "$out/log"; exit 1; }

python3 - "$out" <<'EOF'
import glob, re, sys
rows = {}
order = []
for path in glob.glob(sys.argv[1] + "/cg.*.*"):
    label = total = None
    for line in open(path, errors="replace"):
        if line.startswith("desc: Trigger: Client Request: "):
            label = line.split("Client Request: ", 1)[1].strip()
        elif line.startswith("totals:"):
            total = int(line.split()[1])
    if not label or total is None:
        continue
    scenario, lib, side, count, unit = label.split("|")
    key = (scenario, side)
    if key not in rows:
        rows[key] = {"unit": unit}
        order.append(key)
    rows[key][lib] = total / int(count)
order.sort()
print(f"{'scenario':36} {'side':6} {'unit':9} {'ours':>12} {'openssl':>12} {'ratio':>6} "
      f"{'gnutls':>12} {'ratio':>6} {'limit':>12}")
for key in order:
    r = rows[key]
    ours, ossl, gnu, lim = r.get("ours"), r.get("openssl"), r.get("gnutls"), r.get("limit")
    fmt = lambda v: f"{v/1e3:11.0f}k" if v else f"{'-':>12}"
    ratio = lambda other: f"{other/ours:5.2f}x" if ours and other else "     -"
    print(f"{key[0]:36} {key[1]:6} {'Ir/'+r['unit']:9} {fmt(ours)} {fmt(ossl)} {ratio(ossl)} "
          f"{fmt(gnu)} {ratio(gnu)} {fmt(lim)}")
print("(instructions per handshake or per MiB; ratio = other/ours, above 1 means fewer for us)")
EOF
