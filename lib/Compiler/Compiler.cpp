//===- Compiler.cpp - dlc module -> LLVM IR -> object -> artifact ----------===//

#include "dlc/Compiler/Compiler.h"

#include "dlc/Pipelines/Pipelines.h"
#include "dlc/artifact_format.h"
#include "dlc/runtime.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "mlir/Target/LLVMIR/Export.h"

#include "llvm/BinaryFormat/ELF.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/Support/CRC.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/TargetParser/Host.h"

#include <cstring>
#include <set>

using namespace mlir;

llvm::Expected<std::unique_ptr<llvm::TargetMachine>>
dlc::createTargetMachine(const CompileOptions &options) {
  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();
  llvm::InitializeNativeTargetAsmParser();
  llvm::Triple triple(llvm::sys::getDefaultTargetTriple());
  std::string error;
  const llvm::Target *target =
      llvm::TargetRegistry::lookupTarget(triple, error);
  if (!target)
    return llvm::createStringError(error);
  std::string cpu = options.cpu;
  std::string features;
  if (cpu == "native") {
    cpu = llvm::sys::getHostCPUName().str();
    for (const auto &feature : llvm::sys::getHostCPUFeatures())
      features += (features.empty() ? "" : ",") +
                  std::string(feature.second ? "+" : "-") +
                  feature.first().str();
  } else if (!std::unique_ptr<llvm::MCSubtargetInfo>(
                  // (The generic CPU: creating one for an unknown name would
                  // print LLVM's own warning before ours.)
                  target->createMCSubtargetInfo(triple, "", ""))
                  ->isCPUStringValid(cpu)) {
    return llvm::createStringError(
        "unknown CPU '" + cpu + "' for " + triple.str() +
        " (try native, x86-64, x86-64-v2, x86-64-v3, x86-64-v4, znver3, "
        "znver4, skylake-avx512)");
  }
  llvm::TargetOptions targetOptions;
  auto level = options.optLevel >= 3   ? llvm::CodeGenOptLevel::Aggressive
               : options.optLevel == 0 ? llvm::CodeGenOptLevel::None
                                       : llvm::CodeGenOptLevel::Default;
  std::unique_ptr<llvm::TargetMachine> machine(target->createTargetMachine(
      triple, cpu, features, targetOptions, llvm::Reloc::PIC_, std::nullopt,
      level));
  if (!machine)
    return llvm::createStringError("cannot create a target machine for " +
                                   triple.str());
  return machine;
}

/// The prefix of every function of a module lowered to LLVM.
static constexpr llvm::StringLiteral kFunctionPrefix = "_dlc_";

/// What every target's lowering starts from: parameter names and marks,
/// which only feed the manifest and dlc-make-train-step, are dropped, and
/// every defined function is renamed `_dlc_<name>`. A function may be named
/// like a C library function the lowering calls (`exp`, `log`, `tanh`):
/// math-to-libm would then call the user's function instead, and the
/// artifact's own `exp` would shadow libm's (no C library symbol starts
/// with `_dlc_`; '.' would be safer in C but is invalid in PTX). Entry
/// points keep their names (dlc_entry_<name>, see translateToLLVMIR).
static LogicalResult prepareForLowering(ModuleOp module) {
  for (auto func : module.getOps<func::FuncOp>())
    for (unsigned i = 0; i < func.getNumArguments(); ++i) {
      func.removeArgAttr(i, "dlc.name");
      func.removeArgAttr(i, "dlc.param");
    }
  SymbolTable symbols(module);
  for (auto func : llvm::make_early_inc_range(module.getOps<func::FuncOp>()))
    if (!func.isExternal() &&
        failed(symbols.rename(func, (kFunctionPrefix + func.getName()).str())))
      return func.emitError("cannot rename the function for lowering");
  return success();
}

/// Whether `module` already holds outlined kernels (gpu.modules written by
/// hand, host code on memrefs): the GPU pipeline then only lowers them.
static bool hasGivenKernels(ModuleOp module) {
  return !module.getOps<gpu::GPUModuleOp>().empty();
}

