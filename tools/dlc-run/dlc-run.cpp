//===- dlc-run.cpp - run or benchmark an entry point of a .dlc artifact ----===//
//
//   dlc-run model.dlc [--entry=NAME] [--input a.npy ...] [--output-dir DIR]
//           [--steps=N] [--bench=N] [--threads=N] [--device=host|cuda]
//           [--list]
//
// Inputs are .npy files in the entry point's argument order; each result is
// written as DIR/<entry>_<index>.npy. In-out results (a training step's
// parameters and optimizer state) are updated in their input's buffer, so
// --steps=N runs N training steps on the same state. With --device=cuda (a
// CUDA artifact), the tensors are copied to the GPU once and stay there
// through the steps and the timed calls, as a training loop keeps its state
// on the device; by default they live on the host and each call copies them
// in and out. Links only the dlc runtime.
//
//===----------------------------------------------------------------------===//

#include "Npy.h"

#include "dlc/runtime.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

namespace {

const char *kUsage =
    "usage: dlc-run MODEL.dlc [--entry=NAME] [--input FILE.npy]... "
    "[--output-dir DIR] [--steps=N] [--bench=N] [--threads=N] "
    "[--device=host|cuda] [--list]\n";

struct Options {
  std::string model, entry, outputDir = ".", device = "host";
  std::vector<std::string> inputs;
  int bench = 0, threads = 0, steps = 1;
  bool list = false;
};

bool parse(int argc, char **argv, Options &o) {
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&](const std::string &flag, std::string &out) {
      if (arg == flag && i + 1 < argc) {
        out = argv[++i];
        return true;
      }
      if (arg.rfind(flag + "=", 0) == 0) {
        out = arg.substr(flag.size() + 1);
        return true;
      }
      return false;
    };
    std::string v;
    if (value("--entry", o.entry) || value("--output-dir", o.outputDir))
      continue;
    if (value("--device", o.device)) {
      if (o.device != "host" && o.device != "cuda") {
        std::cerr << "dlc-run: --device takes host or cuda, found '"
                  << o.device << "'\n";
        return false;
      }
      continue;
    }
    if (value("--input", v)) {
      o.inputs.push_back(v);
    } else if (value("--bench", v) || value("--threads", v) ||
               value("--steps", v)) {
      std::string flag = arg.substr(0, arg.find('='));
      char *end;
      long n = std::strtol(v.c_str(), &end, 10);
      if (v.empty() || *end || n < 1) {
        std::cerr << "dlc-run: " << flag << " takes a positive count, found '"
                  << v << "'\n";
        return false;
      }
      (flag == "--bench" ? o.bench : flag == "--steps" ? o.steps : o.threads) =
          static_cast<int>(n);
    } else if (arg == "--list") {
      o.list = true;
    } else if (arg == "--help" || arg == "-h") {
      std::cout << kUsage;
      std::exit(0);
    } else if (!arg.empty() && arg[0] == '-') {
      std::cerr << "dlc-run: unknown option '" << arg << "'\n" << kUsage;
      return false;
    } else if (o.model.empty()) {
      o.model = arg;
    } else {
      std::cerr << "dlc-run: unexpected argument '" << arg << "'\n" << kUsage;
      return false;
    }
  }
  if (o.model.empty()) {
    std::cerr << kUsage;
    return false;
  }
  return true;
}

/// dlc's name of a dtype, as the runtime's messages use.
std::string dtypeName(const DLDataType &t) {
  if (t.code == kDLBfloat)
    return "bf16";
  if (t.code == kDLFloat)
    return "f" + std::to_string(t.bits);
  if (t.code == kDLUInt && t.bits == 8)
    return "i1";
  return "i" + std::to_string(t.bits);
}

std::string describe(const dlc_tensor_spec &spec) {
  std::string s = dtypeName(spec.dtype) + "[";
  for (int i = 0; i < spec.ndim; ++i)
    s += (i ? ", " : "") + std::to_string(spec.shape[i]);
  return s + "]";
}

