//===- Passes.td - dlc conversion passes -------------------*- tablegen -*-===//

#ifndef DLC_CONVERSION_PASSES_TD
#define DLC_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertDlcToLinalg : Pass<"convert-dlc-to-linalg"> {
  let summary = "Lower dlc ops to linalg, tensor, arith and math on tensors";
  let description = [{
    Expects: dlc ops on statically shaped tensors, anywhere in the input.

    Produces: value-semantic IR in the `linalg`, `tensor`, `arith` and `math`
    dialects. Named linalg ops are used where one exists (`linalg.matmul`,
    `linalg.batch_matmul`, `linalg.conv_2d_nchw_fchw`,
    `linalg.conv_2d_ngchw_gfchw`, `linalg.pooling_nchw_max/sum`);
    `linalg.generic` otherwise. Composites are expanded stably: softmax,
    log_softmax and cross-entropy subtract the row maximum; layer_norm and the
    losses accumulate in f32 (f64 for f64 inputs); f16/bf16 transcendental
    math is computed in f32. Each `tensor.empty` (an op's destination)
    carries a distinct `dlc.distinct` attribute, so that CSE does not merge
    the destinations of unrelated values; dlc-bufferize drops it.

    Leaves alone: every op that is not in the dlc dialect. The conversion is
    partial: it fails, naming the op, if a dlc op cannot be lowered.
  }];
  let options = [
    Option<"im2colMaxWidth", "im2col-max-width", "int64_t", /*default=*/"16",
           "conv2d (one group, several input channels) with output rows "
           "narrower than this becomes im2col and a matmul; wider ones stay "
           "linalg.conv_2d_nchw_fchw (on the CPU a narrow row fills only part "
           "of a vector register tile: a 32 -> 64 channel 3x3 conv at 14x14 "
           "ran at 29 GFLOP/s, 56x56 at ~80). The GPU pipeline takes im2col always "
           "(its matmuls are tiled with shared memory and tensor cores; its "
           "convs would be one thread per output)">,
    Option<"im2colChunkBytes", "im2col-chunk-bytes", "int64_t",
           /*default=*/"2 << 20",
           "f32 convs by im2col run over chunks of images whose column matrix "
           "fits in this many bytes (on the CPU the matmul then reads it from "
           "L2; each chunk is a few more kernels on the GPU, whose pipeline "
           "sets 64 MiB)">,
    Option<"windowGradsInOneMap", "window-grads-in-one-map", "bool",
           /*default=*/"false",
           "max_pool2d_grad and avg_pool2d_grad of windows that tile the "
           "input write it in one map over [N, C, OH, KH, OW, KW] (a reshape "
           "of it) instead of one strided slice per window offset (on the "
           "CPU each slice's map is vectorized along OW; on the GPU, which "
           "sets this, one kernel writes whole rows instead of KH * KW "
           "kernels each every KW-th element)">,
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect",
  ];
}

