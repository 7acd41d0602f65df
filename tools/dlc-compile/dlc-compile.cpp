//===- dlc-compile.cpp - ahead-of-time compiler driver ---------------------===//
//
//   dlc-compile model.mlir -o model.dlc [--target=cpu] [--cpu=native]
//               [--emit=dlc|linalg|llvm-dialect|llvm-ir|asm|obj]
//   dlc-compile model.mlir --target=cuda --gpu-arch=sm_90
//               --emit=ptx|llvm-dialect|linalg
//
// Every stage of the compilation can be printed with --emit; MLIR's standard
// flags (--mlir-print-ir-after-all, --mlir-timing, ...) apply to the passes.
//
//===----------------------------------------------------------------------===//

#include "dlc/Compiler/Compiler.h"
#include "dlc/InitAll.h"
#include "dlc/Pipelines/Pipelines.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Support/Timing.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"

using namespace mlir;
namespace cl = llvm::cl;

namespace {
enum class Emit { Artifact, Linalg, LLVMDialect, LLVMIR, Asm, Obj, PTX };

// --help shows these two categories; LLVM's code-generation internals that
// libLLVM registers (hundreds of them) stay hidden, as in clang.
cl::OptionCategory dlcCategory("dlc-compile options");
cl::OptionCategory mlirCategory(
    "MLIR options (IR printing, timing, statistics, crash reproducers)");

cl::opt<std::string> inputFile(cl::Positional, cl::desc("<input .mlir>"),
                               cl::init("-"), cl::cat(dlcCategory));
cl::opt<std::string> outputFile("o", cl::desc("Output file"),
                                cl::value_desc("filename"), cl::init(""),
                                cl::cat(dlcCategory));
cl::opt<std::string> target("target", cl::desc("Target: cpu or cuda"),
                            cl::init("cpu"), cl::cat(dlcCategory));
cl::opt<std::string> gpuArch(
    "gpu-arch",
    cl::desc("NVIDIA architecture for --target=cuda: sm_80, sm_90a, ..., or "
             "native (the GPU the runtime computes on: sm_90a on an H100)"),
    cl::init("sm_80"), cl::cat(dlcCategory));
cl::opt<std::string>
    cpu("cpu",
        cl::desc("CPU to compile for: native (this machine), an x86-64 ISA "
                 "level (x86-64, x86-64-v2, x86-64-v3, x86-64-v4) for "
                 "portable artifacts, or an LLVM CPU name (znver3, "
                 "skylake-avx512)"),
        cl::init("native"), cl::cat(dlcCategory));
cl::opt<std::string> trainStep(
    "train-step",
    cl::desc("Also build a training step from the loss function: the options "
             "of dlc-make-train-step, e.g. \"loss=loss optimizer=adam "
             "lr=0.001\" (see dlc-opt --help); empty: defaults"),
    cl::value_desc("options"), cl::ValueOptional, cl::cat(dlcCategory));
cl::opt<bool> allowTF32(
    "allow-tf32",
    cl::desc("--target=cuda: f32 matmuls on tensor cores in TF32 (10-bit "
             "mantissa products, f32 sums), as PyTorch's allow_tf32; off: "
             "exact f32. With --emulate-gpu-schedule: that schedule, "
             "computed in exact f32 on the CPU"),
    cl::init(false), cl::cat(dlcCategory));
cl::opt<bool> emulateGPUSchedule(
    "emulate-gpu-schedule",
    cl::desc("CPU target: tile contractions with the GPU kernels' schedule "
             "(blocks, staged K steps, thread tiles) run on the CPU, to test "
             "that schedule without a GPU"),
    cl::init(false), cl::cat(dlcCategory));
cl::opt<bool> emulateGPUKernels(
    "emulate-gpu-kernels",
    cl::desc("CPU target: the kernels of --target=cuda for --gpu-arch, after "
             "every GPU pass, run on the CPU by the SIMT emulator (each "
             "block's threads in turn, barriers, warp shuffles, ldmatrix, "
             "mma.sync and cp.async as on the GPU), to test them without a "
             "GPU; slow, for tests"),
    cl::init(false), cl::cat(dlcCategory));
cl::opt<bool> profileEmulatedMemory(
    "profile-emulated-memory",
    cl::desc("With --emulate-gpu-kernels: the emulator counts, per kernel "
             "and operation, the shared-memory wavefronts (bank conflicts) "
             "and global sectors (coalescing) of the warps' memory requests "
             "and writes them at exit to $DLC_SIMT_PROFILE (else stderr)"),
    cl::init(false), cl::cat(dlcCategory));
cl::opt<unsigned> optLevel("O", cl::desc("LLVM optimization level"),
                           cl::init(3), cl::Prefix, cl::cat(dlcCategory));
cl::opt<Emit> emit(
    "emit", cl::desc("What to write"), cl::init(Emit::Artifact),
    cl::cat(dlcCategory),
    cl::values(
        clEnumValN(Emit::Artifact, "dlc", "the artifact (default)"),
        clEnumValN(Emit::Linalg, "linalg", "IR after convert-dlc-to-linalg"),
        clEnumValN(Emit::LLVMDialect, "llvm-dialect",
                   "IR after dlc-cpu-pipeline"),
        clEnumValN(Emit::LLVMIR, "llvm-ir", "optimized LLVM IR"),
        clEnumValN(Emit::Asm, "asm", "assembly"),
        clEnumValN(Emit::Obj, "obj", "object file"),
        clEnumValN(Emit::PTX, "ptx",
                   "--target=cuda: the kernels' PTX, each after a "
                   "'// dlc-kernel: <name>' line")));
} // namespace

