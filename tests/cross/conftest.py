"""Cross targets under emulation: fixtures shared by tests/cross/.

The AArch64 and RISC-V 64 executables run through Debian's qemu-user
(``qemu-aarch64`` / ``qemu-riscv64``; ``scripts/install-test-deps.sh``
installs it).  Without it these tests are skipped with a visible reason --
except in CI (``CI`` set), where a missing emulator is a failure: CI must
never silently stop covering the targets.
"""
import os
import shutil

import pytest

from wasmaot.backends.targets import DEFAULT_TARGET, get_target, target_names

# Every registered target but the default one, which the rest of the suite
# covers natively (on an x86-64 build machine these run under qemu).
#: Linux targets other than the default, run under qemu-user (firmware
#: targets run under qemu-system: tests/firmware).
CROSS_TARGETS = [name for name in target_names()
                 if name != DEFAULT_TARGET and get_target(name).output_kind == "exe"]


def require_runner(target: str) -> tuple[str, ...]:
    """The command prefix that runs ``target``'s executables here; skip
    (fail in CI) if its emulator is not installed."""
    t = get_target(target)
    prefix = t.run_command_prefix()
    if prefix and shutil.which(prefix[0]) is None:
        why = (f"{prefix[0]} not installed: cannot run {target} executables "
               f"(install qemu-user: scripts/install-test-deps.sh)")
        if os.environ.get("CI"):
            pytest.fail(why)
        pytest.skip(why)
    return prefix


@pytest.fixture(scope="session")
def cross_cache(tmp_path_factory):
    """One wasmaot cache for the whole session: the runtime for each
    (target, bounds) is built once (zig builds musl for a new target once
    per machine, in its own global cache, which takes about a minute)."""
    return tmp_path_factory.mktemp("cross-cache")
