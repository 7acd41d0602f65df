//===- Pipelines.cpp - the named dlc pipelines -----------------------------===//

#include "dlc/Pipelines/Pipelines.h"

#include "dlc/Conversion/Passes.h"
#include "dlc/Transforms/Passes.h"

#include "mlir/Conversion/AffineToStandard/AffineToStandard.h"
#include "mlir/Conversion/SCFToGPU/SCFToGPUPass.h"
#include "mlir/Conversion/ArithToLLVM/ArithToLLVM.h"
#include "mlir/Conversion/FuncToLLVM/ConvertFuncToLLVMPass.h"
#include "mlir/Conversion/GPUCommon/GPUCommonPass.h"
#include "mlir/Conversion/GPUToNVVM/GPUToNVVMPass.h"
#include "mlir/Conversion/IndexToLLVM/IndexToLLVM.h"
#include "mlir/Conversion/NVGPUToNVVM/NVGPUToNVVM.h"
#include "mlir/Conversion/NVVMToLLVM/NVVMToLLVM.h"
#include "mlir/Conversion/VectorToSCF/VectorToSCF.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/Dialect/LLVMIR/Transforms/Passes.h"
#include "mlir/Conversion/ConvertToLLVM/ToLLVMPass.h"
#include "mlir/Conversion/MathToLLVM/MathToLLVM.h"
#include "mlir/Conversion/MathToLibm/MathToLibm.h"
#include "mlir/Conversion/MemRefToLLVM/MemRefToLLVM.h"
#include "mlir/Conversion/OpenMPToLLVM/ConvertOpenMPToLLVM.h"
#include "mlir/Conversion/ReconcileUnrealizedCasts/ReconcileUnrealizedCasts.h"
#include "mlir/Conversion/SCFToControlFlow/SCFToControlFlow.h"
#include "mlir/Conversion/SCFToOpenMP/SCFToOpenMP.h"
#include "mlir/Conversion/VectorToLLVM/ConvertVectorToLLVMPass.h"
#include "mlir/Dialect/Arith/Transforms/Passes.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/Transforms/RequestCWrappers.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/SCF/Transforms/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/FileSystem.h"

#include <cstdlib>
#include <limits>

using namespace mlir;

void dlc::buildDlcToLinalgPipeline(OpPassManager &pm, bool forGPU) {
  // Gradients first, so that every later stage sees plain dlc ops; then the
  // gradient functions (and any other calls) are inlined, so forward and
  // backward fuse as one function and no call crosses the buffer ABI.
  pm.addPass(createAutodiff());
  pm.addPass(createInlinerPass());
  pm.addPass(createCSEPass());
  ConvertDlcToLinalgOptions toLinalg;
  if (forGPU) {
    toLinalg.im2colMaxWidth = std::numeric_limits<int64_t>::max();
    // Whole batches at once where they fit in 64 MiB: each chunk costs a
    // few kernel launches (a [64, 32, 14, 14] conv's weight gradient was 16
    // chunks of 5), and its GEMM gets more blocks.
    toLinalg.im2colChunkBytes = 64 << 20;
    toLinalg.windowGradsInOneMap = true;
  }
  pm.addPass(createConvertDlcToLinalg(toLinalg));
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
}

/// Host code on memrefs, vectors, scf, arith and math -> LLVM dialect, for
/// the CPU (the CPU pipeline's tail, and the SIMT emulation's).
static void buildHostLowering(OpPassManager &pm, bool emitCInterface) {
  // x86 has no bf16 arithmetic and libgcc no bf16 conversions: compute in f32
  // and expand the conversions into integer bit manipulation.
  arith::ArithEmulateUnsupportedFloatsOptions emulate;
  emulate.sourceTypeStrs = {"bf16"};
  emulate.targetTypeStr = "f32";
  pm.addPass(arith::createArithEmulateUnsupportedFloats(emulate));
  arith::ArithExpandOpsPassOptions expand;
  expand.includeBf16 = true;
  pm.addPass(arith::createArithExpandOpsPass(expand));
  pm.addPass(createLowerAffinePass());
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  // Heap buffers through _mlir_memref_to_llvm_{aligned_alloc,free}: the
  // artifact routes them to the runtime's caching allocator (see
  // dlc_artifact_allocator), so repeated calls reuse memory instead of
  // mapping and faulting in fresh pages every time.
  FinalizeMemRefToLLVMConversionPassOptions memrefToLLVM;
  memrefToLLVM.useAlignedAlloc = true;
  memrefToLLVM.useGenericFunctions = true;
  pm.addPass(createFinalizeMemRefToLLVMConversionPass(memrefToLLVM));
  pm.addPass(createSCFToControlFlowPass());
  if (emitCInterface)
    pm.addNestedPass<func::FuncOp>(LLVM::createLLVMRequestCWrappersPass());
  // Math with an LLVM intrinsic goes there; the rest (erf, ...) calls libm.
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createConvertMathToLibmPass());
  pm.addPass(createConvertVectorToLLVMPass());
  pm.addPass(createConvertOpenMPToLLVMPass());
  pm.addPass(createConvertToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
  pm.addPass(createCanonicalizerPass());
}