static LogicalResult runCUDA(MLIRContext &context, ModuleOp module,
                             llvm::TargetMachine &machine,
                             llvm::raw_ostream &os,
                             llvm::function_ref<void(PassManager &)> configure) {
  if (emit == Emit::Linalg) {
    PassManager pm(&context);
    configure(pm);
    dlc::buildDlcToLinalgPipeline(pm, /*forGPU=*/true);
    if (failed(pm.run(module)))
      return failure();
    module->print(os);
    return success();
  }
  if (emit == Emit::Artifact) {
    auto bytes = dlc::compileToCUDAArtifact(module, machine, gpuArch,
                                            optLevel, configure, allowTF32);
    if (failed(bytes))
      return failure();
    os.write(reinterpret_cast<const char *>(bytes->data()), bytes->size());
    return success();
  }
  if (emit != Emit::PTX && emit != Emit::LLVMDialect) {
    llvm::errs() << "dlc-compile: --target=cuda writes the artifact or "
                    "--emit=ptx, llvm-dialect or linalg\n";
    return failure();
  }
  if (failed(dlc::lowerToGPULLVMDialect(module, gpuArch, "isa", configure,
                                        allowTF32)))
    return failure();
  if (emit == Emit::LLVMDialect) {
    module->print(os);
    return success();
  }
  for (auto &[name, ptx] : dlc::kernelObjects(module))
    os << "// dlc-kernel: " << name << "\n" << ptx << "\n";
  return success();
}

