/*
 * ctorch.h: the C ABI between DSLRKit's Swift code and libtorch.
 *
 * Kept deliberately small: tensors are opaque owned handles, and every ATen operator is
 * reached through one generic, schema-checked call (ct_op_find + ct_op_call) instead of a
 * C function per op. C++ exceptions never cross this boundary: a failing call returns a
 * failure value and leaves libtorch's message in ct_last_error() for the calling thread.
 */
#ifndef CTORCH_H
#define CTORCH_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** An owned reference to one at::Tensor. Free exactly once with ct_free. */
typedef struct ct_tensor_s *ct_tensor;
/** A resolved operator (lives as long as the process; never freed). */
typedef struct ct_op_s *ct_op;

/** c10::ScalarType codes for the dtypes DSLRKit uses. */
enum {
    CT_DTYPE_UINT8 = 0,
    CT_DTYPE_INT8 = 1,
    CT_DTYPE_INT16 = 2,
    CT_DTYPE_INT32 = 3,
    CT_DTYPE_INT64 = 4,
    CT_DTYPE_FLOAT16 = 5,
    CT_DTYPE_FLOAT32 = 6,
    CT_DTYPE_FLOAT64 = 7,
    CT_DTYPE_BOOL = 11,
    CT_DTYPE_BFLOAT16 = 15,
};

/** Kinds of ct_value, the boxed argument / result of ct_op_call. */
enum {
    CT_NONE = 0,      /* None (an absent optional) */
    CT_DEFAULT = 1,   /* use the schema's default for this argument */
    CT_TENSOR = 2,    /* tensor (NULL tensor = None) */
    CT_INT = 3,       /* i */
    CT_DOUBLE = 4,    /* d */
    CT_BOOL = 5,            /* i != 0 */
    CT_INTS = 6,      /* ints[0..<count] */
    CT_DOUBLES = 7,   /* doubles[0..<count] */
    CT_TENSORS = 8,   /* tensors[0..<count]; for Tensor?[] a NULL entry is None */
    CT_STRING = 9,    /* str */
    CT_DEVICE = 10,   /* str, e.g. "cpu", "cuda:1" */
    CT_SCALAR_TYPE = 11, /* i, a CT_DTYPE_<dtype> code */
};

typedef struct ct_value {
    int32_t kind;
    int64_t i;
    double d;
    const int64_t *ints;
    const double *doubles;
    const ct_tensor *tensors;
    int64_t count;
    const char *str;
    ct_tensor tensor;
} ct_value;

/* ---- errors and lifetime ---- */

/** The message of the calling thread's last failure (valid until its next failing call). */
const char *ct_last_error(void);
/** Frees a handle; NULL is ignored. */
void ct_free(ct_tensor t);
/** Handles created and not yet freed, process-wide (for leak tests). */
int64_t ct_live_tensors(void);

/* ---- data in and out ---- */

/** A new CPU tensor holding a copy of `nbytes` bytes; NULL on failure. */
ct_tensor ct_from_bytes(const void *data, size_t nbytes, const int64_t *shape, int64_t ndim, int32_t dtype);
/** Copies the tensor's elements (row-major, its own dtype) into dst; 0 on success. */
int ct_copy_bytes(ct_tensor t, void *dst, size_t nbytes);
/** dtype code, rank, and (if shape is not NULL) the sizes; 0 on success. */
int ct_describe(ct_tensor t, int32_t *dtype, int64_t *ndim, int64_t *shape, int64_t max_ndim);
/** c10::DeviceType (0 = CPU, 1 = CUDA) and index (-1 if none); 0 on success. */
int ct_device(ct_tensor t, int32_t *type, int32_t *index);
/** A second handle to the same tensor (same storage, same autograd identity). */
ct_tensor ct_alias(ct_tensor t);

/* ---- autograd ---- */

int ct_requires_grad(ct_tensor t);
int ct_set_requires_grad(ct_tensor t, int requires_grad);
int ct_is_leaf(ct_tensor t);
/** Backpropagates from t; grad may be NULL for a scalar t. 0 on success. */
int ct_backward(ct_tensor t, ct_tensor grad, int retain_graph, int create_graph);
/** *out = d(sum of output)/d(input), without accumulating into any .grad; with create_graph
 *  the result is itself differentiable (gradient penalties). Zeros when output does not
 *  depend on input. 0 on success. */
