/* Expected results of the kernels (fw.h FW_EXPECT): integer arithmetic
 * only, so every build, wasm or native, on any core, must give exactly
 * these.  Recompute after changing a kernel:
 * `python -m wasmaot.bench.firmware_instr --calibrate` prints them. */
#define FW_EXPECT_crc32 0x1f3e1c0eu
#define FW_EXPECT_fir 0x0249d326u
#define FW_EXPECT_matmul 0xe553d3dfu
#define FW_EXPECT_statemachine 0x11191557u
#define FW_EXPECT_sort 0x5846b619u
#define FW_EXPECT_packet 0x647b641eu
