"""IR text as compiler input: `wasmaot compile x.wasm --emit ir -o x.ir &&
wasmaot compile x.ir -o x` gives an executable that behaves as the direct
compile (same stdout, stderr and exit status); `--verify-ir`; one-line
errors for IR that does not parse or verify; and the spec runner's
`--via-ir` mode on a handful of scripts (the whole suite that way:
scripts/spectest-via-ir.sh)."""
import os
import re
import subprocess
import sys

import pytest

from .test_compile import EXPECTED_TRAPS, HELLO, TRAPS, wasmaot

C_PROGRAM = r"""
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
static const char *words[] = {"alpha", "beta", "gamma"};   /* data + relocated pointers */
static int cmp(const void *a, const void *b) { return strcmp(*(char **)b, *(char **)a); }
int main(int argc, char **argv) {
    const char *w[3] = {words[0], words[1], words[2]};
    qsort(w, 3, sizeof w[0], cmp);                          /* call_indirect through the table */
    printf("%s %s %s argc=%d\n", w[0], w[1], w[2], argc);
    FILE *f = argc > 1 ? fopen(argv[1], "r") : NULL;
    if (!f) { perror("open"); return 3; }
    char b[32]; size_t n = fread(b, 1, sizeof b, f); fwrite(b, 1, n, stdout);
    const char *e = getenv("K"); printf("K=%s\n", e ? e : "-");
    return 0;
}
"""


def both_ways(tmp_path, src, *flags):
    """(direct executable, executable compiled from the --emit ir text)."""
    direct, via, ir = tmp_path / "direct", tmp_path / "via", tmp_path / "m.ir"
    r = wasmaot("compile", src, "-o", direct, *flags)
    assert r.returncode == 0, r.stderr
    r = wasmaot("compile", src, "--emit", "ir", "-o", ir)
    assert r.returncode == 0, r.stderr
    r = wasmaot("compile", ir, "-o", via, "--verify-ir", *flags)
    assert (r.returncode, r.stderr) == (0, ""), r.stderr
    return direct, via


def same_behaviour(direct, via, *args, **kw):
    a = subprocess.run([direct, *args], capture_output=True, timeout=60, **kw)
    b = subprocess.run([via, *args], capture_output=True, timeout=60, **kw)
    assert (b.returncode, b.stdout, _depth(b.stderr)) == (a.returncode, a.stdout, _depth(a.stderr)), args
    return a


def _depth(stderr: bytes) -> bytes:
    """A trap's backtrace with the count of elided frames blanked: how deep
    the stack was when it ran out depends on frame sizes, which two builds
    need not share."""
    return re.sub(rb"\.\.\. \d+ more frames", b"... N more frames", stderr)


def test_hello_world_via_ir(tmp_path):
    direct, via = both_ways(tmp_path, HELLO)
    assert same_behaviour(direct, via).stdout == b"hello, world\n"


def test_every_export_and_trap_via_ir(tmp_path):
    src = tmp_path / "traps.wat"
    src.write_text(TRAPS)
    direct, via = both_ways(tmp_path, src, "--bounds", "explicit")
    for export in EXPECTED_TRAPS:
        r = same_behaviour(direct, via, "--invoke", export)
        assert r.returncode == 134, export
    assert same_behaviour(direct, via, "--invoke", "fac", "20").stdout == b"2432902008176640000\n"


def test_spec_module_exports_via_ir(tmp_path, suite):
    """The first module of the spec's fac.wast: every export it tests."""
    text = (suite / "fac.wast").read_text()
    first = text[text.index("(module"):text.index("(assert_return")]
    src = tmp_path / "fac.wat"
    src.write_text(first)
    direct, via = both_ways(tmp_path, src)
    exports = re.findall(r'\(func \$?\S* ?\(export "([^"]+)"\)', first)
    assert len(exports) >= 5
    for name in exports:
        assert same_behaviour(direct, via, "--invoke", name, "25").returncode == 0, name


