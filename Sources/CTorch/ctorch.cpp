// The C ABI over libtorch. Every entry point catches C++ exceptions and turns them into a
// failure value plus a thread-local message, so nothing unwinds into Swift.
#include "ctorch_internal.hpp"

#if !__has_include(<ATen/ATen.h>)
#error "libtorch headers not found: run `bash scripts/setup.sh` (installs libtorch into ~/.cache/dslrkit) or set LIBTORCH to a libtorch folder"
#endif

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <ATen/Version.h>
#include <ATen/core/ivalue.h>
#include <ATen/core/stack.h>
#include <ATen/core/dispatch/Dispatcher.h>
#include <ATen/detail/CUDAHooksInterface.h>
#include <c10/core/GradMode.h>
#include <torch/csrc/autograd/autograd.h>

#include <dlfcn.h>

#include <atomic>
#include <cstring>
#include <mutex>
#include <string>

#if __has_include(<torch/headeronly/version.h>)
#include <torch/headeronly/version.h>
#elif __has_include(<torch/csrc/api/include/torch/version.h>)
#include <torch/csrc/api/include/torch/version.h>
#endif

struct ct_op_s {
    c10::OperatorHandle handle;
    std::string schema;
};

namespace {
thread_local std::string last_error;
}

void ctorch::set_error(const char *message) {
    std::string text(message ? message : "unknown libtorch error");
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
    last_error = std::move(text);
}

