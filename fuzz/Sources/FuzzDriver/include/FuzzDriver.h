#ifndef DSLRKIT_FUZZ_DRIVER_H
#define DSLRKIT_FUZZ_DRIVER_H

/// Runs libFuzzer on the executable's LLVMFuzzerTestOneInput with the command line's
/// options, as libFuzzer's own main does.
///
/// SwiftPM on Linux compiles an executable module's entry point as <Module>_main and links
/// `main` to it (--defsym), so that tests can link the module; a fuzz target has no entry
/// point of its own (-parse-as-library), so each defines <Module>_main as this function.
int dslrkit_fuzz_main(int argc, char **argv);

#endif