def test_c_program_with_wasi_via_ir(tmp_path):
    """A real C program (libc, data, function table): the WASI shim is linked
    because the IR module's imports say so; grants behave the same."""
    prog = tmp_path / "p.c"
    prog.write_text(C_PROGRAM)
    wasm = tmp_path / "p.wasm"
    subprocess.run([sys.executable, "-m", "ziglang", "cc", "-target", "wasm32-wasi", "-O2",
                    str(prog), "-o", str(wasm)], check=True)
    data = tmp_path / "d"
    data.mkdir()
    (data / "x.txt").write_text("granted\n")
    direct, via = both_ways(tmp_path, wasm, "--dir", f"{data}::/d", "--env", "K=v")
    r = same_behaviour(direct, via, "/d/x.txt")
    assert r.stdout == b"gamma beta alpha argc=2\ngranted\nK=v\n"
    assert same_behaviour(direct, via, "/etc/passwd").returncode == 3


def test_run_ir_and_content_detection(tmp_path):
    ir = tmp_path / "t.ir"
    src = tmp_path / "t.wat"
    src.write_text(TRAPS)
    assert wasmaot("compile", src, "--emit", "ir", "-o", ir).returncode == 0
    env = {**os.environ, "WASMAOT_CACHE_DIR": str(tmp_path / "cache")}
    r = wasmaot("run", "--verify-ir", ir, "--invoke", "fac", "10", env=env)
    assert (r.returncode, r.stdout) == (0, "3628800\n"), r.stderr
    noext = tmp_path / "noext"                 # no extension: IR by content
    noext.write_text("; a comment first\n" + ir.read_text())
    r = wasmaot("compile", noext, "--emit", "ir")
    assert r.returncode == 0 and "function %fac(i64) -> i64" in r.stdout, r.stderr
    wat = tmp_path / "watnoext"                # ... and WAT by content
    wat.write_text(";; wat\n" + TRAPS)
    assert wasmaot("compile", wat, "--emit", "ir").stdout == r.stdout


@pytest.mark.parametrize("edit,message", [
    (("    return v", "    return v9999, v"), r"t\.ir:\d+:\d+: malformed: undefined value v9999"),
    (("export \"fac\" fn", "export \"fac\" sig"), r"t\.ir:\d+:\d+: malformed: expected fnN"),
    (("iconst.i64 1\n", "iconst.i32 1\n"), r"t\.ir: invalid: function %fac, .* \(I5\)"),
])
def test_bad_ir_is_a_one_line_user_error(tmp_path, edit, message):
    ir = tmp_path / "t.ir"
    src = tmp_path / "t.wat"
    src.write_text(TRAPS)
    assert wasmaot("compile", src, "--emit", "ir", "-o", ir).returncode == 0
    text = ir.read_text()
    assert edit[0] in text
    ir.write_text(text.replace(edit[0], edit[1], 1))
    r = wasmaot("compile", "t.ir", "-o", "x", cwd=tmp_path)
    assert r.returncode == 1 and r.stdout == "", r.stderr
    assert r.stderr.count("\n") == 1 and re.match("wasmaot: error: " + message, r.stderr), r.stderr


def test_help_tells_about_verify_ir_and_ir_input():
    for cmd in ("compile", "run"):
        r = wasmaot(cmd, "--help")
        assert "--verify-ir" in r.stdout and "after every pass" in r.stdout
    assert ".ir file" in wasmaot("--help").stdout


SPEC_VIA_IR = ["start.wast", "data.wast", "elem.wast", "global.wast", "names.wast",
               "linking.wast", "imports.wast", "exports.wast"]


def test_spectest_via_ir(suite):
    """A handful of scripts with every module compiled from its IR text
    (data, elements, start, globals, names, imports/exports, linking)."""
    r = subprocess.run([sys.executable, "-m", "wasmaot", "spectest", "--via-ir",
                        *(str(suite / n) for n in SPEC_VIA_IR)],
                       capture_output=True, text=True, timeout=900)
    last = r.stdout.strip().splitlines()[-1]
    m = re.fullmatch(r"(\d+) passed, (\d+) failed, (\d+) skipped", last)
    assert m and m.group(2) == "0" and r.returncode == 0, r.stdout[-3000:] + r.stderr[-2000:]
    assert int(m.group(1)) > 1000
