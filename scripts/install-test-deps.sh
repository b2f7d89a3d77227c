#!/bin/sh
# Install the system packages the test suite needs beyond the Python ones
# (`pip install -e '.[test]'` covers those):
#
#   qemu-user   qemu-aarch64 / qemu-riscv64 run the AArch64 and RISC-V 64
#               executables the cross tests (tests/cross/) and
#               `wasmaot spectest --target aarch64-linux|riscv64-linux` produce.
#               The executables are static (musl), so no binfmt or sysroot is
#               needed: the emulator is invoked explicitly (Target.run_prefix).
#   qemu-system-arm  runs the Cortex-M firmware images (tests/firmware/,
#               `wasmaot compile --target cortex-m3`) on qemu's boards
#               (mps2-an385, lm3s6965evb), output and exit over semihosting.
#   qemu-system-misc  qemu-system-riscv32, the same for rv32imac images
#               (riscv32 `virt`).
#   nodejs, npm  npm installs @bytecodealliance/jco (into the test cache, on
#               first use), whose preview1 command adapter turns the WASI test
#               programs into WASI 0.2 command components
#               (tests/wasi/test_component_programs.py).
#   wrk          the HTTP load generator of the wasi:http load bench
#               (`python -m wasmaot.bench.http_load`, benchmarks/http_load.py):
#               requests/s and latency percentiles against `wasmtime serve`
#               and our compiled server.
#
# Idempotent and fast when everything is already installed: apt is only
# touched when a tool is missing.  Debian/Ubuntu (apt-get); run as root or
# with sudo available.
set -eu

need=""
for tool in qemu-aarch64 qemu-riscv64; do
    command -v "$tool" >/dev/null 2>&1 || need="qemu-user"
done
command -v qemu-system-arm >/dev/null 2>&1 || need="$need qemu-system-arm"
command -v qemu-system-riscv32 >/dev/null 2>&1 || need="$need qemu-system-misc"
command -v npm >/dev/null 2>&1 || need="$need nodejs npm"
command -v wrk >/dev/null 2>&1 || need="$need wrk"
need="${need# }"

if [ -z "$need" ]; then
    echo "install-test-deps: qemu-user, qemu-system-arm, qemu-system-misc, npm and wrk already installed ($(qemu-aarch64 --version | head -n1); npm $(npm --version))"
    exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "install-test-deps: apt-get not found; install $need (qemu-aarch64, qemu-riscv64, qemu-system-arm, qemu-system-riscv32, npm, wrk) with your package manager" >&2
    exit 1
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO="sudo"
    else
        echo "install-test-deps: need root (or sudo) to apt-get install $need" >&2
        exit 1
    fi
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends $need
echo "install-test-deps: installed $need ($(qemu-system-arm --version | head -n1))"
