"""CompileOptions.static_instance: the object defines the program's one
instance block, function bodies address it as a symbol, and hosts get it
from the descriptor, once (backends/ABI.md "Static instance")."""
from __future__ import annotations

import re

import pytest

from wasmaot.backends import CompileOptions
from wasmaot.backends.link import link_executable
from wasmaot.compile import compile_bytes
from wasmaot.runtime import root

from .conftest import run

WAT = """(module
  (memory 1)
  (global $g (mut i32) (i32.const 7))
  (func $bump (param i32) (result i32)
    (global.set $g (i32.add (global.get $g) (local.get 0)))
    (i32.store (i32.const 16) (global.get $g))
    (global.get $g))
  (func (export "bump2") (param i32) (result i32)
    (drop (call $bump (local.get 0)))
    (call $bump (local.get 0)))
  (func (export "peek") (result i32) (i32.load (i32.const 16))))
"""

# A host that checks the descriptor's contract, then runs the module.
MAIN = r"""
#include <stdio.h>
#include <stdlib.h>
#include <wasmaot_rt.h>
#include "wasmaot_host.h"
extern const wasmaot_module_desc m0_module;

static uint64_t call(void *inst, const char *name, uint64_t arg) {
    const wasmaot_export_desc *e = wasmaot_host_find_export(&m0_module, name);
    uint64_t slots[1] = {arg};
    e->trampoline(inst, slots);
    return slots[0];
}

int main(void) {
    if (wasmaot_rt_init(0, NULL) != 0) return 10;
    const wasmaot_module_desc *d = &m0_module;
    /* Instantiating another block would leave the code's own untouched. */
    void *other = calloc(1, d->instance_size);
    if (d->instantiate(other) != -1) return 11;
    void *inst = wasmaot_host_alloc_instance(d);
    if (inst == NULL || inst != d->static_instance) return 12;
    if (wasmaot_host_alloc_instance(d) != NULL) return 13;   /* only once */
    if (d->instantiate(inst) != 0) return 14;
    printf("%llu ", (unsigned long long)(uint32_t)call(inst, "bump2", 5));
    /* The code ignores the instance argument: it reads its own block. */
    printf("%llu\n", (unsigned long long)(uint32_t)call(other, "peek", 0));
    return 0;
}
"""


def _opts(static: bool, bounds: str = "guard", opt_level: int = 2) -> CompileOptions:
    return CompileOptions(target="x86_64-linux", bounds=bounds, prefix="m0", static_exe=True,
                          static_instance=static, opt_level=opt_level)


def test_bodies_use_the_block_and_calls_pass_poison():
    # -O0: the emitter's text, before inlining folds the calls away
    text = compile_bytes(WAT.encode(), "t.wat", _opts(True, opt_level=0), emit="llvm").data
    # the block: instance_size + 16 zero bytes, published by the descriptor
    assert re.search(r"@m0\.static = internal global \[\d+ x i8\] zeroinitializer, align 16", text)
    assert re.search(r"@m0_module = constant \{[^}]*\} \{[^\n]*, ptr @m0\.static \}", text)
    bodies = re.findall(r"define internal \w+ i32 @m0\.f\d+\(ptr %inst\.arg[^\n]*\n(?:[^\n]*\n)*?\}", text)
    assert len(bodies) == 3
    for body in bodies:
        assert "%inst = getelementptr inbounds i8, ptr @m0.static, i64 0" in body
        assert "%inst.arg" not in body.split("\n", 1)[1]
    assert re.search(r"call \w+ i32 @m0\.f0\(ptr poison, i32 ", text)


def test_without_the_option_the_parameter_is_the_instance():
    text = compile_bytes(WAT.encode(), "t.wat", _opts(False, opt_level=0), emit="llvm").data
    assert "m0.static" not in text and "ptr poison" not in text
    assert re.search(r"define internal \w+ i32 @m0\.f0\(ptr noundef nonnull align 16 dereferenceable\(\d+\) %inst, i32", text)


@pytest.mark.parametrize("bounds", ["guard", "explicit"])
def test_host_gets_the_block_once(tmp_path, bounds):
    obj = compile_bytes(WAT.encode(), "t.wat", _opts(True, bounds), emit="obj").data
    main = tmp_path / "main.c"
    main.write_text(MAIN)
    exe = link_executable([obj], tmp_path / "p", "x86_64-linux", bounds, extra_c=[main, root() / "host" / "host_link.c"])
    r = run(exe)
    assert r.returncode == 0 and r.stdout == "17 17\n"
