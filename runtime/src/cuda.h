//===- cuda.h - the CUDA part of the runtime (internal) ---------*- C++ -*-===//
//
// The NVIDIA driver is opened at run time (libcuda.so.1 through dlopen), so
// the runtime builds, links and loads on machines without a GPU or driver;
// only loading a CUDA artifact needs one.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_RUNTIME_CUDA_H
#define DLC_RUNTIME_CUDA_H

#include <cstddef>
#include <cstdint>
#include <string>

namespace dlc_cuda {

/// Opens the driver and the primary context of the device (once): device 0,
/// or DLC_CUDA_DEVICE's; "" on success, else why there is no usable GPU.
std::string initialize();

/// The device's ordinal, compute capability (10 * major + minor) and name
/// ("" if the driver does not say), after initialize.
int deviceOrdinal();
int computeCapability();
const char *deviceName();

/// Fills the artifact's `dlc_gpu_hook_<name>` pointers from `handle`;
/// "" on success, else the hook the runtime does not provide.
std::string installHooks(void *handle);

/// The calling thread works in the device's context while alive.
class Scope {
public:
  Scope();
  ~Scope();
};

/// A module's TMA tensor maps in device memory, kept from call to call: a
/// call whose tensors are where an earlier call's were finds their maps
/// there instead of copying them again. Freed (after the device's work)
/// with the module.
struct TensorMaps;
TensorMaps *newTensorMaps();
void freeTensorMaps(TensorMaps *maps);

/// The calling thread's next GPU work (until endCall) goes to `stream`, or,
/// if null, to a stream the thread keeps for all its calls ("" on success);
/// `entry` names the call in DLC_CUDA_PROFILE's profile; its tensor maps
/// are kept in `maps`.
std::string beginCall(void *stream, const std::string &entry,
                      TensorMaps *maps);
void endCall();

/// Device memory and copies for staging host tensors, ordered on the
/// call's stream (between beginCall and endCall; "" on success).
std::string allocate(void **pointer, size_t bytes);
void release(void *pointer);
std::string copyToDevice(void *device, const void *host, size_t bytes);
std::string copyToHost(void *host, const void *device, size_t bytes);

/// Device memory that outlives calls (dlc_device_alloc) and copies
/// between any two host or device pointers: on the call's stream in a
/// call, else finished on return ("" on success).
std::string allocateResident(void **pointer, size_t bytes);
std::string releaseResident(void *pointer);
std::string copy(void *dst, const void *src, size_t bytes);

/// The first error a hook met during the current call ("" if none), cleared.
std::string takeError();

} // namespace dlc_cuda

#endif // DLC_RUNTIME_CUDA_H