void dlc::buildCPUPipeline(OpPassManager &pm,
                           const CPUPipelineOptions &options) {
  // (With the GPU schedule, convs as the GPU pipeline takes them.)
  buildDlcToLinalgPipeline(pm, /*forGPU=*/options.emulateGPUSchedule);

  // Tile, fuse and vectorize on tensors: elementwise chains become one
  // generic, which is then fused into its producer matmul's nest.
  // (With the GPU schedule, the GPU pipeline's two-result updates too.)
  FuseElementwiseOptions fusion;
  fusion.twoResults = options.emulateGPUSchedule;
  pm.addPass(createFuseElementwise(fusion));
  // Training state (dlc.inout arguments) is updated in its own buffer.
  pm.addPass(createUpdateInPlace());
  if (options.emulateGPUSchedule) {
    TileForGPUOptions gpuTiling;
    gpuTiling.hostEmulation = true;
    gpuTiling.allowTF32 = options.allowTF32;
    pm.addNestedPass<func::FuncOp>(createTileForGPU(gpuTiling));
    pm.addNestedPass<func::FuncOp>(createFoldReductionFills());
  } else {
    TileAndFuseOptions tiling;
    tiling.vectorWidth = options.vectorWidth;
    pm.addNestedPass<func::FuncOp>(createTileAndFuse(tiling));
  }
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());

  // Tensors -> buffers. Results become caller-allocated out-params so that a
  // caller (the runtime, a test harness) owns every buffer it sees.
  pm.addPass(createBufferize());
  // Small per-block temporaries of the parallel nests (a softmax row, its
  // partial sums) live on the thread's stack: no malloc/free per block.
  // scf-to-openmp scopes each iteration's allocas.
  pm.addNestedPass<func::FuncOp>(
      bufferization::createPromoteBuffersToStackPass([](Value alloc) {
        auto type = cast<MemRefType>(alloc.getType());
        return type.hasStaticShape() &&
               alloc.getParentRegion()->getParentOfType<scf::ForallOp>() &&
               type.getNumElements() * type.getElementTypeBitWidth() <=
                   64 * 1024 * 8;
      }));
  bufferization::BufferDeallocationPipelineOptions dealloc;
  bufferization::buildBufferDeallocationPipeline(pm, dealloc);
  pm.addPass(createCanonicalizerPass());
  pm.addNestedPass<func::FuncOp>(createHoistDeallocs());
  // (The GPU schedule's K loops in stages as on the GPU, plain copies.)
  if (options.emulateGPUSchedule) {
    pm.addNestedPass<func::FuncOp>(createPipelineStagingCopies());
    VectorizeStagingCopiesOptions pieces;
    pieces.hostEmulation = true;
    pm.addNestedPass<func::FuncOp>(createVectorizeStagingCopies(pieces));
  }
  pm.addNestedPass<func::FuncOp>(createLowerVectors());
  // After the vector hoisting of dlc-lower-vectors: views of one arena would
  // keep its alias analysis from telling buffers apart (accumulators left in
  // memory: a CNN training step 22 -> 26 ms).
  pm.addNestedPass<func::FuncOp>(createPlanBuffers());

  // (The GPU pipeline's loop order for the ops left to the parallel-loop
  // route: parallel loops first.)
  if (options.emulateGPUSchedule) {
    pm.addNestedPass<func::FuncOp>(createAddUnitParallelLoop());
    // (And its blocks of 256 threads over the collapsed loops.)
    TileParallelLoopsOptions threads;
    threads.hostEmulation = true;
    pm.addNestedPass<func::FuncOp>(createTileParallelLoops(threads));
  }
  // Buffers -> loops -> LLVM dialect.
  pm.addNestedPass<func::FuncOp>(createConvertLinalgToLoopsPass());
  // The parallel block loops of dlc-tile-and-fuse become OpenMP loops
  // (libomp; the thread count comes from OMP_NUM_THREADS or the runtime).
  pm.addNestedPass<func::FuncOp>(createForallToParallelLoopPass());
  pm.addPass(createConvertSCFToOpenMPPass());
  buildHostLowering(pm, options.emitCInterface);
}

