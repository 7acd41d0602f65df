//===- Npy.h - minimal .npy reading and writing ------------------*- C++ -*-===//
//
// NumPy's .npy format (versions 1-3), C order, the dtypes dlc uses. bf16 has
// no NumPy dtype: its raw bits travel as uint16 ('<u2').
//
//===----------------------------------------------------------------------===//

#ifndef DLC_TOOLS_DLC_RUN_NPY_H
#define DLC_TOOLS_DLC_RUN_NPY_H

#include <dlpack/dlpack.h>

#include <cstdint>
#include <string>
#include <vector>

namespace dlc::npy {

struct Array {
  DLDataType dtype{};
  std::vector<int64_t> shape;
  std::vector<uint8_t> data;
  int64_t numElements() const;
  /// A DLTensor viewing this array (valid while the array lives).
  DLTensor view();
};

/// Reads `path`; throws std::runtime_error with the reason on failure.
Array read(const std::string &path);
/// Writes `array` to `path`; throws std::runtime_error on failure.
void write(const std::string &path, const Array &array);

} // namespace dlc::npy

#endif // DLC_TOOLS_DLC_RUN_NPY_H
