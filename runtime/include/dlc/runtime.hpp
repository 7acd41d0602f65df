//===- runtime.hpp - thin C++ wrapper over the dlc runtime C ABI -*- C++ -*-===//
//
// RAII ownership of modules and exceptions carrying the runtime's messages.
// Header-only: it adds nothing to the C ABI.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_RUNTIME_HPP
#define DLC_RUNTIME_HPP

#include "dlc/runtime.h"

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace dlc::runtime {

class Error : public std::runtime_error {
public:
  Error(dlc_status status, const std::string &message)
      : std::runtime_error(message), status_(status) {}
  dlc_status status() const { return status_; }

private:
  dlc_status status_;
};

inline void check(dlc_status status) {
  if (status != DLC_OK)
    throw Error(status, dlc_last_error());
}

/// A borrowed entry point; valid while its Module lives.
class Function {
public:
  explicit Function(const dlc_function *fn) : fn_(fn) {}
  std::string name() const { return dlc_function_name(fn_); }
  size_t numInputs() const { return dlc_function_num_inputs(fn_); }
  size_t numOutputs() const { return dlc_function_num_outputs(fn_); }
  dlc_tensor_spec input(size_t i) const { return dlc_function_input(fn_, i); }
  dlc_tensor_spec output(size_t i) const { return dlc_function_output(fn_, i); }
  double flops() const { return dlc_function_flops(fn_); }
  /// The input an in-out output updates, or -1.
  int64_t inout(size_t output) const {
    return dlc_function_output_inout(fn_, output);
  }
  void call(const std::vector<DLTensor> &inputs,
            const std::vector<DLTensor> &outputs) const {
    check(dlc_call(fn_, inputs.data(), inputs.size(), outputs.data(),
                   outputs.size()));
  }
  const dlc_function *get() const { return fn_; }

private:
  const dlc_function *fn_;
};

/// An owned, loaded artifact.
class Module {
public:
  static Module load(const std::string &path) {
    dlc_module *m = nullptr;
    check(dlc_module_load(path.c_str(), &m));
    return Module(m);
  }
  Function function(const std::string &name) const {
    const dlc_function *fn = nullptr;
    check(dlc_module_lookup(module_.get(), name.c_str(), &fn));
    return Function(fn);
  }
  std::vector<Function> functions() const {
    std::vector<Function> result;
    for (size_t i = 0; i < dlc_module_num_functions(module_.get()); ++i)
      result.emplace_back(dlc_module_function(module_.get(), i));
    return result;
  }
  std::string manifest() const { return dlc_module_manifest(module_.get()); }
  void setNumThreads(int threads) const {
    check(dlc_set_num_threads(module_.get(), threads));
  }
  const dlc_module *get() const { return module_.get(); }
  DLDeviceType device() const { return dlc_module_device(module_.get()); }
  int32_t deviceId() const { return dlc_module_device_id(module_.get()); }
  /// Device memory of a CUDA module (see dlc_device_alloc).
  void *deviceAlloc(size_t bytes) const {
    void *pointer = nullptr;
    check(dlc_device_alloc(module_.get(), bytes, &pointer));
    return pointer;
  }
  void deviceFree(void *pointer) const {
    check(dlc_device_free(module_.get(), pointer));
  }
  void deviceCopy(void *dst, const void *src, size_t bytes) const {
    check(dlc_device_copy(module_.get(), dst, src, bytes));
  }

private:
  explicit Module(dlc_module *m) : module_(m, dlc_module_free) {}
  std::unique_ptr<dlc_module, void (*)(dlc_module *)> module_;
};

/// The GPU CUDA modules compute on (see dlc_cuda_device).
struct CudaDevice {
  int32_t ordinal = 0;
  int32_t computeCapability = 0; // 10 * major + minor
  std::string name;
};
inline CudaDevice cudaDevice() {
  CudaDevice device;
  const char *name = nullptr;
  check(dlc_cuda_device(&device.ordinal, &device.computeCapability, &name));
  device.name = name;
  return device;
}

} // namespace dlc::runtime

#endif // DLC_RUNTIME_HPP
