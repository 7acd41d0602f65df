//===- Manifest.cpp - the artifact manifest --------------------------------===//

#include "dlc/Compiler/Compiler.h"

#include "dlc/Dialect/Dlc/IR/DlcOps.h"
#include "dlc/artifact_format.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/SymbolTable.h"
#include "llvm/MC/MCSubtargetInfo.h"

#include <nlohmann/json.hpp>

using namespace mlir;
using json = nlohmann::json;

namespace {

FailureOr<json> tensorSpec(Type type, StringRef name, Location loc,
                           StringRef what) {
  // (Or an identity-layout memref: the same buffer at the ABI, in host code
  // written on memrefs around hand-written kernels.)
  auto tensor = dyn_cast<ShapedType>(type);
  auto memref = dyn_cast<MemRefType>(type);
  if (!isa<RankedTensorType>(type) &&
      (!memref || !memref.getLayout().isIdentity() || memref.getMemorySpace()))
    tensor = nullptr;
  std::optional<std::string> dtype =
      tensor ? dlc::elementTypeName(tensor.getElementType()) : std::nullopt;
  if (!tensor || !tensor.hasStaticShape() || !dtype)
    return emitError(loc) << "entry point " << what
                          << " must be a statically shaped tensor of a dlc "
                             "element type, but found "
                          << type;
  json spec = {{"dtype", *dtype}, {"shape", tensor.getShape()}};
  if (!name.empty())
    spec["name"] = name.str();
  return spec;
}

/// Flops of the contractions in `func` and the functions it calls.
double countFlops(func::FuncOp func, SymbolTableCollection &symbols,
                  llvm::DenseMap<Operation *, double> &memo) {
  if (auto it = memo.find(func); it != memo.end())
    return it->second;
  memo[func] = 0; // breaks recursion
  double flops = 0;
  func.walk([&](Operation *op) {
    if (auto mm = dyn_cast<dlc::MatmulOp>(op)) {
      auto lhs = cast<RankedTensorType>(mm.getLhs().getType());
      flops += 2.0 * mm.getType().getNumElements() * lhs.getShape().back();
    } else if (auto conv = dyn_cast<dlc::Conv2DOp>(op)) {
      auto filter = cast<RankedTensorType>(conv.getFilter().getType());
      flops += 2.0 * conv.getType().getNumElements() * filter.getDimSize(1) *
               filter.getDimSize(2) * filter.getDimSize(3);
    } else if (auto call = dyn_cast<func::CallOp>(op)) {
      if (auto callee = symbols.lookupNearestSymbolFrom<func::FuncOp>(
              call, call.getCalleeAttr()))
        flops += countFlops(callee, symbols, memo);
    } else if (isa<dlc::GradOp, dlc::ValueAndGradOp>(op)) {
      // The forward and, per contraction, two more of its size backward.
      auto calleeAttr = op->getAttrOfType<FlatSymbolRefAttr>("callee");
      if (auto callee =
              symbols.lookupNearestSymbolFrom<func::FuncOp>(op, calleeAttr))
        flops += 3 * countFlops(callee, symbols, memo);
    }
  });
  return memo[func] = flops;
}

} // namespace

FailureOr<std::string> dlc::buildManifest(ModuleOp module,
                                          llvm::TargetMachine &targetMachine,
                                          llvm::StringRef gpuArch) {
  json functions = json::array();
  SymbolTableCollection symbols;
  llvm::DenseMap<Operation *, double> memo;
  for (auto func : module.getOps<func::FuncOp>()) {
    if (!func.isPublic() || func.isExternal())
      continue;
    json inputs = json::array(), outputs = json::array();
    for (auto [i, type] : llvm::enumerate(func.getArgumentTypes())) {
      auto name = func.getArgAttrOfType<StringAttr>(i, "dlc.name");
      FailureOr<json> spec =
          tensorSpec(type, name ? name.getValue() : StringRef(), func.getLoc(),
                     "argument " + std::to_string(i) + " of @" +
                         func.getName().str());
      if (failed(spec))
        return failure();
      inputs.push_back(*spec);
    }
    for (auto [i, type] : llvm::enumerate(func.getResultTypes())) {
      FailureOr<json> spec =
          tensorSpec(type, "", func.getLoc(),
                     "result " + std::to_string(i) + " of @" +
                         func.getName().str());
      if (failed(spec))
        return failure();
      outputs.push_back(*spec);
    }
    // In-out pairs (verified by the dialect's argument-attribute verifier).
    for (unsigned i = 0; i < func.getNumArguments(); ++i)
      if (auto inout = func.getArgAttrOfType<IntegerAttr>(
              i, dlc::DlcDialect::getInOutAttrName()))
        outputs[inout.getInt()]["inout"] = i;
    functions.push_back({{"name", func.getName().str()},
                         {"inputs", inputs},
                         {"outputs", outputs},
                         {"flops", countFlops(func, symbols, memo)}});
  }
  if (functions.empty())
    return module.emitError(
        "nothing to compile: the module has no public function with a body");

  // The features the runtime checks before loading (it knows these names).
  json features = json::array();
  const llvm::MCSubtargetInfo *sti = targetMachine.getMCSubtargetInfo();
#define DLC_FEATURE_NAME(name) name,
  for (const char *feature : {DLC_ARTIFACT_CPU_FEATURES(DLC_FEATURE_NAME)})
    if (sti->checkFeatures(std::string("+") + feature))
      features.push_back(feature);
#undef DLC_FEATURE_NAME
  json manifest = {
      {"format_version", DLC_ARTIFACT_FORMAT_VERSION},
      {"producer", "dlc"},
      {"target",
       {{"triple", targetMachine.getTargetTriple().str()},
        {"cpu", targetMachine.getTargetCPU().str()},
        {"features", features}}},
      {"functions", functions},
  };
  // Code for an NVIDIA GPU: host code for the CPU above, kernels for gpuArch.
  if (!gpuArch.empty())
    manifest["device"] = {{"kind", "cuda"}, {"arch", gpuArch.str()}};
  return manifest.dump();
}

std::optional<std::string> dlc::elementTypeName(Type type) {
  if (type.isF16())
    return "f16";
  if (type.isBF16())
    return "bf16";
  if (type.isF32())
    return "f32";
  if (type.isF64())
    return "f64";
  if (type.isInteger(1))
    return "i1";
  if (type.isInteger(32))
    return "i32";
  if (type.isInteger(64))
    return "i64";
  return std::nullopt;
}
