// The C API of libedgequant.a (edgequant.h beside this file; docs/deploy.md): Int8Runtime behind @_cdecl functions.
// Built two ways: as the SwiftPM target EdgeQuantC over the Int8Runtime module (host tests), and as ONE Embedded
// Swift module with the Int8Runtime sources (-D EDGEQUANT_LIBRARY, Sources/Deploy/LibraryBuilder.swift), where the
// runtime is not a separate module.
#if !EDGEQUANT_LIBRARY
import Int8Runtime
#endif

/// eq_status: the loader's Q8Error codes (1...13, `Q8Error.code`) and the API's own.
public enum EQStatus {
    public static let ok: Int32 = 0
    public static let nullArgument: Int32 = 64
    public static let arenaMisaligned: Int32 = 65
    public static let notInitialized: Int32 = 66
    public static let inferenceFailed: Int32 = 67
    public static let arenaOverlapsModel: Int32 = 68
    public static let arenaTooSmall: Int32 = 10
    public static let sizeMismatch: Int32 = 3
}

/// EQ_ARENA_ALIGNMENT: the memory plan puts every tensor and kernel scratch region at a multiple of 16 bytes into
/// the arena (MemoryPlanner.alignment, as TFLite Micro), so a 16-aligned arena has them aligned in memory as planned.
public let eqArenaAlignment = 16
/// EQ_MODEL_ALIGNMENT: what the .q8 loader checks (Q8Error.misaligned below it).
public let eqModelAlignment = 4

/// The caller-owned `eq_model` (`uint32_t opaque[8]`: 32 bytes, 4-aligned) holds, at byte offsets:
/// 0 a check word, 4 the last eq_init error's detail, 8 the validated `Q8Model` bitwise (2 words), then the arena
/// base. The check word is a hash of the bytes after it: a never-initialized or garbage struct fails it (answered
/// with EQ_NOT_INITIALIZED), so nothing is read through its pointers. 20 bytes on a 32-bit core, 32 on a 64-bit host.
/// Accessed bytewise (loadUnaligned, copyMemory): the C struct is only 4-aligned, the host's pointers need 8.
enum ModelStorage {
    static let size = 32
    static let checkOffset = 0
    static let detailOffset = 4
    static let modelOffset = 8
    static var arenaOffset: Int { modelOffset + MemoryLayout<Q8Model>.size }
    static var used: Int { arenaOffset + MemoryLayout<UnsafeMutableRawPointer>.size }
    /// The check word of a struct that went through a failed eq_init (its detail is readable, nothing else).
    static let failedMark: UInt32 = 0x4551_46A1

    /// A hash of every byte after it (the detail, the model view, the arena base), never 0 nor `failedMark`.
    static func check(_ m: UnsafeRawPointer) -> UInt32 {
        var h: UInt32 = 0x4551_3801
        var at = detailOffset
        while at < used {
            h = (h ^ m.loadUnaligned(fromByteOffset: at, as: UInt32.self)) &* 0x0100_0193
            h ^= h >> 15
            at += 4
        }
        return h == 0 || h == failedMark ? h &+ 2 : h
    }

    /// Marks `m` as not initialized, with `detail` readable through eq_error_detail.
    static func fail(_ m: UnsafeMutableRawPointer, _ status: Int32, detail: Int32 = -1) -> Int32 {
        (m + 8).initializeMemory(as: UInt8.self, repeating: 0, count: size - 8)
        m.storeBytes(of: failedMark, toByteOffset: checkOffset, as: UInt32.self)
        m.storeBytes(of: detail, toByteOffset: detailOffset, as: Int32.self)
        return status
    }

