"""Trap delivery: messages, exit status 134, real faults, stack exhaustion,
and wasmaot_rt_try surviving many and nested traps.

Expected messages and numbers come from backends/abi.py (the one Python
definition, itself pinned to the spec testsuite's wording by
tests/ir/test_numerics.py), so the runtime must print exactly what the
compiler and the spec runner expect.
"""

import signal

import pytest

from wasmaot.backends import abi

from .conftest import run

TRAP_EXIT = abi.TRAP_EXIT_CODE  # 134 = 128 + SIGABRT, exit()ed, not raised

# code -> message the runtime must print
MESSAGES = {int(c): c.message for c in abi.TrapCode}

CONFIGS = {
    "guard": ("x86_64-linux-musl", []),
    "explicit": ("x86_64-linux-musl-explicit", ["-DWASMAOT_EXPLICIT_RESERVE_BYTES=0"]),
    "i386": ("x86-linux-musl", []),
}


@pytest.fixture(scope="module", params=list(CONFIGS))
def traps(request, builder):
    config, extra = CONFIGS[request.param]
    return request.param, builder.build(config, extra).link("traps")


@pytest.fixture(scope="module")
def guard_traps(builder):
    return builder.build("x86_64-linux-musl").link("traps")


def assert_trap(proc, message, stdout=""):
    assert proc.stderr == f"wasm trap: {message}\n"
    assert proc.returncode == TRAP_EXIT
    assert proc.stdout == stdout


@pytest.mark.parametrize("code", sorted(MESSAGES))
def test_every_trap_code_message_and_exit_status(traps, code):
    _, exe = traps
    assert_trap(run(exe, "code", str(code)), MESSAGES[code])


def test_unknown_code_still_reports(traps):
    _, exe = traps
    assert_trap(run(exe, "code", str(len(abi.TrapCode) + 1)), "unknown trap")
    assert_trap(run(exe, "code", "0xffffffff"), "unknown trap")
    # code 0 ("no trap") must not make wasmaot_rt_run report success
    assert_trap(run(exe, "code", "0"), "unknown trap")


def test_buffered_stdout_survives_a_trap(traps):
    _, exe = traps
    assert_trap(run(exe, "output-then-trap"), "unreachable", stdout="partial output, no newline")


# ------------------------------------------------------------ guard faults


def test_guard_store_inside_memory_is_fine(guard_traps):
    proc = run(guard_traps, "guard-store", "0xffff")  # last byte of the 1-page memory
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "stored\n", "")


@pytest.mark.parametrize(
    "offset",
    [
        "0x10000",  # first byte past the committed page
        "0xffffffff",  # largest i32 index, offset 0
        "0x1fffffffe",  # largest index + largest static offset the backend may fold
        "0x20000ffff",  # last byte of the 8 GiB + 64 KiB reservation
    ],
)
def test_guard_fault_is_out_of_bounds_trap(guard_traps, offset):
    assert_trap(run(guard_traps, "guard-store", offset), "out of bounds memory access")


def test_guard_fault_without_try_frame(guard_traps):
    # delivered from the signal handler itself (write + _exit path)
    assert_trap(run(guard_traps, "guard-store-notry", "0x10000"), "out of bounds memory access")


def test_fault_outside_any_reservation_is_a_crash_not_a_trap(traps):
    # A runtime/compiler bug must stay visible: SIGSEGV death, no trap text.
    _, exe = traps
    proc = run(exe, "null-store")
    assert proc.returncode == -signal.SIGSEGV
    assert "wasm trap" not in proc.stderr


def test_user_sent_sigsegv_is_not_a_trap(traps):
    _, exe = traps
    proc = run(exe, "raise-segv")
    assert proc.returncode == -signal.SIGSEGV
    assert proc.stdout == "" and proc.stderr == ""


def test_real_division_by_zero_maps_to_trap(traps):
    _, exe = traps
    assert_trap(run(exe, "div-zero"), "integer divide by zero")


# ------------------------------------------------------- stack exhaustion


@pytest.mark.parametrize("stack_mib", [8, 1, 64])
def test_unbounded_c_recursion_is_call_stack_exhausted(traps, stack_mib):
    # No checks in the recursion: the guard page faults, the handler runs on
    # the alternate stack and recognizes the stack window.
    _, exe = traps
    assert_trap(run(exe, "stack-unchecked", stack_bytes=stack_mib << 20), "call stack exhausted")


@pytest.mark.parametrize("stack_mib", [8, 1, 64])
def test_explicit_stack_check_traps_at_the_limit(traps, stack_mib):
    _, exe = traps
    proc = run(exe, "stack-checked", stack_bytes=stack_mib << 20)
    assert_trap(
        proc,
        "call stack exhausted",
        stdout="limit set: yes\ntrapped at the limit: yes\ndepth > 10000: yes\n",
    )


# ------------------------------------------------------- try: repeat, nest


def test_hundred_traps_in_one_process(traps):
    # unreachable, guard fault (GUARD) / bulk OOB (EXPLICIT), unchecked and
    # checked stack overflow, in rotation; memory writes before each trap
    # must persist after it.
    _, exe = traps
    proc = run(exe, "loop", "100")
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "100 traps caught, 0 wrong\n", "")


def test_nested_try_frames(traps):
    _, exe = traps
    proc = run(exe, "nested")
    assert_trap(
        proc,
        "indirect call type mismatch",
        stdout=(
            "inner: start\n"
            "middle: inner returned 8 (integer overflow)\n"
            "inner: start\n"
            "middle: inner returned 9 (invalid conversion to integer)\n"
            "middle: now trapping itself\n"
            "outer: middle returned 6 (undefined element)\n"
            "ok_fn: ran\n"
            "outer: ok_fn returned 0, out=0\n"
            "ok_fn: ran\n"
            "outer: ok_fn returned 0 with out=NULL\n"
        ),
    )
