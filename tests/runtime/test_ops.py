"""Memory, table and signature-registry semantics, run in every runtime flavour.

`c/ops.c` performs the operations and prints one line per operation; the
expected transcript below is the specification (Wasm 2.0 bulk-memory and
reference-types semantics: bounds checked up front in 64-bit arithmetic,
nothing written on a trap, n == 0 allowed exactly at the end, dropped
segments behave as empty).
"""

import pytest

from .conftest import run

EXPECTED = """\
platform {platform}, bounds {bounds}
== memory lifecycle
new(1,max=3) -> 0 pages=1 size=65536 max=3 zeroed=yes
grow(0) -> 1 pages=1 size=65536
grow(1) -> 1 pages=2 size=131072
data kept: yes; new page zero: yes
grow(2) -> -1 pages=2 size=131072
grow(1) -> 2 pages=3 size=196608
grow(1) -> -1 pages=3 size=196608
grow(0) -> 3 pages=3 size=196608
data kept: yes; new page zero: yes
{base_stable}
capacity >= size: yes
free -> base=NULL pages=0
new(0,no max) -> 0 pages=0 max=65536 base=set
grow(65537) -> -1 pages=0 size=0
grow(4294967295) -> -1 pages=0 size=0
grow(0) -> 0 pages=0 size=0
fill(d=0,v=0x0,n=0) -> ok
fill(d=1,v=0x0,n=0) -> out of bounds memory access
checked_ptr(0,0) -> ok
grow(1) -> 0 pages=1 size=65536
new(2,max=1) -> -1
new(0,max=65537) -> -1
== bulk memory
fill(d=10,v=0x1ab,n=4) -> ok
bytes[9..15] = 00 ab ab ab ab 00
fill(d=65536,v=0x77,n=0) -> ok
fill(d=65537,v=0x77,n=0) -> out of bounds memory access
fill(d=65535,v=0x77,n=1) -> ok
fill(d=65534,v=0x66,n=3) -> out of bounds memory access
bytes[65534..65536] = 00 77
fill(d=4294967295,v=0x55,n=2) -> out of bounds memory access
fill(d=1,v=0x55,n=4294967295) -> out of bounds memory access
bytes[0..2] = 00 00
copy(d=102,s=100,n=6) -> ok
bytes[100..108] = 01 02 01 02 03 04 05 06
copy(d=100,s=102,n=6) -> ok
bytes[100..108] = 01 02 03 04 05 06 05 06
copy(d=65536,s=0,n=0) -> ok
copy(d=0,s=65536,n=0) -> ok
copy(d=65537,s=0,n=0) -> out of bounds memory access
copy(d=0,s=65537,n=0) -> out of bounds memory access
copy(d=65530,s=100,n=7) -> out of bounds memory access
bytes[65530..65536] = 00 00 00 00 00 77
copy(d=100,s=65530,n=7) -> out of bounds memory access
bytes[100..107] = 01 02 03 04 05 06 05
copy(d=200,s=0,n=2) from m2 -> ok
bytes[200..202] = ee ff
copy(d=200,s=65535,n=2) from m2 -> out of bounds memory access
init(d=300,"hello",s=0,n=5) -> ok
bytes[300..305] = 68 65 6c 6c 6f
init(d=300,"hello",s=1,n=3) -> ok
bytes[300..305] = 65 6c 6c 6c 6f
init(d=300,"hello",s=5,n=0) -> ok
init(d=300,"hello",s=6,n=0) -> out of bounds memory access
init(d=300,"hello",s=2,n=4) -> out of bounds memory access
init(d=65536,"hello",s=0,n=0) -> ok
init(d=65537,"hello",s=0,n=0) -> out of bounds memory access
init(d=65535,"hello",s=0,n=2) -> out of bounds memory access
bytes[65535..65536] = 77
init(d=0,"",s=0,n=0) -> ok
init_segment(d=400,s=0,n=3) -> ok
bytes[400..403] = 61 62 63
init_segment(d=400,s=0,n=0) dropped -> ok
init_segment(d=400,s=0,n=1) dropped -> out of bounds memory access
init_segment(d=400,s=1,n=0) dropped -> out of bounds memory access
segment_len(dropped) = 0
checked_ptr(65535,1) -> ok
checked_ptr(65535,2) -> out of bounds memory access
checked_ptr(65536,0) -> ok
checked_ptr(65537,0) -> out of bounds memory access
== tables
new(funcref,2,max=6) -> 0
table size=2 [null null]
get(1) -> ok
  = null
get(2) -> out of bounds table access
set(2,a) -> out of bounds table access
set(0,a) -> ok
grow(1,b) -> 2
grow(4,c) -> 4294967295
grow(3,c) -> 3
grow(0,c) -> 6
table size=6 [a null b c c c]
fill(1,b,2) -> ok
table size=6 [a b b c c c]
fill(6,b,0) -> ok
fill(7,b,0) -> out of bounds table access
fill(5,null,2) -> out of bounds table access
table size=6 [a b b c c c]
copy(d=2,s=0,n=3) -> ok
table size=6 [a b a b b c]
copy(d=0,s=3,n=3) -> ok
table size=6 [b b c b b c]
copy(d=6,s=0,n=0) -> ok
copy(d=7,s=0,n=0) -> out of bounds table access
copy(d=0,s=7,n=0) -> out of bounds table access
copy(d=4,s=0,n=3) -> out of bounds table access
table size=6 [b b c b b c]
init(d=1,[c null a],s=1,n=2) -> ok
table size=6 [b null a b b c]
init(d=0,s=3,n=0) -> ok
init(d=0,s=4,n=0) -> out of bounds table access
init(d=6,s=0,n=0) -> ok
init(d=7,s=0,n=0) -> out of bounds table access
init(d=5,s=0,n=2) -> out of bounds table access
table size=6 [b null a b b c]
init_segment dropped (d=0,s=0,n=0) -> ok
init_segment dropped (d=0,s=0,n=1) -> out of bounds table access
-- call_indirect
table size=6 [a b null c a b]
  called: 21
call_indirect(0,(i32)->(i32)) -> ok
  called: 140
call_indirect(1,(i32)->(i32)) -> ok
call_indirect(2,(i32)->(i32)) -> uninitialized element
call_indirect(3,(i32)->(i32)) -> indirect call type mismatch
call_indirect(6,(i32)->(i32)) -> undefined element
call_indirect(0xffffffff,(i32)->(i32)) -> undefined element
  (()->() interned again: same id yes)
call_indirect(2,()->()) -> uninitialized element
-- externref
new(externref,0,no max) -> 0 max=0xffffffff
grow(0xfffffff0) -> 0xffffffff
grow(10000001) -> 0xffffffff
grow(3,e1) -> 0
set(1,null) -> ok
get(0) = e1
get(1) = null
get(2) = e1
get(3) -> out of bounds table access
after 20 grow(1): size=23 capacity>=size: yes
new(funcref,3,max=2) -> -1
new(kind=7) -> -1
== signatures
intern("(i32)->(i32)" copy) -> 1
intern("(i64)->()") -> 3
intern("()->()") -> 2
intern(NULL) -> 0
string(3) = (i64)->()
string(0) = NULL
string(4) = NULL
filled: last id == WASMAOT_MAX_SIGNATURES: yes; further interns return 0: yes
existing still found when full: yes
all ids stable on re-intern: yes
== done
"""