/// Whether `chip` (sm_NN[a]) is sm_80 or later: cp.async, and mma.sync of
/// the shapes dlc-tile-for-gpu plans (m16n8k16 f16/bf16, m16n8k8 TF32).
static bool isAmpereOrLater(llvm::StringRef chip) {
  unsigned version = 0;
  return chip.consume_front("sm_") &&
         !chip.take_while(llvm::isDigit).getAsInteger(10, version) &&
         version >= 80;
}

std::string dlc::ptxFeatures(llvm::StringRef chip) {
  // The first PTX ISA version that knows each architecture (PTX ISA release
  // notes); LLVM's NVPTX back end refuses sm_90 at its default PTX 6.0.
  return llvm::StringSwitch<std::string>(chip)
      .Case("sm_70", "+ptx60")
      .Case("sm_72", "+ptx61")
      .Case("sm_75", "+ptx63")
      .Case("sm_80", "+ptx70")
      .Case("sm_86", "+ptx71")
      .Case("sm_87", "+ptx74")
      .Case("sm_89", "+ptx78")
      .Case("sm_90", "+ptx78")
      .Case("sm_90a", "+ptx80")
      .Cases({"sm_100", "sm_100a"}, "+ptx86")
      .Cases({"sm_120", "sm_120a"}, "+ptx87")
      .Default("");
}

std::string dlc::gpuArchFor(int computeCapability) {
  if (computeCapability == 90)
    return "sm_90a";
  // (Ascending; the same names as ptxFeatures.)
  static const int known[] = {70, 72, 75, 80, 86, 87, 89, 90, 100, 120};
  std::string arch;
  for (int version : known)
    if (version <= computeCapability)
      arch = "sm_" + std::to_string(version);
  return arch;
}