namespace {

std::atomic<int64_t> live_tensors{0};

ct_tensor wrap(at::Tensor t) {
    live_tensors.fetch_add(1, std::memory_order_relaxed);
    return new ct_tensor_s{std::move(t)};
}

using ctorch::deref;
using ctorch::guarded;
using ctorch::set_error;

std::string shape_text(const ct_value &v) {
    return "argument of kind " + std::to_string(v.kind);
}

// Boxes one argument guided by the schema's declared type, so the Swift side can pass an
// integer where the schema wants a float, and a plain list where it wants a fixed size.
c10::IValue box(const c10::Argument &arg, const ct_value &v) {
    if (v.kind == CT_NONE) return c10::IValue();
    c10::TypePtr type = arg.type();
    if (auto opt = type->cast<c10::OptionalType>()) type = opt->getElementType();
    const auto kind = type->kind();
    const auto bad = [&]() -> c10::IValue {
        TORCH_CHECK(false, "argument '", arg.name(), "' expects ", arg.type()->str(), ", got ", shape_text(v));
    };
    switch (v.kind) {
    case CT_TENSOR:
        if (v.tensor == nullptr) return c10::IValue();
        return c10::IValue(v.tensor->tensor);
    case CT_INT:
    case CT_SCALAR_TYPE:
        if (kind == c10::TypeKind::FloatType) return c10::IValue(static_cast<double>(v.i));
        if (kind == c10::TypeKind::BoolType) return c10::IValue(v.i != 0);
        return c10::IValue(v.i);
    case CT_DOUBLE:
        if (kind == c10::TypeKind::IntType || kind == c10::TypeKind::SymIntType) {
            TORCH_CHECK(false, "argument '", arg.name(), "' expects an integer, got ", v.d);
        }
        return c10::IValue(v.d);
    case CT_BOOL:
        return c10::IValue(v.i != 0);
    case CT_STRING:
        return c10::IValue(std::string(v.str ? v.str : ""));
    case CT_DEVICE:
        return c10::IValue(c10::Device(std::string(v.str ? v.str : "cpu")));
    case CT_INTS: {
        auto list = type->cast<c10::ListType>();
        if (list && list->getElementType()->kind() == c10::TypeKind::FloatType) {
            std::vector<double> values(v.ints, v.ints + v.count);
            return c10::IValue(values);
        }
        if (list && list->getElementType()->kind() == c10::TypeKind::BoolType) {
            c10::List<bool> values;
            for (int64_t k = 0; k < v.count; ++k) values.push_back(v.ints[k] != 0);
            return c10::IValue(values);
        }
        std::vector<int64_t> values(v.ints, v.ints + v.count);
        return c10::IValue(values);
    }
    case CT_DOUBLES: {
        std::vector<double> values(v.doubles, v.doubles + v.count);
        return c10::IValue(values);
    }
    case CT_TENSORS: {
        auto list = type->cast<c10::ListType>();
        if (list && list->getElementType()->cast<c10::OptionalType>()) {
            c10::List<c10::optional<at::Tensor>> values;
            for (int64_t k = 0; k < v.count; ++k) {
                if (v.tensors[k]) values.push_back(v.tensors[k]->tensor);
                else values.push_back(c10::nullopt);
            }
            return c10::IValue(values);
        }
        std::vector<at::Tensor> values;
        values.reserve(v.count);
        for (int64_t k = 0; k < v.count; ++k) values.push_back(deref(v.tensors[k]));
        return c10::IValue(values);
    }
    default:
        return bad();
    }
}

// Flattens one returned IValue into outs.
void unbox(const c10::IValue &value, ct_value *outs, int32_t max_outs, int32_t *n) {
    auto next = [&]() -> ct_value & {
        TORCH_CHECK(*n < max_outs, "operator returned more than ", max_outs, " values");
        ct_value &slot = outs[(*n)++];
        std::memset(&slot, 0, sizeof(slot));
        return slot;
    };
    if (value.isTensor()) {
        ct_value &slot = next();
        slot.kind = CT_TENSOR;
        slot.tensor = value.toTensor().defined() ? wrap(value.toTensor()) : nullptr;
    } else if (value.isTensorList()) {
        for (const at::Tensor &t : value.toTensorVector()) {
            ct_value &slot = next();
            slot.kind = CT_TENSOR;
            slot.tensor = t.defined() ? wrap(t) : nullptr;
        }
    } else if (value.isTuple()) {
        for (const auto &element : value.toTupleRef().elements()) unbox(element, outs, max_outs, n);
    } else if (value.isInt()) {
        ct_value &slot = next();
        slot.kind = CT_INT;
        slot.i = value.toInt();
    } else if (value.isDouble()) {
        ct_value &slot = next();
        slot.kind = CT_DOUBLE;
        slot.d = value.toDouble();
    } else if (value.isBool()) {
        ct_value &slot = next();
        slot.kind = CT_BOOL;
        slot.i = value.toBool() ? 1 : 0;
    } else if (value.isScalar()) {
        const c10::Scalar s = value.toScalar();
        ct_value &slot = next();
        if (s.isIntegral(/*includeBool=*/false)) {
            slot.kind = CT_INT;
            slot.i = s.toLong();
        } else if (s.isBoolean()) {
            slot.kind = CT_BOOL;
            slot.i = s.toBool() ? 1 : 0;
        } else {
            slot.kind = CT_DOUBLE;
            slot.d = s.toDouble();
        }
    } else if (value.isNone()) {
        next().kind = CT_NONE;
    } else {
        TORCH_CHECK(false, "operator returned an unsupported value of type ", value.tagKind());
    }
}

std::string &scratch() {
    thread_local std::string text;
    return text;
}

std::once_flag cuda_once;
bool cuda_loaded = false;
std::string cuda_status_text;

std::string libtorch_dir() {
    Dl_info info{};
    if (dladdr(reinterpret_cast<void *>(&at::show_config), &info) && info.dli_fname) {
        std::string path(info.dli_fname);
        auto slash = path.rfind('/');
        return slash == std::string::npos ? std::string(".") : path.substr(0, slash);
    }
    return ".";
}

// libtorch's CUDA half registers its kernels and hooks when loaded; loading it lazily lets
// one build run on CPU-only machines (where its NVIDIA libraries are absent) and on GPUs.
void load_cuda() {
    std::call_once(cuda_once, [] {
        const char *off = std::getenv("DSLRKIT_NO_CUDA");
        if (off && *off && std::string(off) != "0") {
            cuda_status_text = "disabled by DSLRKIT_NO_CUDA";
            return;
        }
        const std::string path = libtorch_dir() + "/libtorch_cuda.so";
        if (access(path.c_str(), F_OK) != 0) {
            cuda_status_text = "CPU-only libtorch (no libtorch_cuda.so beside libtorch_cpu.so)";
            return;
        }
        if (!dlopen(path.c_str(), RTLD_NOW | RTLD_GLOBAL)) {
            const char *why = dlerror();
            cuda_status_text = std::string("libtorch_cuda.so did not load: ") + (why ? why : "unknown");
            return;
        }
        try {
            cuda_loaded = at::detail::getCUDAHooks().hasCUDA();
            const int n = cuda_loaded ? at::detail::getCUDAHooks().getNumGPUs() : 0;
            cuda_status_text = cuda_loaded ? "CUDA available, " + std::to_string(n) + " device(s)"
                                           : "libtorch_cuda.so loaded, but no CUDA device or driver";
        } catch (const std::exception &e) {
            cuda_status_text = std::string("CUDA check failed: ") + e.what();
            cuda_loaded = false;
        }
    });
}

} // namespace