LogicalResult
dlc::lowerToLLVMDialect(ModuleOp module, llvm::TargetMachine &targetMachine,
                        llvm::function_ref<void(PassManager &)> configure,
                        const CompileOptions &compileOptions) {
  if (failed(prepareForLowering(module)))
    return failure();
  PassManager pm(module.getContext());
  if (configure)
    configure(pm);
  if (!compileOptions.emulateGPUKernels.empty()) {
    if (ptxFeatures(compileOptions.emulateGPUKernels).empty())
      return emitError(module.getLoc())
             << "unknown GPU architecture '" << compileOptions.emulateGPUKernels
             << "' to emulate";
    // (Linked into the artifact from the build tree: a test feature.)
    if (!llvm::sys::fs::exists(DLC_SIMT_EMULATOR_PATH))
      return emitError(module.getLoc())
             << "the SIMT emulator library " << DLC_SIMT_EMULATOR_PATH
             << " is missing (emulating GPU kernels needs dlc's build tree)";
    GPUPipelineOptions options;
    options.chip = compileOptions.emulateGPUKernels;
    options.allowTF32 = compileOptions.emulateTF32Schedule;
    options.emulateKernels = true;
    options.traceMemory = compileOptions.profileEmulatedMemory;
    options.givenKernels = hasGivenKernels(module);
    buildGPUPipeline(pm, options);
    return pm.run(module);
  }
  CPUPipelineOptions options;
  const llvm::MCSubtargetInfo *sti = targetMachine.getMCSubtargetInfo();
  options.vectorWidth = sti->checkFeatures("+avx512f") ? 512
                        : sti->checkFeatures("+avx")   ? 256
                                                       : 128;
  options.emulateGPUSchedule = compileOptions.emulateGPUSchedule;
  options.allowTF32 = compileOptions.emulateGPUSchedule &&
                      compileOptions.emulateTF32Schedule;
  buildCPUPipeline(pm, options);
  return pm.run(module);
}

llvm::Expected<std::string> dlc::nativeGPUArch() {
  int32_t capability = 0;
  const char *name = nullptr;
  if (dlc_cuda_device(nullptr, &capability, &name) != DLC_OK)
    return llvm::createStringError(
        "GPU architecture 'native': %s; name one instead (sm_80, sm_90a, ...)",
        dlc_last_error());
  std::string arch = gpuArchFor(capability);
  if (arch.empty())
    return llvm::createStringError(
        "GPU architecture 'native': %s is of compute capability %d.%d; dlc "
        "compiles for 7.0 and later",
        *name ? name : "the GPU", capability / 10, capability % 10);
  return arch;
}

/// `chip`, or for "native" the runtime's GPU's architecture.
static FailureOr<std::string> resolveChip(ModuleOp module,
                                          llvm::StringRef chip) {
  if (chip != "native")
    return chip.str();
  llvm::Expected<std::string> arch = dlc::nativeGPUArch();
  if (!arch)
    return emitError(module.getLoc()) << llvm::toString(arch.takeError());
  return *arch;
}

LogicalResult dlc::lowerToGPULLVMDialect(
    ModuleOp module, llvm::StringRef givenChip, llvm::StringRef format,
    llvm::function_ref<void(PassManager &)> configure, bool allowTF32) {
  FailureOr<std::string> resolved = resolveChip(module, givenChip);
  if (failed(resolved))
    return failure();
  llvm::StringRef chip = *resolved;
  if (ptxFeatures(chip).empty())
    return emitError(module.getLoc())
           << "unknown GPU architecture '" << chip
           << "' (expected native, sm_70, sm_72, sm_75, sm_80, sm_86, sm_87, "
              "sm_89, sm_90, sm_90a, sm_100, sm_100a, sm_120 or sm_120a)";
  if (failed(prepareForLowering(module)))
    return failure();
  PassManager pm(module.getContext());
  if (configure)
    configure(pm);
  GPUPipelineOptions options;
  options.chip = chip.str();
  options.format = format.str();
  options.allowTF32 = allowTF32;
  options.givenKernels = hasGivenKernels(module);
  buildGPUPipeline(pm, options);
  return pm.run(module);
}

