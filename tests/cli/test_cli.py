"""The command line as a user meets it: real subprocesses, exit codes, one-line errors."""
import pathlib
import subprocess
import sys

REPO = pathlib.Path(__file__).resolve().parents[2]
HELLO = REPO / "examples" / "hello.wat"


def wasmaot(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "wasmaot", *map(str, args)],
                          capture_output=True, text=True, cwd=cwd, timeout=120)


def test_validate_bundled_example():
    r = wasmaot("validate", HELLO)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == f"{HELLO}: valid"


def test_inspect_shows_structure():
    r = wasmaot("inspect", HELLO)
    assert r.returncode == 0, r.stderr
    out = r.stdout
    for needle in ['import "wasi_snapshot_preview1" "fd_write"'.replace("import ", "func[0] "),
                   '"fac": func[2]', '"_start": func[3]', "memory[0]: min 1 pages",
                   "data[0]: 13 bytes", "types: 4"]:
        assert needle in out, (needle, out)
    assert "offset 0x" in out and "size " in out


def test_inspect_names_module_types_and_address_types(tmp_path):
    """Typed references show the module's type index (not the process-wide
    canonical id the frontend carries), ref.null its heap type, and tables
    and memories their i64 address type and page size."""
    wat = tmp_path / "t.wat"
    wat.write_text("(module (type $a (func (param i32))) (type $b (func (result i64)))"
                   " (table i64 3 (ref null $b)) (memory i64 1 2) (memory 1 (pagesize 1))"
                   " (global (ref null $b) (ref.null $b)) (func (param (ref $b))))")
    r = wasmaot("inspect", wat)
    assert r.returncode == 0, r.stderr
    for needle in ["table[0]: i64 (ref null $1) min 3", "memory[0]: i64 min 1, max 2 pages",
                   "memory[1]: min 1 pages, page size 1",
                   "global[0]: (ref null $1) = ref.null $1", "[2] [(ref $1)] -> []"]:
        assert needle in r.stdout, (needle, r.stdout)


def test_inspect_binary_and_name_section(tmp_path):
    # the text parser may add a name section for $identifiers; either way the
    # binary form must inspect the same as the text form apart from the header
    from wasmaot.frontend.text import parse_wat
    wasm = tmp_path / "hello.wasm"
    wasm.write_bytes(parse_wat(HELLO.read_text()))
    a, b = wasmaot("inspect", wasm), wasmaot("inspect", HELLO)
    assert a.returncode == b.returncode == 0
    assert a.stdout.splitlines()[1:] == b.stdout.splitlines()[1:]


def test_malformed_binary_is_one_line_with_offset(tmp_path):
    bad = tmp_path / "bad.wasm"
    bad.write_bytes(b"\0asm\x01\0\0\0\x01\x05\x01\x60\x00")   # truncated type section
    for cmd in ("inspect", "validate"):
        r = wasmaot(cmd, bad)
        assert r.returncode == 1
        lines = r.stderr.strip().splitlines()
        assert len(lines) == 1, r.stderr
        assert lines[0].startswith(f"wasmaot: error: {bad}:0x"), lines[0]
        assert "malformed" in lines[0] and "Traceback" not in r.stderr


def test_invalid_module_names_offset(tmp_path):
    """An invalid module: a binary names the byte offset, text the line:col
    (issue 11: a .wat file's error used to carry the offset of its binary)."""
    from wasmaot.frontend.text import parse_wat
    f = tmp_path / "bad.wat"
    f.write_text("(module (func (result i32) (i64.const 0)))")
    b = tmp_path / "bad.wasm"
    b.write_bytes(parse_wat(f.read_text()))
    for path, where in ((b, "0x"), (f, "1:")):
        r = wasmaot("validate", path)
        assert r.returncode == 1
        assert r.stderr.startswith(f"wasmaot: error: {path}:{where}"), r.stderr
        assert "type mismatch" in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_text_syntax_error_names_line_and_column(tmp_path):
    f = tmp_path / "bad.wat"
    f.write_text("(module\n  (func (i32.bogus)))\n")
    r = wasmaot("validate", f)
    assert r.returncode == 1
    assert r.stderr.startswith(f"wasmaot: error: {f}:2:"), r.stderr
    assert "unknown operator" in r.stderr


def test_missing_file_and_directory(tmp_path):
    r = wasmaot("inspect", tmp_path / "nope.wasm")
    assert r.returncode != 0 and "nope.wasm" in r.stderr and "Traceback" not in r.stderr
    r = wasmaot("validate", tmp_path)
    assert r.returncode != 0 and "Traceback" not in r.stderr


def test_validate_many_files_reports_each(tmp_path):
    bad = tmp_path / "x.wasm"
    bad.write_bytes(b"junk")
    r = wasmaot("validate", HELLO, bad)
    assert r.returncode == 1
    assert f"{HELLO}: valid" in r.stdout
    assert "magic header not detected" in r.stderr


def test_help_lists_commands():
    r = wasmaot("--help")
    assert r.returncode == 0
    for c in ("inspect", "validate", "spectest"):
        assert c in r.stdout
