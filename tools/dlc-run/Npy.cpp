//===- Npy.cpp - minimal .npy reading and writing --------------------------===//

#include "Npy.h"

#include <cstring>
#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>

namespace dlc::npy {
namespace {

struct Descr {
  const char *text; // NumPy's little-endian descr
  DLDataType dtype;
};
constexpr uint8_t kDLBoolCode = 6;
const Descr kDescrs[] = {
    {"<f2", {kDLFloat, 16, 1}}, {"<f4", {kDLFloat, 32, 1}},
    {"<f8", {kDLFloat, 64, 1}}, {"<i4", {kDLInt, 32, 1}},
    {"<i8", {kDLInt, 64, 1}},   {"|b1", {kDLBoolCode, 8, 1}},
    {"|u1", {kDLUInt, 8, 1}},   {"<u2", {kDLBfloat, 16, 1}},
};

[[noreturn]] void error(const std::string &path, const std::string &what) {
  throw std::runtime_error(path + ": " + what);
}

} // namespace

int64_t Array::numElements() const {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

DLTensor Array::view() {
  DLTensor t{};
  t.data = data.data();
  t.device = {kDLCPU, 0};
  t.ndim = static_cast<int32_t>(shape.size());
  t.dtype = dtype;
  t.shape = shape.data();
  t.strides = nullptr;
  t.byte_offset = 0;
  return t;
}

Array read(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    error(path, std::string("cannot open: ") + std::strerror(errno));
  char magic[8];
  if (!in.read(magic, 8) || std::memcmp(magic, "\x93NUMPY", 6) != 0)
    error(path, "not a .npy file (bad magic)");
  uint32_t headerLen = 0;
  if (magic[6] == 1) {
    uint16_t len;
    in.read(reinterpret_cast<char *>(&len), 2);
    headerLen = len;
  } else if (magic[6] == 2 || magic[6] == 3) {
    in.read(reinterpret_cast<char *>(&headerLen), 4);
  } else {
    error(path, "unsupported .npy version " + std::to_string(int(magic[6])));
  }
  std::string header(headerLen, '\0');
  if (!in || !in.read(header.data(), headerLen))
    error(path, "truncated header");

  std::smatch m;
  if (!std::regex_search(header, m, std::regex("'descr':\\s*'([^']*)'")))
    error(path, "header has no descr: " + header);
  std::string descr = m[1];
  Array array;
  bool known = false;
  for (const Descr &d : kDescrs)
    if (descr == d.text) {
      array.dtype = d.dtype;
      known = true;
    }
  if (!known)
    error(path, "unsupported dtype '" + descr +
                    "' (dlc-run reads <f2 <f4 <f8 <i4 <i8 |b1, and <u2 as bf16 bits)");
  if (std::regex_search(header, m, std::regex("'fortran_order':\\s*True")))
    error(path, "Fortran-ordered arrays are not supported; save a C-ordered copy");
  if (!std::regex_search(header, m, std::regex("'shape':\\s*\\(([^)]*)\\)")))
    error(path, "header has no shape: " + header);
  std::string dims = m[1];
  std::regex number("\\d+");
  for (auto it = std::sregex_iterator(dims.begin(), dims.end(), number);
       it != std::sregex_iterator(); ++it)
    array.shape.push_back(std::stoll(it->str()));
  size_t bytes = array.numElements() * (array.dtype.bits / 8);
  array.data.resize(bytes);
  if (!in.read(reinterpret_cast<char *>(array.data.data()), bytes))
    error(path, "truncated data: expected " + std::to_string(bytes) + " bytes");
  return array;
}

void write(const std::string &path, const Array &array) {
  std::string descr;
  for (const Descr &d : kDescrs)
    if (d.dtype.code == array.dtype.code && d.dtype.bits == array.dtype.bits)
      descr = d.text;
  if (array.dtype.code == kDLUInt && array.dtype.bits == 8)
    descr = "|b1"; // dlc's i1
  std::ostringstream header;
  header << "{'descr': '" << descr << "', 'fortran_order': False, 'shape': (";
  for (size_t i = 0; i < array.shape.size(); ++i)
    header << array.shape[i] << (array.shape.size() == 1 || i + 1 < array.shape.size() ? "," : "");
  header << "), }";
  std::string text = header.str();
  // Pad with spaces so that the data starts 64-byte aligned; end with \n.
  size_t total = 10 + text.size() + 1;
  text.append((64 - total % 64) % 64, ' ');
  text.push_back('\n');
  std::ofstream out(path, std::ios::binary);
  if (!out)
    error(path, std::string("cannot create: ") + std::strerror(errno));
  uint16_t len = static_cast<uint16_t>(text.size());
  out.write("\x93NUMPY\x01\x00", 8);
  out.write(reinterpret_cast<const char *>(&len), 2);
  out.write(text.data(), text.size());
  out.write(reinterpret_cast<const char *>(array.data.data()), array.data.size());
  if (!out)
    error(path, "write failed");
}

} // namespace dlc::npy