    static func store(_ m: UnsafeMutableRawPointer, model: Q8Model, arena: UnsafeMutableRawPointer) {
        (m + 8).initializeMemory(as: UInt8.self, repeating: 0, count: size - 8)
        var model = model
        withUnsafeBytes(of: &model) { (m + modelOffset).copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
        var arena = arena
        withUnsafeBytes(of: &arena) { (m + arenaOffset).copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
        m.storeBytes(of: -1 as Int32, toByteOffset: detailOffset, as: Int32.self)
        m.storeBytes(of: check(UnsafeRawPointer(m)), toByteOffset: checkOffset, as: UInt32.self)
    }

    /// The model and its arena (exactly `arenaSize` bytes) of an initialized `m`; nil for NULL, never-initialized,
    /// failed or garbage storage.
    static func load(_ m: UnsafeRawPointer?) -> (model: Q8Model, arena: UnsafeMutableRawBufferPointer)? {
        guard let m, m.loadUnaligned(fromByteOffset: checkOffset, as: UInt32.self) == check(m) else { return nil }
        // Copied into properly aligned locals before use: `m` may be 4-aligned only.
        var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        let model: Q8Model = withUnsafeMutableBytes(of: &words) { local in
            local.baseAddress!.copyMemory(from: m + modelOffset, byteCount: MemoryLayout<Q8Model>.size)
            return local.baseAddress!.load(as: Q8Model.self)
        }
        var arenaWord: (UInt64) = 0
        let arena: UnsafeMutableRawPointer? = withUnsafeMutableBytes(of: &arenaWord) { local in
            local.baseAddress!.copyMemory(from: m + arenaOffset, byteCount: MemoryLayout<UnsafeMutableRawPointer>.size)
            return local.baseAddress!.load(as: UnsafeMutableRawPointer?.self)
        }
        guard let arena, model.bytes.baseAddress != nil else { return nil }
        return (model, UnsafeMutableRawBufferPointer(start: arena, count: model.arenaSize))
    }
}

/// `const char *eq_status_name(int32_t status)`: "EQ_OK", "EQ_CRC_MISMATCH", ...; "EQ_UNKNOWN" for any other number.
@_cdecl("eq_status_name")
public func eq_status_name(_ status: Int32) -> UnsafePointer<CChar> {
    let name: StaticString = switch status {
    case 0: "EQ_OK"
    case 1: "EQ_BAD_MAGIC"
    case 2: "EQ_UNSUPPORTED_VERSION"
    case 3: "EQ_SIZE_MISMATCH"
    case 4: "EQ_CRC_MISMATCH"
    case 5: "EQ_MISALIGNED"
    case 6: "EQ_COUNT_OUT_OF_RANGE"
    case 7: "EQ_OUT_OF_BOUNDS"
    case 8: "EQ_BAD_TENSOR"
    case 9: "EQ_BAD_OP"
    case 10: "EQ_ARENA_TOO_SMALL"
    case 11: "EQ_BAD_HEADER"
    case 12: "EQ_TENSORS_OVERLAP"
    case 13: "EQ_SCRATCH_OVERLAPS"
    case 64: "EQ_NULL_ARGUMENT"
    case 65: "EQ_ARENA_MISALIGNED"
    case 66: "EQ_NOT_INITIALIZED"
    case 67: "EQ_INFERENCE_FAILED"
    case 68: "EQ_ARENA_OVERLAPS_MODEL"
    default: "EQ_UNKNOWN"
    }
    return UnsafeRawPointer(name.utf8Start).assumingMemoryBound(to: CChar.self)
}

/// `eq_status eq_init(eq_model *m, const void *model_data, size_t model_size, void *arena, size_t arena_size)`:
/// validates the .q8 in place (nothing copied: the bytes must stay put and unchanged) and binds the arena.
@_cdecl("eq_init")
public func eq_init(_ m: UnsafeMutableRawPointer?, _ modelData: UnsafeRawPointer?, _ modelSize: UInt,
                    _ arena: UnsafeMutableRawPointer?, _ arenaSize: UInt) -> Int32 {
    guard let m else { return EQStatus.nullArgument }
    guard let modelData, let arena else { return ModelStorage.fail(m, EQStatus.nullArgument) }
    guard UInt(bitPattern: arena) % UInt(eqArenaAlignment) == 0 else { return ModelStorage.fail(m, EQStatus.arenaMisaligned) }
    // The loader refuses files of 2 GiB or more; a larger size_t must not reach Int (negative on a 32-bit core).
    guard modelSize <= UInt(Int32.max) else { return ModelStorage.fail(m, EQStatus.sizeMismatch) }
    let model: Q8Model
    do {
        model = try Q8Model(validating: UnsafeRawBufferPointer(start: modelData, count: Int(modelSize)))
    } catch {
        let values = error.values
        return ModelStorage.fail(m, error.code, detail: values.count > 0 ? Int32(truncatingIfNeeded: values.first) : -1)
    }
    let needed = model.arenaSize  // validated < 2^31
    guard arenaSize >= UInt(needed) else {
        return ModelStorage.fail(m, EQStatus.arenaTooSmall, detail: Int32(truncatingIfNeeded: needed))
    }
    // The arena is written by every inference: it must not share a byte with the model (a RAM-resident model).
    let a = UInt(bitPattern: arena), b = UInt(bitPattern: modelData)
    let (aEnd, aWrapped) = a.addingReportingOverflow(UInt(needed))
    let (bEnd, bWrapped) = b.addingReportingOverflow(modelSize)
    if needed > 0, (aWrapped ? UInt.max : aEnd) > b, (bWrapped ? UInt.max : bEnd) > a {
        return ModelStorage.fail(m, EQStatus.arenaOverlapsModel)
    }
    ModelStorage.store(m, model: model, arena: arena)
    return EQStatus.ok
}

/// `int32_t eq_error_detail(const eq_model *m)`: the first value of the last failed eq_init's error (op or tensor
/// index, header offset, arena bytes needed); -1 when it has none, after a successful init, or for garbage.
@_cdecl("eq_error_detail")
public func eq_error_detail(_ m: UnsafeRawPointer?) -> Int32 {
    guard let m else { return -1 }
    let check = m.loadUnaligned(fromByteOffset: ModelStorage.checkOffset, as: UInt32.self)
    guard check == ModelStorage.failedMark else { return -1 }
    return m.loadUnaligned(fromByteOffset: ModelStorage.detailOffset, as: Int32.self)
}

/// `size_t eq_arena_size(const eq_model *m)`: the planned arena bytes (kernel scratch included); 0 if not initialized.
@_cdecl("eq_arena_size")
public func eq_arena_size(_ m: UnsafeRawPointer?) -> UInt {
    guard let model = ModelStorage.load(m)?.model else { return 0 }
    return UInt(model.arenaSize)
}

/// `uint32_t eq_op_count(const eq_model *m)`: ops one invoke runs (hook indices are 0 ..< count); 0 if not initialized.
@_cdecl("eq_op_count")
public func eq_op_count(_ m: UnsafeRawPointer?) -> UInt32 {
    guard let model = ModelStorage.load(m)?.model else { return 0 }
    return UInt32(model.opCount)
}

/// `int8_t *eq_input(const eq_model *m)`: where the caller writes the quantized input (inside the arena); NULL if
/// not initialized.
@_cdecl("eq_input")
public func eq_input(_ m: UnsafeRawPointer?) -> UnsafeMutablePointer<Int8>? {
    guard let loaded = ModelStorage.load(m) else { return nil }
    let (model, arena) = loaded
    return Int8Interpreter.inputBuffer(model, arena: arena).baseAddress
}

/// `size_t eq_input_size(const eq_model *m)`: bytes of the input tensor; 0 if not initialized.
@_cdecl("eq_input_size")
public func eq_input_size(_ m: UnsafeRawPointer?) -> UInt {
    guard let model = ModelStorage.load(m)?.model else { return 0 }
    return UInt(model.input.size)
}

/// `const int8_t *eq_output(const eq_model *m)`: the output tensor, valid after eq_invoke until the next one; NULL
/// if not initialized.
@_cdecl("eq_output")
public func eq_output(_ m: UnsafeRawPointer?) -> UnsafePointer<Int8>? {
    guard let loaded = ModelStorage.load(m) else { return nil }
    let (model, arena) = loaded
    return UnsafePointer(Int8Interpreter.outputBuffer(model, arena: arena).baseAddress)
}

/// `size_t eq_output_size(const eq_model *m)`: bytes of the output tensor; 0 if not initialized.
@_cdecl("eq_output_size")
public func eq_output_size(_ m: UnsafeRawPointer?) -> UInt {
    guard let model = ModelStorage.load(m)?.model else { return 0 }
    return UInt(model.output.size)
}

/// `eq_status eq_invoke(eq_model *m)`: runs every op over the arena (the input written before, the output read after).
@_cdecl("eq_invoke")
public func eq_invoke(_ m: UnsafeMutableRawPointer?) -> Int32 {
    eq_invoke_with_hook(m, nil, nil)
}

/// `eq_status eq_invoke_with_hook(eq_model *m, eq_op_hook after_each, void *user)`: eq_invoke, calling
/// `after_each(op_index, user)` after each op (per-layer timing); a NULL hook is allowed.
@_cdecl("eq_invoke_with_hook")
public func eq_invoke_with_hook(_ m: UnsafeMutableRawPointer?,
                                _ afterEach: (@convention(c) (UInt32, UnsafeMutableRawPointer?) -> Void)?,
                                _ user: UnsafeMutableRawPointer?) -> Int32 {
    guard let m else { return EQStatus.nullArgument }
    guard let loaded = ModelStorage.load(UnsafeRawPointer(m)) else { return EQStatus.notInitialized }
    let (model, arena) = loaded
    do {
        if let afterEach {
            try Int8Interpreter.invoke(model, arena: arena) { step in afterEach(UInt32(truncatingIfNeeded: step), user) }
        } else {
            try Int8Interpreter.invoke(model, arena: arena)
        }
    } catch {
        return EQStatus.inferenceFailed
    }
    return EQStatus.ok
}
