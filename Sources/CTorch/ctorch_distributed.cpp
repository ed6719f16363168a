// Process groups for data-parallel training: libtorch's c10d stores (file or TCP rendezvous)
// and its Gloo process group, which live in libtorch_cpu. The torch wheel ships c10d's
// headers but not Gloo's, so Gloo's come from Debian's libgloo-dev (scripts/setup.sh); the
// Gloo classes in the headers only hold Gloo objects by pointer, so the exact Gloo version
// does not change their layout. Without those headers the entry points report why.
#include "ctorch_internal.hpp"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#if __has_include(<gloo/config.h>) && __has_include(<torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>) && \
    __has_include(<torch/types.h>)
#define CT_HAVE_GLOO 1
#ifndef USE_C10D_GLOO
#define USE_C10D_GLOO
#endif
#include <torch/csrc/distributed/c10d/FileStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#else
#define CT_HAVE_GLOO 0
#endif

using ctorch::deref;
using ctorch::guarded;

struct ct_group_s {
#if CT_HAVE_GLOO
    c10::intrusive_ptr<c10d::Store> store;
    c10::intrusive_ptr<c10d::ProcessGroupGloo> gloo;
#endif
    int rank = 0;
    int size = 1;
    std::string name; // "rank 1 of 2 (gloo, tcp 127.0.0.1:29500)", for messages
};