std::vector<std::pair<std::string, std::string>>
dlc::kernelObjects(ModuleOp module) {
  std::vector<std::pair<std::string, std::string>> objects;
  for (auto binary : module.getOps<gpu::BinaryOp>())
    for (Attribute attr : binary.getObjects())
      if (auto object = dyn_cast<gpu::ObjectAttr>(attr))
        objects.emplace_back(binary.getName().str(),
                             object.getObject().getValue().str());
  return objects;
}

/// Defines the allocation functions the lowered code calls
/// (_mlir_memref_to_llvm_aligned_alloc/_free) to go through the exported
/// `dlc_allocator` hooks, falling back to aligned_alloc/free while a hook is
/// null (dlc_artifact_allocator in artifact_format.h).
static void defineAllocator(llvm::Module &module) {
  llvm::LLVMContext &context = module.getContext();
  auto *ptr = llvm::PointerType::get(context, 0);
  auto *i64 = llvm::Type::getInt64Ty(context);
  auto *voidType = llvm::Type::getVoidTy(context);
  auto *hooksType = llvm::StructType::get(context, {ptr, ptr});
  auto *hooks = new llvm::GlobalVariable(
      module, hooksType, /*isConstant=*/false,
      llvm::GlobalValue::ExternalLinkage,
      llvm::ConstantAggregateZero::get(hooksType),
      DLC_ARTIFACT_ALLOCATOR_SYMBOL);
  auto *allocType = llvm::FunctionType::get(ptr, {i64, i64}, false);
  auto *freeType = llvm::FunctionType::get(voidType, {ptr}, false);

  // One function body per hook: call it if set, else the libc function.
  auto define = [&](llvm::StringRef name, llvm::FunctionType *type,
                    unsigned field, llvm::FunctionCallee fallback,
                    bool roundUp) {
    llvm::Function *fn = module.getFunction(name);
    if (!fn)
      return; // nothing allocates
    fn->setLinkage(llvm::GlobalValue::InternalLinkage);
    llvm::BasicBlock *entry = llvm::BasicBlock::Create(context, "entry", fn);
    llvm::BasicBlock *hook = llvm::BasicBlock::Create(context, "hook", fn);
    llvm::BasicBlock *libc = llvm::BasicBlock::Create(context, "libc", fn);
    llvm::IRBuilder<> b(entry);
    llvm::Value *target =
        b.CreateLoad(ptr, b.CreateStructGEP(hooksType, hooks, field));
    b.CreateCondBr(b.CreateIsNull(target), libc, hook);
    SmallVector<llvm::Value *> args;
    for (llvm::Argument &arg : fn->args())
      args.push_back(&arg);
    b.SetInsertPoint(hook);
    llvm::Value *viaHook = b.CreateCall(type, target, args);
    if (type->getReturnType()->isVoidTy())
      b.CreateRetVoid();
    else
      b.CreateRet(viaHook);
    b.SetInsertPoint(libc);
    if (roundUp) // aligned_alloc wants a multiple of the alignment
      args[1] = b.CreateAnd(
          b.CreateAdd(args[1], b.CreateSub(args[0], b.getInt64(1))),
          b.CreateNeg(args[0]));
    llvm::Value *viaLibc = b.CreateCall(fallback, args);
    if (type->getReturnType()->isVoidTy())
      b.CreateRetVoid();
    else
      b.CreateRet(viaLibc);
  };
  define("_mlir_memref_to_llvm_aligned_alloc", allocType, 0,
         module.getOrInsertFunction("aligned_alloc", allocType), true);
  define("_mlir_memref_to_llvm_free", freeType, 1,
         module.getOrInsertFunction("free", freeType), false);
}