extern "C" {

const char *ct_last_error(void) { return last_error.c_str(); }

void ct_free(ct_tensor t) {
    if (!t) return;
    live_tensors.fetch_sub(1, std::memory_order_relaxed);
    delete t;
}

int64_t ct_live_tensors(void) { return live_tensors.load(std::memory_order_relaxed); }

ct_tensor ct_from_bytes(const void *data, size_t nbytes, const int64_t *shape, int64_t ndim, int32_t dtype) {
    return guarded<ct_tensor>(nullptr, [&] {
        std::vector<int64_t> sizes(shape, shape + ndim);
        at::Tensor t = at::empty(sizes, at::TensorOptions().dtype(static_cast<c10::ScalarType>(dtype)));
        TORCH_CHECK(t.nbytes() == nbytes, "expected ", t.nbytes(), " bytes for shape ", t.sizes(), " of ",
                    t.scalar_type(), ", got ", nbytes);
        if (nbytes > 0) std::memcpy(t.data_ptr(), data, nbytes);
        return wrap(std::move(t));
    });
}

int ct_copy_bytes(ct_tensor t, void *dst, size_t nbytes) {
    return guarded<int>(-1, [&] {
        at::Tensor src = deref(t).detach().to(at::kCPU).contiguous();
        TORCH_CHECK(src.nbytes() == nbytes, "tensor holds ", src.nbytes(), " bytes, destination has ", nbytes);
        if (nbytes > 0) std::memcpy(dst, src.data_ptr(), nbytes);
        return 0;
    });
}

int ct_describe(ct_tensor t, int32_t *dtype, int64_t *ndim, int64_t *shape, int64_t max_ndim) {
    return guarded<int>(-1, [&] {
        const at::Tensor &x = deref(t);
        TORCH_CHECK(x.defined(), "undefined tensor");
        if (dtype) *dtype = static_cast<int32_t>(x.scalar_type());
        if (ndim) *ndim = x.dim();
        if (shape) {
            TORCH_CHECK(x.dim() <= max_ndim, "rank ", x.dim(), " exceeds ", max_ndim);
            for (int64_t k = 0; k < x.dim(); ++k) shape[k] = x.size(k);
        }
        return 0;
    });
}

int ct_device(ct_tensor t, int32_t *type, int32_t *index) {
    return guarded<int>(-1, [&] {
        const c10::Device d = deref(t).device();
        *type = static_cast<int32_t>(d.type());
        *index = d.has_index() ? d.index() : -1;
        return 0;
    });
}

ct_tensor ct_alias(ct_tensor t) {
    return guarded<ct_tensor>(nullptr, [&] { return wrap(deref(t)); });
}

int ct_requires_grad(ct_tensor t) {
    return guarded<int>(-1, [&] { return deref(t).requires_grad() ? 1 : 0; });
}

int ct_set_requires_grad(ct_tensor t, int requires_grad) {
    return guarded<int>(-1, [&] {
        deref(t).set_requires_grad(requires_grad != 0);
        return 0;
    });
}

int ct_is_leaf(ct_tensor t) {
    return guarded<int>(-1, [&] { return deref(t).is_leaf() ? 1 : 0; });
}

int ct_backward(ct_tensor t, ct_tensor grad, int retain_graph, int create_graph) {
    return guarded<int>(-1, [&] {
        at::Tensor g = grad ? grad->tensor : at::Tensor();
        deref(t).backward(g, retain_graph ? c10::optional<bool>(true) : c10::nullopt, create_graph != 0);
        return 0;
    });
}

int ct_autograd_grad(ct_tensor output, ct_tensor input, int create_graph, ct_tensor *out) {
    return guarded<int>(-1, [&] {
        const at::Tensor &y = deref(output);
        auto g = torch::autograd::grad({y}, {deref(input)}, {at::ones_like(y)}, std::nullopt, create_graph != 0, true);
        *out = g.empty() || !g[0].defined() ? wrap(at::zeros_like(deref(input))) : wrap(g[0]);
        return 0;
    });
}

int ct_grad(ct_tensor t, ct_tensor *out) {
    return guarded<int>(-1, [&] {
        const at::Tensor &g = deref(t).grad();
        *out = g.defined() ? wrap(g) : nullptr;
        return 0;
    });
}

int ct_set_grad(ct_tensor t, ct_tensor g) {
    return guarded<int>(-1, [&] {
        deref(t).mutable_grad() = g ? g->tensor : at::Tensor();
        return 0;
    });
}

int ct_set_data(ct_tensor t, ct_tensor src) {
    return guarded<int>(-1, [&] {
        deref(t).set_data(deref(src));
        return 0;
    });
}

int ct_grad_enabled(void) { return c10::GradMode::is_enabled() ? 1 : 0; }

void ct_set_grad_enabled(int enabled) { c10::GradMode::set_enabled(enabled != 0); }

ct_op ct_op_find(const char *name, const char *overload) {
    return guarded<ct_op>(nullptr, [&] {
        auto handle = c10::Dispatcher::singleton().findSchemaOrThrow(name, overload ? overload : "");
        std::string text = c10::toString(handle.schema());
        return new ct_op_s{handle, std::move(text)};
    });
}

const char *ct_op_schema(ct_op op) { return op ? op->schema.c_str() : ""; }

int ct_op_call(ct_op op, const ct_value *args, int32_t nargs, ct_value *outs, int32_t max_outs, int32_t *n_outs) {
    return guarded<int>(-1, [&] {
        TORCH_CHECK(op != nullptr, "null operator handle");
        const auto &schema = op->handle.schema();
        const auto &formal = schema.arguments();
        TORCH_CHECK(nargs >= 0 && static_cast<size_t>(nargs) <= formal.size(), schema.name(), " takes ",
                    formal.size(), " arguments, got ", nargs);
        torch::jit::Stack stack;
        stack.reserve(formal.size());
        for (size_t k = 0; k < formal.size(); ++k) {
            const bool given = static_cast<int32_t>(k) < nargs && args[k].kind != CT_DEFAULT;
            if (given) {
                stack.push_back(box(formal[k], args[k]));
            } else {
                TORCH_CHECK(formal[k].default_value().has_value(), schema.name(), ": argument '",
                            formal[k].name(), "' has no default and was not given");
                stack.push_back(*formal[k].default_value());
            }
        }
        op->handle.callBoxed(&stack);
        // Results are unboxed into temporaries first, so a failure frees what was made.
        std::vector<ct_value> results(static_cast<size_t>(std::max(max_outs, 0)));
        int32_t n = 0;
        try {
            for (const auto &value : stack) unbox(value, results.data(), max_outs, &n);
        } catch (...) {
            for (int32_t k = 0; k < n; ++k)
                if (results[k].kind == CT_TENSOR) ct_free(results[k].tensor);
            throw;
        }
        for (int32_t k = 0; k < n; ++k) outs[k] = results[k];
        *n_outs = n;
        return 0;
    });
}

void ct_manual_seed(uint64_t seed) {
    guarded<int>(-1, [&] {
        at::manual_seed(seed);
        return 0;
    });
}

ct_tensor ct_rng_state(void) {
    return guarded<ct_tensor>(nullptr, [&] {
        auto gen = at::detail::getDefaultCPUGenerator();
        std::lock_guard<std::mutex> lock(gen.mutex());
        return wrap(gen.get_state());
    });
}

int ct_set_rng_state(ct_tensor state) {
    return guarded<int>(-1, [&] {
        auto gen = at::detail::getDefaultCPUGenerator();
        std::lock_guard<std::mutex> lock(gen.mutex());
        gen.set_state(deref(state));
        return 0;
    });
}

int ct_num_threads(void) { return at::get_num_threads(); }

void ct_set_num_threads(int n) {
    guarded<int>(-1, [&] {
        at::set_num_threads(n);
        return 0;
    });
}

const char *ct_version(void) {
#if defined(TORCH_VERSION)
    return TORCH_VERSION;
#elif defined(TORCH_VERSION_MAJOR)
    static const std::string text = std::to_string(TORCH_VERSION_MAJOR) + "." + std::to_string(TORCH_VERSION_MINOR) +
                                    "." + std::to_string(TORCH_VERSION_PATCH);
    return text.c_str();
#else
    return "unknown";
#endif
}

const char *ct_library_path(void) {
    static const std::string path = libtorch_dir() + "/libtorch_cpu.so";
    return path.c_str();
}

int ct_cuda_available(void) {
    load_cuda();
    return cuda_loaded ? 1 : 0;
}

const char *ct_cuda_status(void) {
    load_cuda();
    return cuda_status_text.c_str();
}

int ct_cuda_device_count(void) {
    load_cuda();
    if (!cuda_loaded) return 0;
    return guarded<int>(0, [&] { return at::detail::getCUDAHooks().getNumGPUs(); });
}

int ct_cuda_synchronize(int device) {
    load_cuda();
    return guarded<int>(-1, [&] {
        TORCH_CHECK(cuda_loaded, "CUDA is not available: ", cuda_status_text);
        at::detail::getCUDAHooks().deviceSynchronize(static_cast<c10::DeviceIndex>(device));
        return 0;
    });
}

const char *ct_cpu_capability(void) {
    return guarded<const char *>("unknown", [&] {
#if defined(TORCH_VERSION_MAJOR) && TORCH_VERSION_MAJOR >= 2
        scratch() = at::get_cpu_capability();
#else
        // libtorch 1.x does not export its dispatch level.
        scratch() = "unknown (libtorch 1.x does not report it)";
#endif
        return scratch().c_str();
    });
}

const char *ct_build_config(void) {
    return guarded<const char *>("unknown", [&] {
        scratch() = at::show_config();
        return scratch().c_str();
    });
}

} // extern "C"