/// The GPU pipeline up to outlined kernels: tiling to blocks and threads,
/// bufferization, staging, tensor cores, the parallel-loop route for the
/// rest, outlining.
namespace dlc {
static void buildGPUKernels(OpPassManager &pm,
                            const GPUPipelineOptions &options) {
  // Convs as im2col and a matmul: the matmul gets the tiled, shared-memory
  // (tensor-core for f16/bf16) schedule; a conv would be one thread per
  // output.
  buildDlcToLinalgPipeline(pm, /*forGPU=*/true);
  // (A momentum and weight update one op: one kernel, or a GEMM epilogue.)
  FuseElementwiseOptions fusion;
  fusion.twoResults = true;
  pm.addPass(createFuseElementwise(fusion));
  pm.addPass(createUpdateInPlace());
  // Contractions: blocks, shared-memory K steps, 4 x 4 thread tiles (warp
  // tiles for tensor cores), with their fill and elementwise consumer in the
  // same kernel.
  TileForGPUOptions tiling;
  tiling.allowTF32 = options.allowTF32;
  // (Before sm_80: FMAs, TF32 allowed or not.)
  bool ampere = isAmpereOrLater(options.chip);
  tiling.tensorCores = ampere;
  // (sm_90a: wgmma and TMA; the "a" features only that chip has.)
  bool hopper = options.chip == "sm_90a";
  tiling.wgmma = hopper;
  // (Hopper only: ptxas fits the wide f32 blocks in 128 registers for
  // sm_90, and spilled for sm_80, sm_100 and sm_120.)
  tiling.wideSimtTiles = options.chip == "sm_90" || hopper;
  pm.addNestedPass<func::FuncOp>(createTileForGPU(tiling));
  pm.addNestedPass<func::FuncOp>(createFoldReductionFills());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  pm.addPass(createBufferize());
  bufferization::BufferDeallocationPipelineOptions dealloc;
  bufferization::buildBufferDeallocationPipeline(pm, dealloc);
  pm.addPass(createCanonicalizerPass());
  pm.addNestedPass<func::FuncOp>(createHoistDeallocs());
  // The products marked for wgmma: their TMA-fed kernels, before the
  // passes below would take them for ordinary linalg ops.
  if (hopper)
    pm.addPass(createLowerToWgmma());
  // The GEMM K loops in stages: cp.async copies of the next steps' tiles in
  // flight during each step's product (cp.async: sm_80 and later).
  if (ampere) {
    PipelineStagingCopiesOptions stages;
    stages.async = true;
    pm.addNestedPass<func::FuncOp>(createPipelineStagingCopies(stages));
  }
  pm.addPass(createMapForallToGPU());
  // The warps' products on tensor cores (mma.sync), before dlc-lower-vectors
  // would make them FMAs.
  pm.addNestedPass<func::FuncOp>(createLowerToMmaSync());
  // Inside the GEMM kernels: each thread's accumulators hoisted out of the
  // K loop into registers, its product as FMAs. Here, before outlining: in
  // the outlined kernel the hoisting no longer happens (measured: 4 more
  // shared loads and stores per K step).
  pm.addNestedPass<func::FuncOp>(createLowerVectors());
  // The staging copies' 16-byte pieces as vector accesses (where aligned).
  pm.addNestedPass<func::FuncOp>(createVectorizeStagingCopies());
  // Each kernel's shared buffers in one array, by live range (a GEMM's
  // accumulator tile in the bytes of its K loop's stages); dynamic shared
  // memory past 48 KiB.
  pm.addPass(createPlaceSharedMemory());

  // Every other linalg op a grid of threads, one output element per thread,
  // the innermost loop on thread x (coalesced accesses); reductions run in
  // the thread. Upstream's parallel-loop route (research/gpu-path.md,
  // route B).
  pm.addNestedPass<func::FuncOp>(createAddUnitParallelLoop());
  pm.addNestedPass<func::FuncOp>(createConvertLinalgToParallelLoopsPass());
  // Each loop as one dim in blocks of 256 threads (full tiles with a bounds
  // check inside: the block size stays a constant).
  pm.addNestedPass<func::FuncOp>(createTileParallelLoops());
  GpuMapParallelLoopsPassOptions mapping;
  mapping.mappingPolicyStr = "innermost-first";
  pm.addNestedPass<func::FuncOp>(createGpuMapParallelLoopsPass(mapping));
  pm.addNestedPass<func::FuncOp>(createConvertParallelLoopToGpuPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createLowerAffinePass());
  pm.addNestedPass<func::FuncOp>(createAllocateOnDevice());
  pm.addNestedPass<func::FuncOp>(createGpuLaunchSinkIndexComputationsPass());
  pm.addPass(createOutlineKernels());
  // (A row read by several passes of a row nest: read once, kept in
  // registers.)
  pm.addNestedPass<gpu::GPUModuleOp>(createForwardKernelLoads());
  pm.addPass(createNameKernels());
  // Shared-memory globals now live in the GPU modules that use them; their
  // host copies (which host lowering cannot type) go.
  pm.addPass(createSymbolDCEPass());
}
} // namespace dlc

