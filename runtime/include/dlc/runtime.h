/*===- runtime.h - the dlc runtime C ABI -----------------------------*- C -*-===
 *
 * Loads a compiled dlc artifact (.dlc) and calls its entry points on DLPack
 * tensors. Links neither MLIR nor LLVM.
 *
 * Nouns:
 *   dlc_module    a loaded artifact. Created by dlc_module_load, destroyed by
 *                 dlc_module_free; owns its functions and manifest text.
 *   dlc_function  an entry point of a module. Borrowed: valid while the
 *                 module lives; never freed by the caller.
 *   DLTensor      (dlpack/dlpack.h) the caller's memory; never retained.
 *   dlc_call      runs an entry point: reads the inputs, writes the outputs
 *                 (destination-passing: the caller allocates the outputs).
 *
 * Errors: every function returning dlc_status leaves a message for the
 * calling thread in dlc_last_error() when it fails (valid until the thread's
 * next failing call).
 *
 * Thread safety: a loaded module is immutable. Any number of threads may call
 * dlc_call (on the same or different functions) concurrently, given distinct
 * output tensors. dlc_module_free must not race with other uses of the module.
 *
 * Versioning: DLC_RUNTIME_ABI_VERSION changes on any incompatible change of
 * this header; dlc_runtime_abi_version() returns the version of the library.
 *
 *===----------------------------------------------------------------------===*/

#ifndef DLC_RUNTIME_H
#define DLC_RUNTIME_H

#include <stddef.h>
#include <stdint.h>

#include <dlpack/dlpack.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define DLC_API __attribute__((visibility("default")))
#else
#define DLC_API
#endif

#define DLC_RUNTIME_ABI_VERSION 1u

typedef enum dlc_status {
  DLC_OK = 0,
  DLC_ERROR_IO = 1,           /* the file could not be read */
  DLC_ERROR_FORMAT = 2,       /* not an artifact, truncated or corrupted */
  DLC_ERROR_VERSION = 3,      /* written by a newer dlc than this runtime */
  DLC_ERROR_TARGET = 4,       /* compiled for another machine or CPU */
  DLC_ERROR_NOT_FOUND = 5,    /* no entry point of that name */
  DLC_ERROR_ARGUMENT = 6,     /* a call's tensors do not match the manifest */
  DLC_ERROR_INTERNAL = 7,
  DLC_ERROR_DEVICE = 8,       /* the artifact's device (a GPU, its driver) is
                                 missing or failed; the message says which */
} dlc_status;

typedef struct dlc_module dlc_module;
typedef struct dlc_function dlc_function;

/* Description of one argument or result of an entry point. */
typedef struct dlc_tensor_spec {
  const char *name;     /* parameter name, or "" when unknown */
  DLDataType dtype;     /* i1 is {kDLUInt, 8, 1}; bf16 is {kDLBfloat, 16, 1} */
  int32_t ndim;
  const int64_t *shape; /* ndim entries; owned by the module */
} dlc_tensor_spec;

DLC_API uint32_t dlc_runtime_abi_version(void);
DLC_API const char *dlc_last_error(void);

/* Loads the artifact at `path`. On success *out owns a new module. The file
 * is fully validated (header, version, checksum, target) before any code is
 * mapped. */
DLC_API dlc_status dlc_module_load(const char *path, dlc_module **out);
/* As dlc_module_load, from bytes in memory (copied; `data` may be freed). */
DLC_API dlc_status dlc_module_load_bytes(const void *data, size_t size,
                                         dlc_module **out);
DLC_API void dlc_module_free(dlc_module *module);

/* Compiled code allocates its intermediate buffers from a process-wide cache
 * of the runtime that keeps freed blocks for the next call (so repeated calls,
 * e.g. training steps, do not map and fault in fresh memory each time). This
 * returns the blocks the cache holds, none of which is in use, to the
 * system. Not concurrently with dlc_call. */
DLC_API void dlc_release_cached_memory(void);

/* Sets the number of threads compiled code uses (its OpenMP runtime; the
 * default is OMP_NUM_THREADS or one per core). Process-wide, like the OpenMP
 * setting it changes; call it before dlc_call, not concurrently with it. */
DLC_API dlc_status dlc_set_num_threads(const dlc_module *module, int threads);

/* The device a module's entry points compute on: kDLCPU, or kDLCUDA for a
 * CUDA artifact (dlc-compile --target=cuda). */
DLC_API DLDeviceType dlc_module_device(const dlc_module *module);

