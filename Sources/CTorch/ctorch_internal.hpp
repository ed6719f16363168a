// Shared between the shim's C++ files (never seen by Swift): the tensor handle's layout and
// the exception-to-message guard every entry point uses.
#pragma once

#include "ctorch.h"

#include <ATen/ATen.h>

#include <exception>
#include <string>

struct ct_tensor_s {
    at::Tensor tensor;
};

namespace ctorch {

/// Records `message` as the calling thread's ct_last_error().
void set_error(const char *message);

// Runs body; on a C++ exception records its message and returns `failure`.
template <typename R, typename F>
R guarded(R failure, F &&body) {
    try {
        return body();
    } catch (const c10::Error &e) {
        set_error(e.what_without_backtrace());
    } catch (const std::exception &e) {
        set_error(e.what());
    } catch (...) {
        set_error("unknown C++ exception in libtorch");
    }
    return failure;
}

inline at::Tensor &deref(ct_tensor t) {
    TORCH_CHECK(t != nullptr, "null tensor handle");
    return t->tensor;
}

} // namespace ctorch
