/* Expected results of the kernels (fw.h FW_EXPECT): integer arithmetic
 * only, so every build, wasm or native, on any core, must give exactly
 * these.  Recompute after changing a kernel:
 * `python -m wasmaot.bench.firmware_instr --calibrate` prints them.
 * A -DFW_EXPECT_<name>=... on the command line wins (the tests give a wrong
 * one to see the check fail). */
#ifndef FW_EXPECT_crc32
#define FW_EXPECT_crc32 0x1f3e1c0eu
#endif
#ifndef FW_EXPECT_fir
#define FW_EXPECT_fir 0x0249d326u
#endif
#ifndef FW_EXPECT_matmul
#define FW_EXPECT_matmul 0xe553d3dfu
#endif
#ifndef FW_EXPECT_statemachine
#define FW_EXPECT_statemachine 0x11191557u
#endif
#ifndef FW_EXPECT_sort
#define FW_EXPECT_sort 0x5846b619u
#endif
#ifndef FW_EXPECT_packet
#define FW_EXPECT_packet 0x647b641eu
#endif
