"""The executable cache's key covers the compiler itself: an edited pass or
backend (Python) must not be served from an executable cached before the
edit, as the runtime's C sources already were not."""
from wasmaot import compile as driver
from wasmaot.backends import CompileOptions


def test_digest_covers_compiler_and_runtime_sources():
    names = {name for name, _ in driver.digest_inputs()}
    # The package folders keep their names in a checkout (ir/...) and are
    # renamed when installed (wasmaot.ir lives in .../ir all the same).
    for expected in ("backends/codegen.py", "frontend/validate.py", "ir/passes/trapelim.py",
                     "ir/translate/tables.py", "core/trap.c"):
        assert any(n.endswith(expected) for n in names), expected
    assert any(n.startswith("wasi-shim/") and n.endswith(".c") for n in names)


def test_editing_a_source_changes_the_key(tmp_path, monkeypatch):
    src = tmp_path / "pass.py"
    src.write_text("x = 1\n")
    monkeypatch.setattr(driver, "digest_inputs", lambda: [("ir/pass.py", src)])
    opts = CompileOptions()
    digest = driver._sources_digest.__wrapped__
    monkeypatch.setattr(driver, "_sources_digest", digest)
    before = driver.cache_key(b"\0asm", opts)
    src.write_text("x = 2\n")
    assert driver.cache_key(b"\0asm", opts) != before
    assert driver.cache_key(b"\0asm", opts) == driver.cache_key(b"\0asm", opts)