/// The GPU runtime calls of host code (mgpuModuleLoad, mgpuLaunchKernel,
/// ...) become forwarders through exported function pointers
/// `dlc_gpu_hook_<name>`, which the runtime fills: artifacts are loaded
/// RTLD_LOCAL (and so may be the runtime, from Python), so these calls
/// cannot bind to the runtime's symbols by name. The module loads that
/// `gpu.binary` translation puts in global constructors move to an exported
/// `dlc_gpu_init` (and unloads to `dlc_gpu_fini`): constructors run at
/// dlopen, before the runtime could set the hooks.
static void routeGPURuntimeCalls(llvm::Module &module) {
  llvm::LLVMContext &context = module.getContext();
  auto *ptrType = llvm::PointerType::get(context, 0);
  for (llvm::Function &fn : llvm::make_early_inc_range(module)) {
    if (!fn.isDeclaration() || !fn.getName().starts_with("mgpu"))
      continue;
    auto *hook = new llvm::GlobalVariable(
        module, ptrType, /*isConstant=*/false,
        llvm::GlobalValue::ExternalLinkage,
        llvm::ConstantPointerNull::get(ptrType),
        ("dlc_gpu_hook_" + fn.getName()).str());
    fn.setLinkage(llvm::GlobalValue::InternalLinkage);
    llvm::IRBuilder<> b(llvm::BasicBlock::Create(context, "entry", &fn));
    SmallVector<llvm::Value *> args;
    for (llvm::Argument &arg : fn.args())
      args.push_back(&arg);
    llvm::Value *target = b.CreateLoad(ptrType, hook);
    llvm::CallInst *call = b.CreateCall(fn.getFunctionType(), target, args);
    if (fn.getReturnType()->isVoidTy())
      b.CreateRetVoid();
    else
      b.CreateRet(call);
  }
  // The hooks' names, for the runtime to check it provides each one.
  std::string names;
  for (llvm::GlobalVariable &global : module.globals())
    if (global.getName().starts_with("dlc_gpu_hook_"))
      names += global.getName().drop_front(13).str() + '\0';
  names += '\0';
  new llvm::GlobalVariable(
      module, llvm::ArrayType::get(llvm::Type::getInt8Ty(context), names.size()),
      /*isConstant=*/true, llvm::GlobalValue::ExternalLinkage,
      llvm::ConstantDataArray::getString(context, names, /*AddNull=*/false),
      "dlc_gpu_hook_names");
  auto moveToFunction = [&](StringRef list, StringRef name) {
    llvm::GlobalVariable *global = module.getNamedGlobal(list);
    auto *fn = llvm::Function::Create(
        llvm::FunctionType::get(llvm::Type::getVoidTy(context), false),
        llvm::GlobalValue::ExternalLinkage, name, module);
    llvm::IRBuilder<> b(llvm::BasicBlock::Create(context, "entry", fn));
    if (global && global->hasInitializer())
      if (auto *entries =
              dyn_cast<llvm::ConstantArray>(global->getInitializer()))
        for (llvm::Value *entry : entries->operands())
          if (auto *record = dyn_cast<llvm::ConstantStruct>(entry))
            if (auto *callee =
                    dyn_cast<llvm::Function>(record->getOperand(1)))
              b.CreateCall(callee);
    b.CreateRetVoid();
    if (global)
      global->eraseFromParent();
  };
  moveToFunction("llvm.global_ctors", "dlc_gpu_init");
  moveToFunction("llvm.global_dtors", "dlc_gpu_fini");
}

