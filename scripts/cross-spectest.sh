#!/bin/sh
# Full cross-target spec matrix under qemu-user: every Wasm 2.0 top-level
# .wast of the spec suite, for aarch64-linux and riscv64-linux, in both
# bounds modes, through `wasmaot spectest` (execution mode).  Prints one
# summary line per (target, bounds) and exits 1 if anything failed.
#
#   scripts/cross-spectest.sh [SUITE_DIR] [extra wasmaot spectest options...]
#
#   SUITE_DIR  default: ../shared/spec-testsuite next to the repository
#   TARGETS    env, default "aarch64-linux riscv64-linux"
#   BOUNDS     env, default "guard explicit"
#   EXCLUDE    env, default "" (a --exclude glob, e.g. EXCLUDE='simd_*')
#   LOGDIR     env, default a temp dir; full per-file output goes there
#
# Needs qemu-user (scripts/install-test-deps.sh).  About 30-65 s per cell on
# 2 cores (~3 min for the matrix) once zig's cache is warm; the first run on
# a machine builds musl for each target with zig (about a minute each).
set -u

here=$(cd "$(dirname "$0")/.." && pwd)
suite=${1:-$here/../shared/spec-testsuite}
[ $# -gt 0 ] && shift
targets=${TARGETS:-aarch64-linux riscv64-linux}
bounds_modes=${BOUNDS:-guard explicit}
exclude=${EXCLUDE-}
logdir=${LOGDIR:-$(mktemp -d "${TMPDIR:-/tmp}/wasmaot-cross.XXXXXX")}
mkdir -p "$logdir"

if [ ! -d "$suite" ]; then
    echo "cross-spectest: spec suite not found: $suite" >&2
    exit 2
fi
for t in $targets; do
    q=qemu-${t%%-*}
    if ! command -v "$q" >/dev/null 2>&1; then
        echo "cross-spectest: $q not found (run scripts/install-test-deps.sh)" >&2
        exit 2
    fi
done

set --  "$@"
[ -n "$exclude" ] && set -- --exclude "$exclude" "$@"

status=0
summary=""
for t in $targets; do
    for b in $bounds_modes; do
        log=$logdir/$t-$b.log
        start=$(date +%s)
        wasmaot spectest --target "$t" --bounds "$b" "$@" "$suite" >"$log" 2>&1
        rc=$?
        secs=$(( $(date +%s) - start ))
        last=$(tail -n 1 "$log")
        grep -v '^ok ' "$log" | grep -v "^$last\$" | head -n 40
        line=$(printf '%-14s %-8s %s  (%ss)' "$t" "$b" "$last" "$secs")
        echo "$line"
        summary="$summary$line
"
        [ $rc -ne 0 ] && status=1
    done
done
echo
echo "== cross spec matrix (${exclude:+excluding $exclude; }logs in $logdir)"
printf '%s' "$summary"
exit $status