/// A "Name:  N kB" field of /proc/self/status, or -1.
long statusKiB(const char *field) {
  FILE *f = std::fopen("/proc/self/status", "r");
  if (!f)
    return -1;
  char line[256];
  long value = -1;
  while (std::fgets(line, sizeof line, f))
    if (std::strncmp(line, field, std::strlen(field)) == 0)
      value = std::strtol(line + std::strlen(field), nullptr, 10);
  std::fclose(f);
  return value;
}

/// Resets the peak resident set size (VmHWM) to the current one.
bool resetPeakRss() {
  FILE *f = std::fopen("/proc/self/clear_refs", "w");
  if (!f)
    return false;
  bool ok = std::fputs("5", f) >= 0;
  return std::fclose(f) == 0 && ok;
}

/// Device copies of a run's tensors, freed at the end.
class DeviceBuffers {
public:
  explicit DeviceBuffers(const dlc::runtime::Module &module)
      : module_(module) {}
  ~DeviceBuffers() {
    for (void *p : buffers_)
      (void)dlc_device_free(module_.get(), p); // nothing to do on failure
  }
  /// A device tensor of `host`'s shape, holding its values.
  DLTensor upload(const DLTensor &host) {
    DLTensor t = allocate(host);
    module_.deviceCopy(t.data, host.data, bytes(host));
    return t;
  }
  DLTensor allocate(const DLTensor &host) {
    DLTensor t = host;
    t.data = module_.deviceAlloc(bytes(host));
    buffers_.push_back(t.data);
    t.device = {kDLCUDA, module_.deviceId()};
    return t;
  }

private:
  static size_t bytes(const DLTensor &t) {
    size_t n = (t.dtype.bits + 7) / 8;
    for (int i = 0; i < t.ndim; ++i)
      n *= t.shape[i];
    return n;
  }
  const dlc::runtime::Module &module_;
  std::vector<void *> buffers_;
};