/// Defines the launches of SIMT-emulated kernels (convert-gpu-to-simt-
/// emulator declares `__dlc_simt_launch_<k>(grid x, y, z, block x, y, z,
/// dynamic shared bytes, kernel arguments...)`): each packs its kernel
/// arguments as a CUDA launch does (an array of pointers to them) and calls
/// the emulator's `dlc_simt_launch` with a thunk that unpacks them and calls
/// `__dlc_simt_kernel_<k>`, once per thread.
static LogicalResult defineSIMTLaunches(llvm::Module &module, Location loc) {
  llvm::LLVMContext &context = module.getContext();
  auto *ptr = llvm::PointerType::get(context, 0);
  auto *i32 = llvm::Type::getInt32Ty(context);
  auto *i64 = llvm::Type::getInt64Ty(context);
  auto *voidType = llvm::Type::getVoidTy(context);
  auto *entryType = llvm::FunctionType::get(voidType, {ptr}, false);
  llvm::FunctionCallee run = module.getOrInsertFunction(
      "dlc_simt_launch",
      llvm::FunctionType::get(voidType,
                              {ptr, ptr, ptr, i64, i64, i64, i64, i64, i64, i32},
                              false));
  bool any = false;
  for (llvm::Function &launch : llvm::make_early_inc_range(module)) {
    StringRef name = launch.getName();
    if (!launch.isDeclaration() || !name.consume_front("__dlc_simt_launch_"))
      continue;
    any = true;
    llvm::Function *kernel = module.getFunction(("__dlc_simt_kernel_" + name).str());
    if (!kernel || kernel->isDeclaration() ||
        launch.arg_size() != kernel->arg_size() + 7)
      return emitError(loc, "SIMT emulation: no kernel matching ")
             << launch.getName();
    kernel->setLinkage(llvm::GlobalValue::InternalLinkage);
    launch.setLinkage(llvm::GlobalValue::InternalLinkage);

    auto *entry = llvm::Function::Create(
        entryType, llvm::GlobalValue::InternalLinkage,
        "__dlc_simt_entry_" + name, module);
    {
      llvm::IRBuilder<> b(llvm::BasicBlock::Create(context, "entry", entry));
      SmallVector<llvm::Value *> args;
      for (llvm::Argument &arg : kernel->args())
        args.push_back(b.CreateLoad(
            arg.getType(),
            b.CreateLoad(ptr, b.CreateConstGEP1_64(ptr, entry->getArg(0),
                                                   arg.getArgNo()))));
      b.CreateCall(kernel, args);
      b.CreateRetVoid();
    }
    llvm::IRBuilder<> b(llvm::BasicBlock::Create(context, "entry", &launch));
    auto *params = b.CreateAlloca(
        llvm::ArrayType::get(ptr, std::max<size_t>(kernel->arg_size(), 1)));
    for (llvm::Argument &arg : kernel->args()) {
      llvm::Value *slot = b.CreateAlloca(arg.getType());
      b.CreateStore(launch.getArg(arg.getArgNo() + 7), slot);
      b.CreateStore(slot, b.CreateConstGEP2_32(params->getAllocatedType(),
                                               params, 0, arg.getArgNo()));
    }
    SmallVector<llvm::Value *> args = {
        b.CreateGlobalString(name, "__dlc_simt_name_" + name), entry, params};
    for (unsigned i = 0; i < 7; ++i)
      args.push_back(launch.getArg(i));
    b.CreateCall(run, args);
    b.CreateRetVoid();
  }
  if (!any)
    if (auto *fn = module.getFunction("dlc_simt_launch"); fn && fn->use_empty())
      fn->eraseFromParent();
  return success();
}

FailureOr<std::unique_ptr<llvm::Module>>
dlc::translateToLLVMIR(ModuleOp module, llvm::LLVMContext &context,
                       llvm::TargetMachine &targetMachine, unsigned optLevel) {
  // After lowering, entry points are the C wrappers of public functions.
  SmallVector<std::string> names;
  for (auto func : module.getOps<LLVM::LLVMFuncOp>()) {
    StringRef name = func.getName();
    if (name.consume_front("_mlir_ciface_") && !func.isExternal())
      names.push_back(name.str());
  }

  DialectRegistry registry;
  registerAllToLLVMIRTranslations(registry);
  module.getContext()->appendDialectRegistry(registry);
  std::unique_ptr<llvm::Module> llvmModule =
      translateModuleToLLVMIR(module, context, "dlc");
  if (!llvmModule)
    return module.emitError("translation to LLVM IR failed");
  llvmModule->setDataLayout(targetMachine.createDataLayout());
  llvmModule->setTargetTriple(targetMachine.getTargetTriple());

  // One packed entry per function, `void dlc_entry_<f>(void **args)`, so the
  // runtime calls every entry point the same way.
  auto *ptrType = llvm::PointerType::get(context, 0);
  auto *entryType =
      llvm::FunctionType::get(llvm::Type::getVoidTy(context), {ptrType}, false);
  for (const std::string &name : names) {
    llvm::Function *wrapper = llvmModule->getFunction("_mlir_ciface_" + name);
    StringRef entryName = name;
    entryName.consume_front(kFunctionPrefix);
    auto *entry =
        llvm::Function::Create(entryType, llvm::GlobalValue::ExternalLinkage,
                               "dlc_entry_" + entryName, llvmModule.get());
    llvm::IRBuilder<> b(llvm::BasicBlock::Create(context, "entry", entry));
    SmallVector<llvm::Value *> args;
    for (unsigned i = 0; i < wrapper->arg_size(); ++i)
      args.push_back(b.CreateLoad(
          ptrType, b.CreateConstGEP1_64(ptrType, entry->getArg(0), i)));
    b.CreateCall(wrapper, args);
    b.CreateRetVoid();
  }

  defineAllocator(*llvmModule);
  if (failed(defineSIMTLaunches(*llvmModule, module.getLoc())))
    return failure();
  if (!module.getOps<gpu::BinaryOp>().empty())
    routeGPURuntimeCalls(*llvmModule);

  auto optimize = makeOptimizingTransformer(optLevel, /*sizeLevel=*/0,
                                            &targetMachine);
  if (llvm::Error error = optimize(llvmModule.get()))
    return module.emitError("LLVM optimization failed: ")
           << llvm::toString(std::move(error));
  return llvmModule;
}