static LogicalResult run(MLIRContext &context) {
  if (target != "cpu" && target != "cuda") {
    llvm::errs() << "dlc-compile: unknown --target=" << target
                 << " (expected cpu or cuda)\n";
    return failure();
  }
  if (target == "cpu" && emit == Emit::PTX) {
    llvm::errs() << "dlc-compile: --emit=ptx needs --target=cuda\n";
    return failure();
  }
  if (emulateGPUKernels && (target != "cpu" || emulateGPUSchedule)) {
    llvm::errs() << "dlc-compile: --emulate-gpu-kernels compiles for the CPU "
                    "(--target=cpu), without --emulate-gpu-schedule\n";
    return failure();
  }
  dlc::CompileOptions options;
  options.cpu = cpu;
  options.optLevel = optLevel;
  options.emulateGPUSchedule = emulateGPUSchedule;
  options.emulateTF32Schedule = allowTF32;
  if (profileEmulatedMemory && !emulateGPUKernels) {
    llvm::errs() << "dlc-compile: --profile-emulated-memory needs "
                    "--emulate-gpu-kernels\n";
    return failure();
  }
  if (emulateGPUKernels)
    options.emulateGPUKernels = gpuArch;
  options.profileEmulatedMemory = profileEmulatedMemory;
  // A bad --cpu is an option error: report it before reading the input.
  auto machine = dlc::createTargetMachine(options);
  if (!machine) {
    llvm::errs() << "dlc-compile: " << llvm::toString(machine.takeError())
                 << "\n";
    return failure();
  }
  std::string error;
  auto input = openInputFile(inputFile, &error);
  if (!input) {
    llvm::errs() << "dlc-compile: " << error << "\n";
    return failure();
  }
  llvm::SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(std::move(input), llvm::SMLoc());
  SourceMgrDiagnosticHandler diagnostics(sourceMgr, &context);
  // Diagnostics about the input as a whole (at its module, which the parser
  // places at line 0) as "FILE: error: ...", not at a made-up FILE:0:0.
  ScopedDiagnosticHandler wholeInput(&context, [](Diagnostic &diagnostic) {
    auto loc = dyn_cast<FileLineColLoc>(diagnostic.getLocation());
    if (!loc || loc.getLine() != 0)
      return failure();
    auto print = [&](Diagnostic &d) {
      const char *kind = d.getSeverity() == DiagnosticSeverity::Error ? "error"
                         : d.getSeverity() == DiagnosticSeverity::Warning
                             ? "warning"
                         : d.getSeverity() == DiagnosticSeverity::Note
                             ? "note"
                             : "remark";
      llvm::errs() << loc.getFilename().getValue() << ": " << kind << ": "
                   << d << "\n";
    };
    print(diagnostic);
    for (Diagnostic &note : diagnostic.getNotes())
      print(note);
    return success();
  });
  OwningOpRef<ModuleOp> module = parseSourceFile<ModuleOp>(sourceMgr, &context);
  if (!module)
    return failure();
  if (trainStep.getNumOccurrences()) {
    PassManager pm(&context);
    if (failed(parsePassPipeline("dlc-make-train-step{" + trainStep + "}",
                                 pm, llvm::errs())) ||
        failed(pm.run(*module)))
      return failure();
  }

  std::string out = outputFile;
  if (out.empty())
    out = emit == Emit::Artifact ? "out.dlc" : emit == Emit::Obj ? "out.o" : "-";
  auto output = openOutputFile(out, &error);
  if (!output) {
    llvm::errs() << "dlc-compile: " << error << "\n";
    return failure();
  }

  auto configure = [](PassManager &pm) {
    if (failed(applyPassManagerCLOptions(pm)))
      return;
    applyDefaultTimingPassManagerCLOptions(pm);
  };
  if (target == "cuda") {
    if (failed(runCUDA(context, *module, **machine, output->os(), configure)))
      return failure();
    output->keep();
    return success();
  }
  if (allowTF32 && !emulateGPUSchedule && !emulateGPUKernels) {
    llvm::errs() << "dlc-compile: --allow-tf32 needs --target=cuda, "
                    "--emulate-gpu-schedule or --emulate-gpu-kernels (the CPU "
                    "computes f32 exactly)\n";
    return failure();
  }
  if (emit == Emit::Artifact) {
    auto bytes =
        dlc::compileToArtifact(*module, **machine, options, configure);
    if (failed(bytes))
      return failure();
    output->os().write(reinterpret_cast<const char *>(bytes->data()),
                       bytes->size());
    output->keep();
    return success();
  }
  if (emit == Emit::Linalg) {
    PassManager pm(&context);
    configure(pm);
    dlc::buildDlcToLinalgPipeline(pm);
    if (failed(pm.run(*module)))
      return failure();
    module->print(output->os());
    output->keep();
    return success();
  }
  if (failed(dlc::lowerToLLVMDialect(*module, **machine, configure, options)))
    return failure();
  if (emit == Emit::LLVMDialect) {
    module->print(output->os());
    output->keep();
    return success();
  }
  llvm::LLVMContext llvmContext;
  auto llvmModule =
      dlc::translateToLLVMIR(*module, llvmContext, **machine, optLevel);
  if (failed(llvmModule))
    return failure();
  if (emit == Emit::LLVMIR) {
    (*llvmModule)->print(output->os(), nullptr);
  } else if (failed(dlc::emitMachineCode(
                 **llvmModule, **machine,
                 emit == Emit::Asm ? llvm::CodeGenFileType::AssemblyFile
                                   : llvm::CodeGenFileType::ObjectFile,
                 output->os()))) {
    llvm::errs() << "dlc-compile: code generation failed\n";
    return failure();
  }
  output->keep();
  return success();
}

int main(int argc, char **argv) {
  llvm::InitLLVM y(argc, argv);
  // Pass names must be registered before the pass-manager options that name
  // them (--mlir-print-ir-after=<pass>) are created.
  dlc::registerAllPasses();
  registerAsmPrinterCLOptions();
  registerMLIRContextCLOptions();
  registerPassManagerCLOptions();
  registerDefaultTimingManagerCLOptions();
  for (auto &[name, option] : cl::getRegisteredOptions())
    if (name.starts_with("mlir-"))
      option->addCategory(mlirCategory);
  cl::HideUnrelatedOptions({&dlcCategory, &mlirCategory});
  cl::ParseCommandLineOptions(argc, argv, "dlc ahead-of-time compiler\n");

  DialectRegistry registry;
  dlc::registerAllDialects(registry);
  MLIRContext context(registry);
  // Errors as one line each (a failing kernel module would otherwise be
  // printed whole after ptxas's message), unless asked for.
  if (cl::getRegisteredOptions()["mlir-print-op-on-diagnostic"]
          ->getNumOccurrences() == 0)
    context.printOpOnDiagnostic(false);
  return failed(run(context)) ? 1 : 0;
}
