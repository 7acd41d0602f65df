//===- Pipelines.h - the named dlc pipelines -----------------------*- C++ -*-===//
//
// The one definition of each pipeline, shared by dlc-opt (as a named pass
// pipeline), the tools and the Python package.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_PIPELINES_PIPELINES_H
#define DLC_PIPELINES_PIPELINES_H

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"

namespace dlc {

struct CPUPipelineOptions : public mlir::PassPipelineOptions<CPUPipelineOptions> {
  Option<bool> emitCInterface{
      *this, "emit-c-interface",
      llvm::cl::desc("Emit `_mlir_ciface_<name>` wrappers that take memref "
                     "descriptors by pointer (for callers in C)"),
      llvm::cl::init(true)};
  Option<unsigned> vectorWidth{
      *this, "vector-width",
      llvm::cl::desc("SIMD register width of the target in bits (dlc-compile "
                     "sets it from the target CPU)"),
      llvm::cl::init(256)};
  Option<bool> emulateGPUSchedule{
      *this, "emulate-gpu-schedule",
      llvm::cl::desc("Tile contractions as dlc-gpu-pipeline does "
                     "(dlc-tile-for-gpu host-emulation) instead of "
                     "dlc-tile-and-fuse: the GPU kernels' tiling run on the "
                     "CPU, so tests check it where there is no GPU"),
      llvm::cl::init(false)};
  Option<bool> allowTF32{
      *this, "allow-tf32",
      llvm::cl::desc("With emulate-gpu-schedule: the schedule of an "
                     "allow-tf32 GPU compilation (tensor-core plans for f32 "
                     "matmuls), computed in exact f32 on the CPU"),
      llvm::cl::init(false)};
};

struct GPUPipelineOptions : public mlir::PassPipelineOptions<GPUPipelineOptions> {
  Option<std::string> chip{
      *this, "chip", llvm::cl::desc("NVIDIA GPU architecture (sm_80, sm_90, ...)"),
      llvm::cl::init("sm_80")};
  Option<std::string> features{
      *this, "features",
      llvm::cl::desc("NVPTX features; empty: the PTX version the chip needs "
                     "(ptxFeatures)"),
      llvm::cl::init("")};
  Option<std::string> format{
      *this, "format",
      llvm::cl::desc("Embedded kernels: isa (PTX, compiled by the driver), "
                     "bin (cubin, needs ptxas) or fatbin"),
      llvm::cl::init("isa")};
  Option<std::string> cudaPath{
      *this, "cuda-path",
      llvm::cl::desc("CUDA toolkit (libdevice for math functions, ptxas for "
                     "format=bin); empty: cudaToolkitPath()"),
      llvm::cl::init("")};
  Option<bool> allowTF32{
      *this, "allow-tf32",
      llvm::cl::desc("f32 matmuls on tensor cores in TF32 (as PyTorch's "
                     "allow_tf32; off: exact f32, the default)"),
      llvm::cl::init(false)};
  Option<int> optLevel{*this, "opt-level",
                       llvm::cl::desc("NVVM optimization level"),
                       llvm::cl::init(3)};
  Option<bool> emitCInterface{
      *this, "emit-c-interface",
      llvm::cl::desc("Emit `_mlir_ciface_<name>` wrappers (for callers in C)"),
      llvm::cl::init(true)};
  Option<bool> givenKernels{
      *this, "given-kernels",
      llvm::cl::desc("The input already holds its kernels, outlined in "
                     "gpu.modules (written by hand at nvgpu/NVVM level), "
                     "and host code on memrefs: only their lowering runs"),
      llvm::cl::init(false)};
  Option<bool> emulateKernels{
      *this, "emulate-kernels",
      llvm::cl::desc("Lower the outlined kernels for the host CPU, run by the "
                     "SIMT emulator (convert-gpu-to-simt-emulator), instead "
                     "of NVVM/PTX: the chip's kernels after every GPU pass, "
                     "tested without a GPU"),
      llvm::cl::init(false)};
  Option<bool> traceMemory{
      *this, "trace-memory",
      llvm::cl::desc("With emulate-kernels: the emulator's memory profile "
                     "(convert-gpu-to-simt-emulator trace-memory)"),
      llvm::cl::init(false)};
};

/// The CUDA toolkit: $CUDA_ROOT, $CUDA_HOME or $CUDA_PATH, else
/// /usr/local/cuda if it has libdevice; "" if none is found.
std::string cudaToolkitPath();

/// The NVPTX feature naming the PTX ISA version an architecture needs
/// ("+ptx70" for sm_80, "+ptx80" for sm_90), or "" for an unknown one.
std::string ptxFeatures(llvm::StringRef chip);

/// The architecture to compile for a GPU of compute capability
/// `computeCapability` (10 * major + minor): sm_90a on 9.0 (wgmma, TMA),
/// else the newest architecture dlc knows that the GPU runs (sm_80 on 8.0,
/// sm_86 on 8.6, sm_100 on 10.3: PTX the driver compiles); "" below 7.0.
std::string gpuArchFor(int computeCapability);

/// dlc dialect -> linalg/tensor/arith/math on tensors, canonicalized: the
/// first stage of every target's pipeline. `forGPU`: every conv2d as im2col
/// and a matmul (convert-dlc-to-linalg's im2col-max-width).
void buildDlcToLinalgPipeline(mlir::OpPassManager &pm, bool forGPU = false);

/// dlc dialect -> LLVM dialect for the host CPU. Function signatures become
/// destination-passing: tensor results turn into trailing memref out-params
/// that the caller allocates; every internal buffer is freed.
void buildCPUPipeline(mlir::OpPassManager &pm,
                      const CPUPipelineOptions &options);

/// dlc dialect -> LLVM dialect for the host, with every loop nest a CUDA
/// kernel embedded as PTX (or cubin) for `options.chip`. Signatures are
/// destination-passing as on the CPU; arguments are device buffers, and
/// intermediates are allocated in device memory through the runtime.
/// Contractions whose M and N are multiples of 16 are tiled for blocks of
/// threads with shared memory (dlc-tile-for-gpu, dlc-map-forall-to-gpu);
/// every other linalg op is one kernel with a thread per output element.
void buildGPUPipeline(mlir::OpPassManager &pm,
                      const GPUPipelineOptions &options);

/// Registers `dlc-cpu-pipeline` and `dlc-gpu-pipeline`.
void registerPipelines();

} // namespace dlc

#endif // DLC_PIPELINES_PIPELINES_H
