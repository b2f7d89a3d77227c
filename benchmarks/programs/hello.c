/* Start-up: the whole process of a hello world (`python -m
 * wasmaot.bench.programs hello`), against wasmtime run of the same module. */
#include <stdio.h>

int main(void) {
    puts("hello, world");
    return 0;
}