# (config, extra runtime cflags, platform, bounds, does base stay put on grow)
FLAVOURS = {
    "guard": ("x86_64-linux-musl", [], "posix", "guard", True),
    # reserve nothing up front: every grow past the initial size moves base,
    # exercising the copy-and-remap path
    "explicit-moving": ("x86_64-linux-musl-explicit", ["-DWASMAOT_EXPLICIT_RESERVE_BYTES=0"], "posix", "explicit", False),
    # default reserve (4 GiB): grows commit in place
    "explicit": ("x86_64-linux-musl-explicit", [], "posix", "explicit", True),
    # freestanding core + bare-metal layer, embedder buffers (harness.h)
    "baremetal-on-host": ("host-baremetal", [], "baremetal", "explicit", True),
    # 32-bit POSIX: EXPLICIT by default, reserves nothing up front
    "i386": ("x86-linux-musl", [], "posix", "explicit", False),
}


@pytest.mark.parametrize("flavour", list(FLAVOURS))
def test_ops_transcript(builder, flavour):
    config, extra, platform, bounds, stable = FLAVOURS[flavour]
    build = builder.build(config, extra)
    proc = run(build.link("ops"))
    assert proc.stderr == ""
    assert proc.returncode == 0
    expected = EXPECTED.format(
        platform=platform,
        bounds=bounds,
        base_stable="base unchanged by grow: " + ("yes" if stable else "no"),
    )
    assert proc.stdout.splitlines() == expected.splitlines()
