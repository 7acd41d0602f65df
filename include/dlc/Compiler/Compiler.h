//===- Compiler.h - dlc module -> artifact, shared by tools and Python -*- C++ -*-===//
//
// The stages of ahead-of-time compilation, each usable on its own (dlc-compile
// --emit prints any of them) and composed by compileToArtifact.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_COMPILER_COMPILER_H
#define DLC_COMPILER_COMPILER_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/LLVM.h"

#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Target/TargetMachine.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace dlc {

struct CompileOptions {
  /// LLVM CPU name; "native" is the compiling machine (with all its
  /// features). A named CPU such as "x86-64-v3" gives portable artifacts.
  std::string cpu = "native";
  /// LLVM optimization level (0-3).
  unsigned optLevel = 3;
  /// Tile contractions with the GPU schedule (see dlc-cpu-pipeline's
  /// emulate-gpu-schedule): for testing that schedule without a GPU.
  bool emulateGPUSchedule = false;
  /// With emulateGPUSchedule: the schedule of an allow-tf32 GPU compilation
  /// (tensor-core plans for f32 matmuls), computed in exact f32.
  /// With emulateGPUKernels: the kernels of an allow-tf32 compilation.
  bool emulateTF32Schedule = false;
  /// An NVIDIA architecture (sm_80, ...): the kernels of dlc-gpu-pipeline
  /// for it, after all of its GPU passes, run on the CPU by the SIMT
  /// emulator (dlc-gpu-pipeline emulate-kernels): for testing them without a
  /// GPU. Empty: the CPU pipeline.
  std::string emulateGPUKernels;
  /// With emulateGPUKernels: the emulator's memory profile of the kernels
  /// (shared-memory wavefronts, global sectors), written at exit.
  bool profileEmulatedMemory = false;
};

/// The host TargetMachine for `options.cpu`, or an error message.
llvm::Expected<std::unique_ptr<llvm::TargetMachine>>
createTargetMachine(const CompileOptions &options);

/// dlc's name of an element type ("f32", "bf16", "i1", ...), as the
/// manifest and the Python front end write it; none for other types.
std::optional<std::string> elementTypeName(mlir::Type type);

/// The manifest (JSON) describing the public functions of a dlc-level module:
/// names, input/output dtypes and shapes, parameter names (from a `dlc.name`
/// argument attribute) and flop counts; plus the target. Must run before the
/// module is lowered.
/// With `gpuArch` (sm_80, ...), the manifest also names the device the
/// kernels are for: {"device": {"kind": "cuda", "arch": gpuArch}}.
mlir::FailureOr<std::string> buildManifest(mlir::ModuleOp module,
                                     llvm::TargetMachine &targetMachine,
                                     llvm::StringRef gpuArch = "");

/// Runs `dlc-cpu-pipeline` on `module`, tuned for `targetMachine` (vector
/// width), or with `options.emulateGPUKernels` `dlc-gpu-pipeline
/// emulate-kernels`. `configure` may apply MLIR's standard pass-manager
/// flags such as --mlir-print-ir-after-all. (`options.cpu` and `optLevel`
/// are the target machine's business.)
mlir::LogicalResult
lowerToLLVMDialect(mlir::ModuleOp module, llvm::TargetMachine &targetMachine,
                   llvm::function_ref<void(mlir::PassManager &)> configure = {},
                   const CompileOptions &options = {});

/// The architecture to compile for the GPU the runtime computes on
/// (gpuArchFor its compute capability: sm_90a on an H100); an error saying
/// what is missing without a driver or a GPU, or for a GPU before 7.0.
llvm::Expected<std::string> nativeGPUArch();

/// Runs `dlc-gpu-pipeline` for the NVIDIA architecture `chip` (sm_80,
/// sm_90, ...): host code in the LLVM dialect with each kernel embedded in a
/// `gpu.binary` as PTX (`format` isa) or cubin (bin, needs ptxas). `chip`
/// "native": nativeGPUArch().
/// `allowTF32`: f32 matmuls on tensor cores in TF32 (off: exact f32).
mlir::LogicalResult lowerToGPULLVMDialect(
    mlir::ModuleOp module, llvm::StringRef chip, llvm::StringRef format,
    llvm::function_ref<void(mlir::PassManager &)> configure = {},
    bool allowTF32 = false);

/// (kernel module name, object) of every embedded kernel after
/// lowerToGPULLVMDialect: PTX text for format isa.
std::vector<std::pair<std::string, std::string>>
kernelObjects(mlir::ModuleOp module);

/// Translates a module in the LLVM dialect to LLVM IR, adds one packed entry
/// point `void dlc_entry_<f>(void **args)` per public function (args point to
/// memref descriptors, inputs then outputs) and optimizes it for the target.
mlir::FailureOr<std::unique_ptr<llvm::Module>>
translateToLLVMIR(mlir::ModuleOp module, llvm::LLVMContext &context,
                  llvm::TargetMachine &targetMachine, unsigned optLevel);

/// Emits assembly or an object file for `module`.
mlir::LogicalResult emitMachineCode(llvm::Module &module,
                                    llvm::TargetMachine &targetMachine,
                                    llvm::CodeGenFileType type,
                                    llvm::raw_pwrite_stream &out);

/// Links an object file into a shared object (with ld.lld).
mlir::FailureOr<std::vector<uint8_t>> linkSharedObject(llvm::ArrayRef<char> object,
                                                 mlir::Location loc);

/// The artifact bytes: header, manifest and payload, checksummed
/// (runtime/include/dlc/artifact_format.h).
std::vector<uint8_t> writeArtifact(llvm::StringRef manifest,
                                   llvm::ArrayRef<uint8_t> payload,
                                   uint32_t machine);

/// Everything: dlc module -> artifact bytes. The module is lowered in place.
mlir::FailureOr<std::vector<uint8_t>>
compileToArtifact(mlir::ModuleOp module, const CompileOptions &options,
                  llvm::function_ref<void(mlir::PassManager &)> configure = {});

/// A CUDA artifact: host code for `targetMachine` calling kernels compiled
/// for `gpuArch` ("native": nativeGPUArch()), embedded as a fatbin (cubin
/// and PTX) when the CUDA toolkit's ptxas and fatbinary are found
/// (cudaToolkitPath), else as PTX,
/// which the driver compiles at load; also as PTX, with a warning, when that
/// ptxas does not know `gpuArch` (CUDA 13 dropped sm_70).
/// The host code's GPU runtime calls (mgpu*) go through hooks the runtime
/// fills (`dlc_gpu_hook_<name>`), and its module loading runs from
/// `dlc_gpu_init`, which the runtime calls once the hooks are set.
mlir::FailureOr<std::vector<uint8_t>>
compileToCUDAArtifact(mlir::ModuleOp module, llvm::TargetMachine &targetMachine,
                      llvm::StringRef gpuArch, unsigned optLevel,
                      llvm::function_ref<void(mlir::PassManager &)> configure = {},
                      bool allowTF32 = false);

/// The same for a target machine the caller already made (and checked)
/// from `options`.
mlir::FailureOr<std::vector<uint8_t>>
compileToArtifact(mlir::ModuleOp module, llvm::TargetMachine &targetMachine,
                  const CompileOptions &options,
                  llvm::function_ref<void(mlir::PassManager &)> configure = {});

} // namespace dlc

#endif // DLC_COMPILER_COMPILER_H