/* Its device's ordinal, the DLTensor device_id of its CUDA tensors: 0, or
 * the environment's DLC_CUDA_DEVICE (read once, at the first CUDA module's
 * load; numbered as CUDA_VISIBLE_DEVICES leaves them; one GPU a process).
 * kDLCUDA tensors of another device fail with DLC_ERROR_ARGUMENT. 0 for a
 * CPU module. Added in ABI version 1 (additive). */
DLC_API int32_t dlc_module_device_id(const dlc_module *module);

/* The GPU CUDA modules compute on (device 0, or DLC_CUDA_DEVICE's; this
 * opens the driver as the first CUDA module's load does): its ordinal, its
 * compute capability as 10 * major + minor (90: an H100 or H200, 80: an
 * A100) and its name (owned by the runtime; "" where the driver does not
 * say). Any pointer may be NULL. Without a driver or a GPU it fails with
 * DLC_ERROR_DEVICE, the message saying what is missing. An artifact whose
 * kernels cannot run on that GPU (sm_90a on an A100) fails to load with
 * DLC_ERROR_TARGET. Added in ABI version 1 (additive). */
DLC_API dlc_status dlc_cuda_device(int32_t *ordinal,
                                   int32_t *compute_capability,
                                   const char **name);

/* Device memory of a CUDA module's GPU, for tensors that stay there between
 * calls (a training loop's parameters and optimizer state): pass it to
 * dlc_call as kDLCUDA DLTensors, which are used in place. dlc_device_copy
 * copies between any two host or device pointers (synchronously). For a CPU
 * module all three fail with DLC_ERROR_ARGUMENT. Added in ABI version 1
 * (additive). */
DLC_API dlc_status dlc_device_alloc(const dlc_module *module, size_t bytes,
                                    void **out);
DLC_API dlc_status dlc_device_free(const dlc_module *module, void *pointer);
DLC_API dlc_status dlc_device_copy(const dlc_module *module, void *dst,
                                   const void *src, size_t bytes);

/* The manifest as JSON text, owned by the module. */
DLC_API const char *dlc_module_manifest(const dlc_module *module);
DLC_API size_t dlc_module_num_functions(const dlc_module *module);
DLC_API const dlc_function *dlc_module_function(const dlc_module *module,
                                                size_t index);
DLC_API dlc_status dlc_module_lookup(const dlc_module *module, const char *name,
                                     const dlc_function **out);

DLC_API const char *dlc_function_name(const dlc_function *function);
DLC_API size_t dlc_function_num_inputs(const dlc_function *function);
DLC_API size_t dlc_function_num_outputs(const dlc_function *function);
DLC_API dlc_tensor_spec dlc_function_input(const dlc_function *function,
                                           size_t index);
DLC_API dlc_tensor_spec dlc_function_output(const dlc_function *function,
                                            size_t index);
/* For an in-out output (a parameter or optimizer state a training step
 * updates), the index of the input it updates; -1 for an ordinary output. */
DLC_API int64_t dlc_function_output_inout(const dlc_function *function,
                                          size_t index);
/* Floating-point operations of one call as counted by the compiler (matmul,
 * conv2d), or 0 when the function has none. */
DLC_API double dlc_function_flops(const dlc_function *function);

/* Runs `function`. Inputs and outputs must be CPU tensors of exactly the
 * dtypes and shapes of the manifest, compact row-major (strides NULL or
 * equal to the compact ones), and no output may overlap another tensor of the
 * call, with one exception: an in-out output (dlc_function_output_inout) may
 * be the very same tensor as its input, which is then updated in place (no
 * copy). Given two disjoint buffers instead, the input is left unchanged and
 * the output receives the updated value. Mismatches fail with
 * DLC_ERROR_ARGUMENT naming the entry point, the argument, what was expected
 * and what was found. */
DLC_API dlc_status dlc_call(const dlc_function *function,
                            const DLTensor *inputs, size_t num_inputs,
                            const DLTensor *outputs, size_t num_outputs);

/* As dlc_call; for a CUDA artifact, the call's GPU work goes to `stream`
 * (a CUstream of the device's primary context, such as PyTorch's current
 * stream), after the work already queued there, where dlc_call uses a
 * stream the calling thread keeps for its calls. Returns once the work is
 * done. For a CPU artifact `stream` must be NULL. Added in ABI version 1
 * (additive). */
DLC_API dlc_status dlc_call_on_stream(const dlc_function *function,
                                      const DLTensor *inputs,
                                      size_t num_inputs,
                                      const DLTensor *outputs,
                                      size_t num_outputs, void *stream);

#ifdef __cplusplus
}
#endif

#endif /* DLC_RUNTIME_H */