LogicalResult dlc::emitMachineCode(llvm::Module &module,
                                   llvm::TargetMachine &targetMachine,
                                   llvm::CodeGenFileType type,
                                   llvm::raw_pwrite_stream &out) {
  llvm::legacy::PassManager codegen;
  if (targetMachine.addPassesToEmitFile(codegen, out, nullptr, type))
    return failure();
  codegen.run(module);
  return success();
}

FailureOr<std::vector<uint8_t>>
dlc::linkSharedObject(llvm::ArrayRef<char> object, Location loc) {
  SmallString<128> objPath, soPath, logPath;
  if (llvm::sys::fs::createTemporaryFile("dlc", "o", objPath) ||
      llvm::sys::fs::createTemporaryFile("dlc", "so", soPath) ||
      llvm::sys::fs::createTemporaryFile("dlc", "log", logPath))
    return emitError(loc, "cannot create temporary files for linking");
  llvm::scope_exit cleanup([&] {
    llvm::sys::fs::remove(objPath);
    llvm::sys::fs::remove(soPath);
    llvm::sys::fs::remove(logPath);
  });
  {
    std::error_code ec;
    llvm::raw_fd_ostream os(objPath, ec);
    if (ec)
      return emitError(loc, "cannot write ") << objPath << ": " << ec.message();
    os.write(object.data(), object.size());
  }
  // Unresolved libm symbols (expf, erff) bind to the runtime's libm; OpenMP
  // loops need LLVM's libomp (libgomp lacks the __kmpc entry points);
  // compiler-rt's builtins (__extendhfsf2 where the CPU lacks F16C) are
  // linked in statically.
  SmallVector<StringRef> args = {DLC_LLD_PATH, "-shared", "-O1", "-z",
                                 "noexecstack", "-o", soPath, objPath,
                                 DLC_BUILTINS_PATH, "-L", DLC_LIBOMP_DIR,
                                 "-lomp", "-rpath", DLC_LIBOMP_DIR};
  // The SIMT emulator, for artifacts of --emulate-gpu-kernels (an archive:
  // nothing of it is linked into others).
  if (llvm::sys::fs::exists(DLC_SIMT_EMULATOR_PATH))
    args.push_back(DLC_SIMT_EMULATOR_PATH);
  std::optional<StringRef> redirects[] = {std::nullopt, StringRef(logPath),
                                          StringRef(logPath)};
  std::string error;
  int rc = llvm::sys::ExecuteAndWait(DLC_LLD_PATH, args, std::nullopt,
                                     redirects, 0, 0, &error);
  if (rc != 0) {
    auto log = llvm::MemoryBuffer::getFile(logPath);
    return emitError(loc, "linking with " DLC_LLD_PATH " failed: ")
           << error << (log ? (*log)->getBuffer() : "");
  }
  auto so = llvm::MemoryBuffer::getFile(soPath, /*IsText=*/false);
  if (!so)
    return emitError(loc, "cannot read the linked object ") << soPath;
  StringRef bytes = (*so)->getBuffer();
  return std::vector<uint8_t>(bytes.begin(), bytes.end());
}