def ConvertGPUToSIMTEmulator
    : Pass<"convert-gpu-to-simt-emulator", "::mlir::ModuleOp"> {
  let summary = "Turn outlined GPU kernels into host code run by the SIMT "
                "emulator";
  let description = [{
    Expects: a host module after `gpu-kernel-outlining` whose host code is
    synchronous (before `gpu-async-region`): `gpu.launch_func`,
    `gpu.alloc`, `gpu.dealloc`, `gpu.memcpy`; kernels whose bodies are on
    memrefs, vectors, `scf`, `arith` and `math`, plus the GPU operations of
    `dlc-gpu-pipeline` (thread and block ids, `gpu.barrier`, `gpu.shuffle`,
    shared-memory globals and `gpu.dynamic_shared_memory`,
    `nvgpu.device_async_copy` with its NVVM or NVGPU groups and waits,
    `nvgpu.ldmatrix`, `nvgpu.mma.sync` of f16 m16n8k16 or TF32 m16n8k8, and
    the NVVM bf16 `mma.sync` of `dlc-lower-to-mma-sync`); and the sm_90 ones
    (`nvgpu.tma.async.load` of tiles without multicast, `nvgpu.mbarrier.*`,
    `nvgpu.warpgroup.*` with f16, bf16 or TF32 operands and f32 sums), with
    tensor maps made on the host by `nvgpu.tma.create.descriptor` over a
    memref cast from a ranked one. Those are first lowered by upstream's
    `convert-nvgpu-to-nvvm` patterns (shared memory as address space 0), and
    their NVVM (`mbarrier.*`, `cp.async.bulk.tensor`, `wgmma.*`, thread ids)
    emulated: the emulator models the hardware (descriptors, the swizzle on
    address bits), so that lowering's arithmetic is what runs.

    Produces: each kernel as a host function `__dlc_simt_kernel_<module>_<kernel>`
    whose GPU operations call the SIMT emulator (`dlc_simt_*`,
    lib/SIMTEmulator: threads of a block as fibers, barriers and warp-wide
    operations as the PTX ISA defines them, shared memory as host globals
    filled with 0xff at each block), its memrefs in one address space; each
    launch a call to `__dlc_simt_launch_<module>_<kernel>(grid, block,
    dynamic shared bytes, kernel operands)`, which the artifact writer
    defines (lib/Compiler) to run the kernel for every thread of every
    block; device buffers as host ones (`memref.alloc` 256-byte aligned,
    like `cuMemAlloc`'s). The GPU modules go.

    This is how `dlc-compile --emulate-gpu-kernels` (`dlc-gpu-pipeline
    emulate-kernels`) runs the kernels of the GPU pipeline, after all of its
    GPU passes, on a CPU: tests compare them with NumPy where there is no
    GPU, and barriers, fragment layouts and cp.async waits are exercised.

    With `check-bounds` (the default), every memory access of a kernel is
    checked as it runs: `memref.load`/`store`, atomics, `vector.load`/
    `store` and in-bounds transfer dims, `memref.subview` and `memref.view`
    (a shared-memory view past its array, or past the launch's dynamic
    shared bytes), the rows of `nvgpu.ldmatrix` that its tiles read and
    both sides of `nvgpu.device_async_copy`. An access outside its memref
    stops the process naming the kernel, block, thread, the operation and
    its source location, the dimension, the elements and the size: on a
    GPU it would read or write another buffer, or fault.

    With `trace-memory`, each access also calls the emulator with its
    address, size and kind; the emulator groups the lanes' accesses into
    warp requests (the nth access of an operation in each lane's order, per
    barrier interval) and writes, at exit, per kernel and operation (named
    by its source location): the shared-memory wavefronts of the requests
    against the fewest their access size allows (bank conflicts; ldmatrix a
    phase a tile), and the global 32-byte sectors they touch against the
    bytes they use (coalescing). Static counts of what a GPU would do, not
    times.

    Fails, naming the operation, on a GPU operation it does not emulate,
    on asynchronous host operations and on kernels with memory
    attributions.
  }];
  let options = [
    Option<"checkBounds", "check-bounds", "bool", /*default=*/"true",
           "Check every memory access of the kernels against its memref's "
           "sizes as the kernel runs">,
    Option<"traceMemory", "trace-memory", "bool", /*default=*/"false",
           "Tell the emulator each memory access of the kernels, for its "
           "memory profile (shared-memory wavefronts and global sectors of "
           "the warps' requests, written at exit to DLC_SIMT_PROFILE or "
           "stderr)">,
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::func::FuncDialect",
    "::mlir::LLVM::LLVMDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::vector::VectorDialect",
  ];
}

def ConvertTensorMapArguments
    : Pass<"convert-tensor-map-arguments", "::mlir::ModuleOp"> {
  let summary = "Pass TMA tensor maps to outlined kernels as pointers";
  let description = [{
    Expects: a module after `gpu-kernel-outlining` and
    `convert-nvgpu-to-nvvm`, whose kernels may take TMA tensor maps
    (`!nvgpu.tensormap.descriptor`): their uses in the kernel, and the host's
    `nvgpu.tma.create.descriptor`, are then `!llvm.ptr` values behind
    `builtin.unrealized_conversion_cast`s (upstream lowers nvgpu before
    outlining, where no kernel has such an argument).

    Produces: those kernel arguments as `!llvm.ptr` in each `gpu.func`
    signature, and the host pointers as the `gpu.launch_func` operands, the
    casts between them folded; `convert-gpu-to-nvvm` can then convert the
    kernels.

    Leaves alone: tensor-map arguments some use of which is not such a cast
    (before `convert-nvgpu-to-nvvm`), and everything else.
  }];
}

#endif // DLC_CONVERSION_PASSES_TD
