/* Integer matrix multiply, 48x48 int32 (wrapping), several rounds, each
 * feeding the next. */
#include "fw.h"

#define N 48
#define ROUNDS 6

static int32_t A[N][N], B[N][N], C[N][N];

static void matmul(void) {
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            int32_t s = 0;
            for (int k = 0; k < N; k++) s += A[i][k] * B[k][j];
            C[i][j] = s;
        }
}

int fw_main(void) {
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            A[i][j] = (int32_t)(fw_rand() % 201) - 100;
            B[i][j] = (int32_t)(fw_rand() % 201) - 100;
        }
    uint32_t h = 0;
    for (int r = 0; r < ROUNDS; r++) {
        matmul();
        for (int i = 0; i < N; i++)
            for (int j = 0; j < N; j++) {
                h = h * 2654435761u + (uint32_t)C[i][j];
                A[i][j] = (C[i][j] >> 8) % 101;  /* keep values small */
            }
    }
    return FW_EXPECT("matmul", h, FW_EXPECT_matmul);
}