int ct_autograd_grad(ct_tensor output, ct_tensor input, int create_graph, ct_tensor *out);
/** *out = the accumulated gradient, or NULL when there is none. 0 on success. */
int ct_grad(ct_tensor t, ct_tensor *out);
/** Sets (or with g == NULL clears) the accumulated gradient. 0 on success. */
int ct_set_grad(ct_tensor t, ct_tensor g);
/** Replaces t's data by src's (device / dtype moves keep the handle). 0 on success. */
int ct_set_data(ct_tensor t, ct_tensor src);
int ct_grad_enabled(void);
void ct_set_grad_enabled(int enabled);

/* ---- operators ---- */

/** Resolves "aten::conv2d" with overload "" (or e.g. "Tensor"); NULL on failure. */
ct_op ct_op_find(const char *name, const char *overload);
/** The operator's schema as text (for messages). */
const char *ct_op_schema(ct_op op);
/**
 * Calls op with nargs positional arguments; arguments not given take their schema
 * default. Results are flattened into outs (tensor lists and tuples expand); each tensor
 * in outs is a new handle the caller frees. Returns 0 on success.
 */
int ct_op_call(ct_op op, const ct_value *args, int32_t nargs, ct_value *outs, int32_t max_outs, int32_t *n_outs);

/* ---- runtime ---- */

void ct_manual_seed(uint64_t seed);
/** The default CPU generator's state as a uint8 tensor, and restoring it. */
ct_tensor ct_rng_state(void);
int ct_set_rng_state(ct_tensor state);
int ct_num_threads(void);
void ct_set_num_threads(int n);
/** libtorch version of the headers the shim was compiled against, e.g. "2.15.0". */
const char *ct_version(void);
/** Path of the libtorch_cpu shared library actually loaded. */
const char *ct_library_path(void);
/** Tries once to load libtorch's CUDA half; returns 1 if CUDA is usable. */
int ct_cuda_available(void);
/** Why CUDA is or is not available, one line. */
const char *ct_cuda_status(void);
int ct_cuda_device_count(void);
int ct_cuda_synchronize(int device);
/** ATen's CPU dispatch level, e.g. "AVX512" (what its kernels were picked for). */
const char *ct_cpu_capability(void);
/** at::show_config(): build flags, BLAS, oneDNN, OpenMP. */
const char *ct_build_config(void);

/* ---- distributed (c10d process groups; ctorch_distributed.cpp) ---- */

/** A c10d process group: this process's membership in a set of ranks. */
typedef struct ct_group_s *ct_group;

/**
 * Joins a process group and blocks until all world_size ranks have joined (or timeout_ms
 * passes). backend: "gloo" (CPU; CUDA tensors go through host copies) or "nccl".
 * Rendezvous: a FileStore at file_path when it is not NULL, else a TCPStore at
 * master_addr:master_port that rank 0 hosts. timeout_ms also bounds every later
 * collective. NULL on failure, with the reason in ct_last_error().
 */
ct_group ct_group_create(const char *backend, int32_t rank, int32_t world_size, const char *master_addr,
                         int32_t master_port, const char *file_path, int64_t timeout_ms);
/** Leaves the group (NULL is ignored). */
void ct_group_free(ct_group g);
/** Whether this shim can create process groups of backend; 0 with the reason in ct_last_error(). */
int ct_group_backend_available(const char *backend);
/**
 * Sums (average != 0: averages) tensors elementwise across ranks, in place. All tensors of
 * one dtype travel as one flattened buffer, so a call costs one collective per dtype.
 * Every rank must pass tensors of the same shapes and dtypes in the same order. 0 on success.
 */
int ct_group_all_reduce(ct_group g, const ct_tensor *tensors, int64_t count, int average);
/** Overwrites tensors with root's values, in place (flattened like ct_group_all_reduce). */
int ct_group_broadcast(ct_group g, const ct_tensor *tensors, int64_t count, int32_t root);
/** Returns once every rank has called it. 0 on success. */
int ct_group_barrier(ct_group g);

#ifdef __cplusplus
}
#endif

#endif /* CTORCH_H */