int run(const Options &o) {
  auto module = dlc::runtime::Module::load(o.model);
  if (o.threads > 0)
    module.setNumThreads(o.threads);
  if (o.list) {
    for (const auto &fn : module.functions()) {
      std::cout << fn.name() << "(";
      for (size_t i = 0; i < fn.numInputs(); ++i) {
        dlc_tensor_spec in = fn.input(i);
        std::cout << (i ? ", " : "") << (*in.name ? in.name : "") << (*in.name ? ": " : "")
                  << describe(in);
      }
      std::cout << ") -> (";
      for (size_t i = 0; i < fn.numOutputs(); ++i) {
        std::cout << (i ? ", " : "") << describe(fn.output(i));
        if (fn.inout(i) >= 0)
          std::cout << " in-out " << fn.inout(i);
      }
      std::cout << ")\n";
    }
    return 0;
  }
  std::string entry = o.entry;
  if (entry.empty()) {
    auto functions = module.functions();
    if (functions.size() != 1) {
      std::cerr << "dlc-run: " << o.model << " has " << functions.size()
                << " entry points; choose one with --entry (see --list)\n";
      return 2;
    }
    entry = functions[0].name();
  }
  dlc::runtime::Function fn = module.function(entry);
  if (o.inputs.size() != fn.numInputs()) {
    std::cerr << "dlc-run: " << entry << " takes " << fn.numInputs()
              << " inputs, but " << o.inputs.size() << " --input given\n";
    return 2;
  }
  std::vector<dlc::npy::Array> inputs, outputs;
  for (const std::string &path : o.inputs)
    inputs.push_back(dlc::npy::read(path));
  for (size_t i = 0; i < fn.numOutputs(); ++i) {
    dlc_tensor_spec spec = fn.output(i);
    dlc::npy::Array out;
    if (fn.inout(i) >= 0) { // updated in its input's buffer
      outputs.push_back(std::move(out));
      continue;
    }
    out.dtype = spec.dtype;
    out.shape.assign(spec.shape, spec.shape + spec.ndim);
    out.data.resize(out.numElements() * ((spec.dtype.bits + 7) / 8));
    outputs.push_back(std::move(out));
  }
  std::vector<DLTensor> in, out;
  for (auto &a : inputs)
    in.push_back(a.view());
  // --device=cuda: every tensor in device memory for the whole run.
  DeviceBuffers device(module);
  if (o.device == "cuda") {
    if (module.device() != kDLCUDA) {
      std::cerr << "dlc-run: " << o.model
                << " runs on the CPU; --device=cuda needs a CUDA artifact "
                   "(dlc-compile --target=cuda)\n";
      return 2;
    }
    for (DLTensor &t : in)
      t = device.upload(t);
  }
  for (size_t i = 0; i < outputs.size(); ++i)
    out.push_back(fn.inout(i) >= 0       ? in[fn.inout(i)]
                  : o.device == "cuda"   ? device.allocate(outputs[i].view())
                                         : outputs[i].view());
  // Peak memory of the calls above what is resident before the first one
  // (Linux: VmHWM after resetting it through clear_refs): the intermediates,
  // which the runtime's cache keeps from one call to the next. Meaningful
  // with MALLOC_MMAP_THRESHOLD_ set, so that freed blocks leave the process.
  long resident = statusKiB("VmRSS:");
  bool peakReset = resetPeakRss();
  // The array an output's values end up in.
  auto result = [&](size_t i) -> const dlc::npy::Array & {
    dlc::npy::Array &a = fn.inout(i) >= 0 ? inputs[fn.inout(i)] : outputs[i];
    if (o.device == "cuda")
      module.deviceCopy(a.data.data(), out[i].data, a.data.size());
    return a;
  };
  for (int step = 1; step <= o.steps; ++step) {
    fn.call(in, out);
    if (o.steps == 1)
      continue;
    // A training loop from the shell: the scalar results (the loss) of
    // each step.
    std::printf("step %d:", step);
    for (size_t i = 0; i < outputs.size(); ++i) {
      dlc_tensor_spec spec = fn.output(i);
      if (spec.ndim != 0 || fn.inout(i) >= 0)
        continue;
      const auto &a = result(i);
      double v = spec.dtype.code == kDLFloat && spec.dtype.bits == 32
                     ? *reinterpret_cast<const float *>(a.data.data())
                 : spec.dtype.code == kDLFloat && spec.dtype.bits == 64
                     ? *reinterpret_cast<const double *>(a.data.data())
                     : NAN;
      std::printf(" output %zu = %.6g", i, v);
    }
    std::printf("\n");
  }

  if (o.bench > 0) {
    // More warm-up than the first call above: the OpenMP thread pool and
    // the caches settle over the first few calls.
    for (int i = 0; i < 2; ++i)
      fn.call(in, out);
    std::vector<double> ms;
    for (int i = 0; i < o.bench; ++i) {
      auto start = std::chrono::steady_clock::now();
      fn.call(in, out);
      auto stop = std::chrono::steady_clock::now();
      ms.push_back(std::chrono::duration<double, std::milli>(stop - start).count());
    }
    std::sort(ms.begin(), ms.end());
    double median = ms.size() % 2 ? ms[ms.size() / 2]
                                  : (ms[ms.size() / 2 - 1] + ms[ms.size() / 2]) / 2;
    std::printf("%s: %d runs, min %.4f ms, median %.4f ms, max %.4f ms",
                entry.c_str(), o.bench, ms.front(), median, ms.back());
    if (fn.flops() > 0)
      std::printf(", %.2f GFLOP/s (median)", fn.flops() / (median * 1e6));
    long peak = statusKiB("VmHWM:");
    if (peakReset && resident > 0 && peak > 0)
      std::printf(", peak memory %.1f MiB above the resident %.1f MiB",
                  (peak - resident) / 1024.0, resident / 1024.0);
    std::printf("\n");
  }
  for (size_t i = 0; i < outputs.size(); ++i) {
    std::string path = o.outputDir + "/" + entry + "_" + std::to_string(i) + ".npy";
    dlc::npy::write(path, result(i));
    std::cout << "wrote " << path << " (" << describe(fn.output(i)) << ")\n";
  }
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  Options options;
  if (!parse(argc, argv, options))
    return 2;
  try {
    return run(options);
  } catch (const std::exception &e) {
    std::cerr << "dlc-run: " << e.what() << "\n";
    return 1;
  }
}
