/* The same workload with a wrong expected checksum: the harness must report FAIL. */
#define EXPECT_WRONG 1
#include "tiny_ok.c"
