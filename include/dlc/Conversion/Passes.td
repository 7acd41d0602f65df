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
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect",
  ];
}

#endif // DLC_CONVERSION_PASSES_TD
