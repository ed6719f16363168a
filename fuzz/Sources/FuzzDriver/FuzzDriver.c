#include "FuzzDriver.h"

#include <stddef.h>
#include <stdint.h>

// libFuzzer's entry points (compiler-rt's FuzzerInterface.h): the one each executable
// defines, and the driver libFuzzer's main calls.
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*test)(const uint8_t *data, size_t size));

int dslrkit_fuzz_main(int argc, char **argv) {
    return LLVMFuzzerRunDriver(&argc, &argv, LLVMFuzzerTestOneInput);
}
