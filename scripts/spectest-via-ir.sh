#!/bin/sh
# The whole Wasm 2.0 top level plus extended-const, in execution mode, with
# every module compiled from its printed IR text (translate, print, parse,
# verify, compile: `wasmaot spectest --via-ir`), so every spec assertion also
# checks that the IR text form carries the whole module.  CI runs a handful
# of scripts this way (tests/cli/test_ir_input.py); this is the slow, whole
# check.  Exits 1 if anything failed.
#
#   scripts/spectest-via-ir.sh [SUITE_DIR] [extra wasmaot spectest options...]
#
#   SUITE_DIR  default: ../shared/spec-testsuite next to the repository
#   e.g.       scripts/spectest-via-ir.sh "" --bounds explicit -j 2
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
suite=${1:-$here/../shared/spec-testsuite}
[ $# -gt 0 ] && shift
if [ ! -d "$suite" ]; then
    echo "spectest-via-ir: spec suite not found: $suite" >&2
    exit 2
fi
exec python -m wasmaot spectest --via-ir "$suite" "$suite/proposals/extended-const" "$@"