std::vector<uint8_t> dlc::writeArtifact(llvm::StringRef manifest,
                                        llvm::ArrayRef<uint8_t> payload,
                                        uint32_t machine) {
  dlc_artifact_header header = {};
  std::memcpy(header.magic, DLC_ARTIFACT_MAGIC, sizeof header.magic);
  header.format_version = DLC_ARTIFACT_FORMAT_VERSION;
  header.header_size = DLC_ARTIFACT_HEADER_SIZE;
  header.machine = machine;
  header.manifest_offset = DLC_ARTIFACT_HEADER_SIZE;
  header.manifest_size = manifest.size();
  // The payload starts page-aligned: cheap, and friendlier to tools.
  header.payload_offset =
      llvm::alignTo(header.manifest_offset + header.manifest_size, 4096);
  header.payload_size = payload.size();
  std::vector<uint8_t> bytes(header.payload_offset + payload.size(), 0);
  std::memcpy(bytes.data(), &header, sizeof header);
  std::memcpy(bytes.data() + header.manifest_offset, manifest.data(),
              manifest.size());
  std::memcpy(bytes.data() + header.payload_offset, payload.data(),
              payload.size());
  // The checksum covers every byte, with its own field still zero here.
  uint32_t crc = llvm::crc32(bytes);
  std::memcpy(bytes.data() + offsetof(dlc_artifact_header, checksum), &crc,
              sizeof crc);
  return bytes;
}

static uint32_t elfMachine(const llvm::Triple &triple) {
  switch (triple.getArch()) {
  case llvm::Triple::x86_64:
    return llvm::ELF::EM_X86_64;
  case llvm::Triple::aarch64:
    return llvm::ELF::EM_AARCH64;
  default:
    return llvm::ELF::EM_NONE;
  }
}

/// A module lowered to the LLVM dialect -> LLVM IR -> object -> shared
/// object -> artifact bytes with `manifest`.
static FailureOr<std::vector<uint8_t>>
packageArtifact(ModuleOp module, llvm::TargetMachine &targetMachine,
                unsigned optLevel, llvm::StringRef manifest) {
  llvm::LLVMContext context;
  auto llvmModule =
      dlc::translateToLLVMIR(module, context, targetMachine, optLevel);
  if (failed(llvmModule))
    return failure();
  SmallVector<char> object;
  llvm::raw_svector_ostream os(object);
  if (failed(dlc::emitMachineCode(**llvmModule, targetMachine,
                                  llvm::CodeGenFileType::ObjectFile, os)))
    return module.emitError("object emission failed");
  auto so = dlc::linkSharedObject(object, module.getLoc());
  if (failed(so))
    return failure();
  return dlc::writeArtifact(manifest, *so,
                            elfMachine(targetMachine.getTargetTriple()));
}

/// Whether `ptxas` lists `chip` among its --gpu-name values. Toolkits drop
/// old architectures (CUDA 13 has no sm_70/sm_72), while the driver still
/// compiles their PTX.
static bool ptxasKnowsChip(llvm::StringRef ptxas, llvm::StringRef chip) {
  SmallString<128> logPath;
  if (llvm::sys::fs::createTemporaryFile("dlc-ptxas", "txt", logPath))
    return false;
  llvm::scope_exit cleanup([&] { llvm::sys::fs::remove(logPath); });
  StringRef args[] = {ptxas, "--help"};
  std::optional<StringRef> redirects[] = {std::nullopt, StringRef(logPath),
                                          StringRef(logPath)};
  if (llvm::sys::ExecuteAndWait(ptxas, args, std::nullopt, redirects) != 0)
    return false;
  auto help = llvm::MemoryBuffer::getFile(logPath);
  // (Quoted: 'sm_90' must not match 'sm_90a'.)
  return help && (*help)->getBuffer().contains(("'" + chip + "'").str());
}