void dlc::buildGPUPipeline(OpPassManager &pm,
                           const GPUPipelineOptions &options) {
  if (!options.givenKernels) {
    buildGPUKernels(pm, options);
  } else {
    // Hand-written host code returns its buffers: out-parameters, as the
    // artifact's entry points take them (dlc-bufferize's convention).
    bufferization::BufferResultsToOutParamsPassOptions outParams;
    outParams.hoistStaticAllocs = true;
    outParams.modifyPublicFunctions = true;
    pm.addPass(bufferization::createBufferResultsToOutParamsPass(outParams));
  }
  // (Emulated: the kernels as host functions run by the SIMT emulator, all
  // of it lowered for the CPU.)
  if (options.emulateKernels) {
    if (options.emitCInterface)
      pm.addNestedPass<func::FuncOp>(LLVM::createLLVMRequestCWrappersPass());
    ConvertGPUToSIMTEmulatorOptions emulation;
    emulation.traceMemory = options.traceMemory;
    pm.addPass(createConvertGPUToSIMTEmulator(emulation));
    pm.addPass(createConvertVectorToSCFPass());
    buildHostLowering(pm, /*emitCInterface=*/false);
    return;
  }
  // Allocations, copies and launches ordered on one stream per call.
  pm.addNestedPass<func::FuncOp>(createGpuAsyncRegionPass());
  if (options.emitCInterface)
    pm.addNestedPass<func::FuncOp>(LLVM::createLLVMRequestCWrappersPass());

  // Upstream's gpu-lower-to-nvvm-pipeline, pass for pass
  // (GPUToNVVMPipeline.cpp), except that the binary stage is told where the
  // CUDA toolkit is: libdevice (the __nv_expf, __nv_tanhf ... that math ops
  // become) is linked from there, also when no CUDA_HOME is set.
  pm.addPass(createConvertNVGPUToNVVMPass());
  // (Kernels outlined before that lowering: their TMA tensor maps pointers.)
  pm.addPass(createConvertTensorMapArguments());
  pm.addPass(createConvertVectorToSCFPass());
  pm.addPass(createSCFToControlFlowPass());
  pm.addPass(createConvertNVVMToLLVMPass());
  pm.addPass(createConvertFuncToLLVMPass());
  pm.addPass(memref::createExpandStridedMetadataPass());
  GpuNVVMAttachTargetOptions target;
  target.chip = options.chip;
  target.features =
      options.features.empty() ? ptxFeatures(options.chip)
                               : std::string(options.features);
  target.optLevel = options.optLevel;
  pm.addPass(createGpuNVVMAttachTarget(target));
  pm.addPass(createLowerAffinePass());
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertIndexToLLVMPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());

  pm.addNestedPass<gpu::GPUModuleOp>(createStripDebugInfoPass());
  // The kernels' vectors down to 1-D, which convert-gpu-to-nvvm takes (the
  // canonicalizations since the run above rebuilt n-D broadcasts).
  LowerVectorsOptions kernelVectors;
  kernelVectors.lowerBroadcasts = true;
  pm.addNestedPass<gpu::GPUModuleOp>(createLowerVectors(kernelVectors));
  pm.addNestedPass<gpu::GPUModuleOp>(createConvertGpuOpsToNVVMOps());
  pm.addNestedPass<gpu::GPUModuleOp>(createDeclareDynamicSharedMemory());
  pm.addNestedPass<gpu::GPUModuleOp>(createApplyKernelNoAlias());
  // (Kernels using setmaxnreg: one block an SM, their register count at
  // entry fixed.)
  pm.addNestedPass<gpu::GPUModuleOp>(createPinRegisterCount());
  pm.addNestedPass<gpu::GPUModuleOp>(LLVM::createNVVMOptimizeForTargetPass());
  pm.addNestedPass<gpu::GPUModuleOp>(createCanonicalizerPass());
  pm.addNestedPass<gpu::GPUModuleOp>(createCSEPass());
  pm.addNestedPass<gpu::GPUModuleOp>(createReconcileUnrealizedCastsPass());

  pm.addPass(createGpuToLLVMConversionPass());
  GpuModuleToBinaryPassOptions binary;
  binary.compilationTarget = options.format;
  binary.toolkitPath = options.cudaPath.empty() ? cudaToolkitPath()
                                                : std::string(options.cudaPath);
  pm.addPass(createGpuModuleToBinaryPass(binary));
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
}

std::string dlc::cudaToolkitPath() {
  for (const char *name : {"CUDA_ROOT", "CUDA_HOME", "CUDA_PATH"})
    if (const char *value = std::getenv(name); value && *value)
      return value;
  if (llvm::sys::fs::exists("/usr/local/cuda/nvvm/libdevice/libdevice.10.bc"))
    return "/usr/local/cuda";
  return "";
}

void dlc::registerPipelines() {
  PassPipelineRegistration<CPUPipelineOptions>(
      "dlc-cpu-pipeline",
      "Lower a dlc module to the LLVM dialect for the host CPU (bufferized, "
      "destination-passing signatures, C wrappers)",
      buildCPUPipeline);
  PassPipelineRegistration<GPUPipelineOptions>(
      "dlc-gpu-pipeline",
      "Lower a dlc module to the LLVM dialect for the host with its loops as "
      "CUDA kernels, embedded as PTX or cubin (NVVM)",
      buildGPUPipeline);
}