namespace {

const char *const no_gloo_message =
    "distributed training needs Gloo's headers when DSLRKit is built: install libgloo-dev "
    "(scripts/setup.sh does) and rebuild";
const char *const no_nccl_message =
    "the NCCL backend needs a libtorch built with CUDA and c10d's NCCL headers, which this "
    "build does not have; use the gloo backend (it reduces CUDA tensors through host copies)";

void check_backend(const std::string &backend) {
    TORCH_CHECK(backend != "nccl", no_nccl_message);
    TORCH_CHECK(backend == "gloo", "unknown distributed backend '", backend, "' (expected gloo or nccl)");
    TORCH_CHECK(CT_HAVE_GLOO, no_gloo_message);
}

// Runs body, prefixing any failure with which rank of which group failed.
template <typename F>
auto in_group(const std::string &name, const char *what, F &&body) -> decltype(body()) {
    try {
        return body();
    } catch (const c10::Error &e) {
        TORCH_CHECK(false, what, " failed for ", name, ": ", e.what_without_backtrace());
    } catch (const std::exception &e) {
        TORCH_CHECK(false, what, " failed for ", name, ": ", e.what());
    }
}

#if CT_HAVE_GLOO

bool is_loopback(const std::string &host) {
    return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

// Which local address Gloo listens on: GLOO_SOCKET_IFNAME as in PyTorch, loopback for
// single-machine rendezvous, else the address this machine's hostname resolves to.
std::shared_ptr<::gloo::transport::Device> make_device(const std::string &master) {
    if (const char *interface = std::getenv("GLOO_SOCKET_IFNAME"); interface && *interface) {
        return c10d::ProcessGroupGloo::createDeviceForInterface(interface);
    }
    if (master.empty() || is_loopback(master)) return c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1");
    return c10d::ProcessGroupGloo::createDefaultDevice();
}

void wait(const c10::intrusive_ptr<c10d::Work> &work) {
    work->wait();
}

// Tensors of one dtype, flattened into one contiguous CPU buffer for a single collective.
struct Bucket {
    std::vector<at::Tensor> members;
    at::Tensor flat;

    void pack() {
        std::vector<at::Tensor> pieces;
        pieces.reserve(members.size());
        for (const auto &t : members) pieces.push_back(t.reshape({-1}).to(at::kCPU));
        flat = pieces.size() == 1 ? pieces[0].contiguous().clone() : at::cat(pieces);
    }

    void unpack() {
        int64_t offset = 0;
        for (auto &t : members) {
            const int64_t n = t.numel();
            t.copy_(flat.narrow(0, offset, n).view(t.sizes()));
            offset += n;
        }
    }
};

// Groups tensors by dtype in first-seen order, which is the same on every rank when every
// rank passes the same list.
std::vector<Bucket> buckets(const ct_tensor *tensors, int64_t count) {
    std::vector<Bucket> out;
    for (int64_t k = 0; k < count; ++k) {
        const at::Tensor &t = deref(tensors[k]);
        auto it = std::find_if(out.begin(), out.end(),
                               [&](const Bucket &b) { return b.members[0].scalar_type() == t.scalar_type(); });
        if (it == out.end()) out.push_back(Bucket{{t}, {}});
        else it->members.push_back(t);
    }
    return out;
}

#endif

} // namespace

extern "C" {

int ct_group_backend_available(const char *backend) {
    return guarded(0, [&] {
        check_backend(backend ? backend : "");
        return 1;
    });
}

ct_group ct_group_create(const char *backend, int32_t rank, int32_t world_size, const char *master_addr,
                         int32_t master_port, const char *file_path, int64_t timeout_ms) {
    return guarded<ct_group>(nullptr, [&]() -> ct_group {
        const std::string kind = backend ? backend : "";
        check_backend(kind);
        TORCH_CHECK(world_size >= 1, "world size must be at least 1, got ", world_size);
        TORCH_CHECK(rank >= 0 && rank < world_size, "rank ", rank, " is outside 0..<", world_size);
        TORCH_CHECK(timeout_ms > 0, "timeout must be positive, got ", timeout_ms, " ms");
        const bool use_file = file_path != nullptr;
        const std::string master = master_addr ? master_addr : "";
        if (!use_file) {
            TORCH_CHECK(!master.empty(), "a TCP rendezvous needs a master address");
            TORCH_CHECK(master_port > 0 && master_port < 65536, "master port ", master_port, " is outside 1...65535");
        }
        auto group = std::make_unique<ct_group_s>();
        group->rank = rank;
        group->size = world_size;
        group->name = "rank " + std::to_string(rank) + " of " + std::to_string(world_size) + " (" + kind + ", " +
                      (use_file ? "file " + std::string(file_path) : "tcp " + master + ":" + std::to_string(master_port)) +
                      ")";
#if CT_HAVE_GLOO
        const std::chrono::milliseconds timeout(timeout_ms);
        in_group(group->name, "joining the process group", [&] {
            if (use_file) {
                group->store = c10::make_intrusive<c10d::FileStore>(file_path, world_size);
            } else {
                c10d::TCPStoreOptions options;
                options.port = static_cast<std::uint16_t>(master_port);
                options.isServer = rank == 0;
                options.numWorkers = world_size;
                // Gloo's own rendezvous below waits for every rank, under the same timeout.
                options.waitWorkers = false;
                options.timeout = timeout;
                group->store = c10::make_intrusive<c10d::TCPStore>(master, options);
            }
            group->store->setTimeout(timeout);
            auto options = c10d::ProcessGroupGloo::Options::create(timeout);
            options->devices.push_back(make_device(use_file ? std::string() : master));
            group->gloo = c10::make_intrusive<c10d::ProcessGroupGloo>(group->store, rank, world_size, options);
        });
#endif
        return group.release();
    });
}

void ct_group_free(ct_group g) {
    delete g;
}

int ct_group_all_reduce(ct_group g, const ct_tensor *tensors, int64_t count, int average) {
    return guarded(-1, [&] {
        TORCH_CHECK(g != nullptr, "null process group");
#if CT_HAVE_GLOO
        at::NoGradGuard no_grad;
        for (auto &bucket : buckets(tensors, count)) {
            TORCH_CHECK(!average || at::isFloatingType(bucket.members[0].scalar_type()),
                        "averaging needs floating-point tensors, got ", bucket.members[0].scalar_type());
            bucket.pack();
            in_group(g->name, "all-reduce", [&] {
                std::vector<at::Tensor> buffers{bucket.flat};
                wait(g->gloo->allreduce(buffers, c10d::AllreduceOptions()));
            });
            if (average) bucket.flat.div_(g->size);
            bucket.unpack();
        }
#endif
        return 0;
    });
}

int ct_group_broadcast(ct_group g, const ct_tensor *tensors, int64_t count, int32_t root) {
    return guarded(-1, [&] {
        TORCH_CHECK(g != nullptr, "null process group");
        TORCH_CHECK(root >= 0 && root < g->size, "broadcast root ", root, " is outside 0..<", g->size);
#if CT_HAVE_GLOO
        at::NoGradGuard no_grad;
        for (auto &bucket : buckets(tensors, count)) {
            bucket.pack();
            in_group(g->name, "broadcast", [&] {
                std::vector<at::Tensor> buffers{bucket.flat};
                c10d::BroadcastOptions options;
                options.rootRank = root;
                wait(g->gloo->broadcast(buffers, options));
            });
            if (g->rank != root) bucket.unpack();
        }
#endif
        return 0;
    });
}

int ct_group_barrier(ct_group g) {
    return guarded(-1, [&] {
        TORCH_CHECK(g != nullptr, "null process group");
#if CT_HAVE_GLOO
        in_group(g->name, "barrier", [&] { wait(g->gloo->barrier(c10d::BarrierOptions())); });
#endif
        return 0;
    });
}

} // extern "C"
