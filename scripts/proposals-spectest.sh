#!/bin/sh
# The Wasm 3.0 matrix without GC, per target and bounds mode: the spec
# suite's proposal folders, proposals/wasm-3.0 (its GC files are the one
# explicit list in spec-tests/expected_failures.py), the exception-handling
# scripts with their legacy forms, and wasmtime's own regression tests of
# these proposals (`--harness wasmtime`, the component folders aside: they
# have their own suite).  Prints one summary line per cell and exits 1 if
# anything failed.
#
#   scripts/proposals-spectest.sh [SHARED_DIR]
#
#   SHARED_DIR default: ../shared next to the repository (spec-testsuite/,
#              wasmtime-misc-tests/)
#   TARGETS    env, default "x86_64-linux aarch64-linux riscv64-linux"
#   BOUNDS     env, default "guard explicit"
#   LOGDIR     env, default a temp dir; full per-file output goes there
#
# Needs qemu-user for the cross targets (scripts/install-test-deps.sh).
# About 2-3 minutes per cell on 2 cores; CI runs a subset of each proposal,
# mostly on x86-64 (tests/spectest/).
set -u

here=$(cd "$(dirname "$0")/.." && pwd)
shared=${1:-$here/../shared}
targets=${TARGETS:-x86_64-linux aarch64-linux riscv64-linux}
bounds_modes=${BOUNDS:-guard explicit}
logdir=${LOGDIR:-$(mktemp -d "${TMPDIR:-/tmp}/wasmaot-proposals.XXXXXX")}
mkdir -p "$logdir"

S=$shared/spec-testsuite/proposals
if [ ! -d "$S/wasm-3.0" ] || [ ! -d "$shared/wasmtime-misc-tests" ]; then
    echo "proposals-spectest: spec-testsuite/proposals or wasmtime-misc-tests not found under $shared" >&2
    exit 2
fi
for t in $targets; do
    case $t in x86_64-*) continue ;; esac
    q=qemu-${t%%-*}
    if ! command -v "$q" >/dev/null 2>&1; then
        echo "proposals-spectest: $q not found (run scripts/install-test-deps.sh)" >&2
        exit 2
    fi
done

status=0
summary=""
# run NAME ARGS...: one wasmaot spectest run, its last line into the summary
run() {
    name=$1; shift
    log=$logdir/$name.log
    start=$(date +%s)
    wasmaot spectest -j 2 "$@" >"$log" 2>&1
    rc=$?
    last=$(tail -n 1 "$log")
    grep -v '^ok ' "$log" | grep -v '^xfail ' | grep -v "^$last\$" | head -n 20
    line=$(printf '%-40s %s  (%ss)' "$name" "$last" "$(( $(date +%s) - start ))")
    echo "$line"
    summary="$summary$line
"
    [ $rc -ne 0 ] && status=1
}

for t in $targets; do
    for b in $bounds_modes; do
        run "$t-$b-proposals" --target "$t" --bounds "$b" \
            "$S/tail-call" "$S/multi-memory" "$S/memory64" "$S/function-references" \
            "$S/relaxed-simd" "$S/custom-page-sizes" "$S/wide-arithmetic" "$S/wasm-3.0"
        run "$t-$b-exceptions" -r --target "$t" --bounds "$b" \
            "$S/exception-handling" "$S/wasm-3.0/legacy"
        run "$t-$b-wasmtime-misc" -r --harness wasmtime --exclude 'component-model*' \
            --target "$t" --bounds "$b" "$shared/wasmtime-misc-tests"
    done
done
echo
echo "== proposals matrix (logs in $logdir)"
printf '%s' "$summary"
exit $status