FailureOr<std::vector<uint8_t>>
dlc::compileToCUDAArtifact(ModuleOp module, llvm::TargetMachine &targetMachine,
                           llvm::StringRef givenArch, unsigned optLevel,
                           llvm::function_ref<void(PassManager &)> configure,
                           bool allowTF32) {
  FailureOr<std::string> resolved = resolveChip(module, givenArch);
  if (failed(resolved))
    return failure();
  llvm::StringRef gpuArch = *resolved;
  FailureOr<std::string> manifest =
      buildManifest(module, targetMachine, gpuArch);
  // Kernels as a fatbin (cubin for gpuArch plus its PTX, which newer GPUs
  // compile at load) when the CUDA toolkit's ptxas and fatbinary are there;
  // PTX alone otherwise, compiled by the driver.
  std::string toolkit = cudaToolkitPath();
  std::string ptxas = toolkit + "/bin/ptxas";
  bool fatbin = !toolkit.empty() && llvm::sys::fs::can_execute(ptxas) &&
                llvm::sys::fs::can_execute(toolkit + "/bin/fatbinary");
  if (fatbin && !ptxasKnowsChip(ptxas, gpuArch)) {
    fatbin = false;
    mlir::emitWarning(module.getLoc())
        << ptxas << " does not know " << gpuArch
        << ": the kernels are embedded as PTX only, which the driver "
           "compiles when the artifact is loaded";
  }
  // Upstream's NVVM serializer always looks for libdevice and reports a
  // missing one as an error that it then ignores: kernels that needed it
  // are reported below, by the functions they call.
  ScopedDiagnosticHandler libdeviceNotes(module.getContext(), [](Diagnostic &d) {
    std::string text = d.str();
    return success(StringRef(text).starts_with("LibDevice path:") ||
                   StringRef(text).starts_with("CUDA path:"));
  });
  if (failed(manifest) ||
      failed(lowerToGPULLVMDialect(module, gpuArch, fatbin ? "fatbin" : "isa",
                                   configure, allowTF32)))
    return failure();
  // PTX that calls libdevice functions without defining them would not
  // load (the driver links no libdevice): an error now, naming them.
  // (With ptxas, such PTX fails to assemble above.)
  std::set<std::string> unresolved;
  for (const auto &[name, text] : kernelObjects(module))
    for (size_t at = text.find(".extern .func"); at != std::string::npos;
         at = text.find(".extern .func", at + 1)) {
      size_t nv = text.find("__nv_", at);
      if (nv < text.find(';', at)) {
        size_t end = text.find_first_not_of(
            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_", nv);
        unresolved.insert(text.substr(nv, end - nv));
      }
    }
  if (!unresolved.empty())
    return mlir::emitError(module.getLoc())
           << "the kernels call " << llvm::join(unresolved, ", ")
           << " from libdevice, which was not found ("
           << (toolkit.empty() ? std::string("no CUDA toolkit: CUDA_ROOT, "
                                             "CUDA_HOME and CUDA_PATH unset, "
                                             "no /usr/local/cuda")
                               : toolkit + "/nvvm/libdevice/libdevice.10.bc")
           << "); install the CUDA toolkit, or a Python wheel that ships "
              "nvvm/libdevice (such as nvidia-cuda-nvcc-cu12), and set "
              "CUDA_ROOT to the directory holding its nvvm/";
  return packageArtifact(module, targetMachine, optLevel, *manifest);
}

FailureOr<std::vector<uint8_t>>
dlc::compileToArtifact(ModuleOp module, const CompileOptions &options,
                       llvm::function_ref<void(PassManager &)> configure) {
  auto machine = createTargetMachine(options);
  if (!machine) // (at the module's location, without printing the module)
    return mlir::emitError(module.getLoc(),
                           llvm::toString(machine.takeError()));
  return compileToArtifact(module, **machine, options, configure);
}

FailureOr<std::vector<uint8_t>>
dlc::compileToArtifact(ModuleOp module, llvm::TargetMachine &targetMachine,
                       const CompileOptions &options,
                       llvm::function_ref<void(PassManager &)> configure) {
  FailureOr<std::string> manifest = buildManifest(module, targetMachine);
  if (failed(manifest) ||
      failed(lowerToLLVMDialect(module, targetMachine, configure, options)))
    return failure();
  return packageArtifact(module, targetMachine, options.optLevel, *manifest);
}
