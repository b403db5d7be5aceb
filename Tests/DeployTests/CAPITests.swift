import EdgeQuantC
import Foundation
import Int8Runtime
import ModelFormat
import Quantizer
import Testing
import TestSupport

/// The C API (edgequant.h) over a real model, called through its @_cdecl functions as a C caller would: byte for
/// byte what Int8Interpreter gives, and every named refusal.
@Suite("C API")
struct CAPITests {
    /// resnet-mnist.bin converted data-free (the shipped model; no MNIST needed).
    static let resnet: [UInt8] = {
        (try? Conversion(graph: try ModelFile.load(path: "Models/resnet-mnist.bin"), calibration: .dataFree).bytes) ?? []
    }()

    /// 16-aligned copies of `bytes` and an arena; `modelOffset`/`arenaOffset` shift them off alignment.
    final class Buffers {
        let modelStorage: UnsafeMutableRawBufferPointer, arenaStorage: UnsafeMutableRawBufferPointer
        let model: UnsafeMutableRawPointer, arena: UnsafeMutableRawPointer
        let modelSize: Int

        init(_ bytes: [UInt8], arenaSize: Int, modelOffset: Int = 0, arenaOffset: Int = 0) {
            let modelStorage = UnsafeMutableRawBufferPointer.allocate(byteCount: bytes.count + 16, alignment: 16)
            let arenaStorage = UnsafeMutableRawBufferPointer.allocate(byteCount: arenaSize + 16, alignment: 16)
            let model = modelStorage.baseAddress! + modelOffset
            bytes.withUnsafeBytes { model.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
            (self.modelStorage, self.arenaStorage, self.model) = (modelStorage, arenaStorage, model)
            arena = arenaStorage.baseAddress! + arenaOffset
            modelSize = bytes.count
        }

        deinit {
            modelStorage.deallocate()
            arenaStorage.deallocate()
        }
    }

    /// An eq_model as C declares it: uint32_t opaque[8].
    final class State {
        let pointer = UnsafeMutableRawPointer.allocate(byteCount: 32, alignment: 4)
        init(filledWith byte: UInt8 = 0) { pointer.initializeMemory(as: UInt8.self, repeating: byte, count: 32) }
        deinit { pointer.deallocate() }
    }

    func arenaSize(_ bytes: [UInt8]) throws -> Int {
        let loaded = try LoadedQ8(bytes)
        return withExtendedLifetime(loaded) { loaded.model.arenaSize }
    }

    @Test func outputEqualsInterpreter() throws {
        let bytes = Self.resnet
        try #require(!bytes.isEmpty)
        let reference = try LoadedQ8(bytes)
        let buffers = Buffers(bytes, arenaSize: reference.model.arenaSize)
        let state = State(filledWith: 0xA5)
        #expect(eq_init(state.pointer, buffers.model, UInt(buffers.modelSize), buffers.arena, UInt(reference.model.arenaSize)) == 0)
        #expect(eq_arena_size(state.pointer) == UInt(reference.model.arenaSize))
        #expect(eq_op_count(state.pointer) == UInt32(reference.model.opCount))
        #expect(eq_input_size(state.pointer) == UInt(reference.model.input.size))
        #expect(eq_output_size(state.pointer) == UInt(reference.model.output.size))
        #expect(eq_error_detail(state.pointer) == -1)
        var random = SeededRandom(seed: 13)
        for _ in 0 ..< 4 {
            let input = (0 ..< reference.model.input.size).map { _ in Int8(truncatingIfNeeded: Int(random.next() % 256)) }
            let expected = try reference.run(input)
            let to = try #require(eq_input(state.pointer))
            for (i, v) in input.enumerated() { to[i] = v }
            #expect(eq_invoke(state.pointer) == 0)
            let out = try #require(eq_output(state.pointer))
            #expect(Array(UnsafeBufferPointer(start: out, count: Int(eq_output_size(state.pointer)))) == expected)
        }
    }

    /// The hook sees every op index once, in order, with the user pointer.
    @Test func hookSeesEveryOp() throws {
        let bytes = Self.resnet
        let size = try arenaSize(bytes)
        let buffers = Buffers(bytes, arenaSize: size)
        let state = State()
        #expect(eq_init(state.pointer, buffers.model, UInt(buffers.modelSize), buffers.arena, UInt(size)) == 0)
        var seen: [UInt32] = []
        let status = withUnsafeMutablePointer(to: &seen) { seenPointer in
            eq_invoke_with_hook(state.pointer, { index, user in
                user!.assumingMemoryBound(to: [UInt32].self).pointee.append(index)
            }, seenPointer)
        }
        #expect(status == 0)
        #expect(seen == Array(0 ..< eq_op_count(state.pointer)))
        #expect(eq_invoke_with_hook(state.pointer, nil, nil) == 0)
    }

    @Test func nullArguments() throws {
        let bytes = Self.resnet
        let size = try arenaSize(bytes)
        let buffers = Buffers(bytes, arenaSize: size)
        let state = State()
        #expect(eq_init(nil, buffers.model, UInt(buffers.modelSize), buffers.arena, UInt(size)) == 64)
        #expect(eq_init(state.pointer, nil, UInt(buffers.modelSize), buffers.arena, UInt(size)) == 64)
        #expect(eq_invoke(state.pointer) == 66)
        #expect(eq_init(state.pointer, buffers.model, UInt(buffers.modelSize), nil, UInt(size)) == 64)
        #expect(eq_invoke(nil) == 64)
        #expect(eq_invoke_with_hook(nil, nil, nil) == 64)
        #expect(eq_input(nil) == nil && eq_output(nil) == nil)
        #expect(eq_input_size(nil) == 0 && eq_output_size(nil) == 0 && eq_arena_size(nil) == 0 && eq_op_count(nil) == 0)
        #expect(eq_error_detail(nil) == -1)
    }

    /// Never initialized: zeros, a fill pattern, seeded garbage, and a valid state with one byte changed.
    @Test func garbageStateIsNotInitialized() throws {
        for fill: UInt8 in [0x00, 0xFF, 0xA5] {
            let state = State(filledWith: fill)
            #expect(eq_invoke(state.pointer) == 66)
            #expect(eq_input(state.pointer) == nil)
            #expect(eq_output(state.pointer) == nil)
            #expect(eq_arena_size(state.pointer) == 0)
            #expect(eq_error_detail(state.pointer) == -1)
        }
        var random = SeededRandom(seed: 7)
        for _ in 0 ..< 1000 {
            let state = State()
            for i in 0 ..< 32 { state.pointer.storeBytes(of: UInt8(truncatingIfNeeded: random.next()), toByteOffset: i, as: UInt8.self) }
            #expect(eq_invoke(state.pointer) == 66)
        }
        let bytes = Self.resnet
        let size = try arenaSize(bytes)
        let buffers = Buffers(bytes, arenaSize: size)
        for byte in 0 ..< 32 {
            let state = State()
            #expect(eq_init(state.pointer, buffers.model, UInt(buffers.modelSize), buffers.arena, UInt(size)) == 0)
            let old = state.pointer.load(fromByteOffset: byte, as: UInt8.self)
            state.pointer.storeBytes(of: old ^ 0x10, toByteOffset: byte, as: UInt8.self)
            // Bytes past what a 64-bit host stores (none here: 32 of 32 used) would not matter; every used byte does.
            #expect(eq_invoke(state.pointer) == 66, "byte \(byte) changed")
        }
    }

    @Test func misalignedModelAndArena() throws {
        let bytes = Self.resnet
        let size = try arenaSize(bytes)
        let state = State()
        for offset in [1, 2, 3] {
            let buffers = Buffers(bytes, arenaSize: size, modelOffset: offset)
            #expect(eq_init(state.pointer, buffers.model, UInt(buffers.modelSize), buffers.arena, UInt(size)) == 5)
            #expect(eq_invoke(state.pointer) == 66)
        }
        for offset in [1, 4, 8] {
            let buffers = Buffers(bytes, arenaSize: size, arenaOffset: offset)
            #expect(eq_init(state.pointer, buffers.model, UInt(buffers.modelSize), buffers.arena, UInt(size)) == 65)
        }
    }

    @Test func shortArenaNamesWhatItNeeds() throws {
        let bytes = Self.resnet
        let size = try arenaSize(bytes)
        let buffers = Buffers(bytes, arenaSize: size)
        let state = State()
        #expect(eq_init(state.pointer, buffers.model, UInt(buffers.modelSize), buffers.arena, UInt(size - 1)) == 10)
        #expect(eq_error_detail(state.pointer) == Int32(size))
        #expect(eq_invoke(state.pointer) == 66)
        // A larger arena is fine (only the planned bytes are used).
        #expect(eq_init(state.pointer, buffers.model, UInt(buffers.modelSize), buffers.arena, UInt(size)) == 0)
        #expect(eq_error_detail(state.pointer) == -1)
    }

    /// Each loader refusal arrives with the loader's code and first value; the state is left not initialized.
    @Test func loaderErrorsKeepTheirCodes() throws {
        let bytes = Self.resnet
        let size = try arenaSize(bytes)
        let state = State()
        func status(_ b: [UInt8], _ n: Int? = nil) -> Int32 {
            let buffers = Buffers(b, arenaSize: size)
            return eq_init(state.pointer, buffers.model, UInt(n ?? b.count), buffers.arena, UInt(size))
        }
        var badMagic = bytes; badMagic[0] ^= 0xFF
        #expect(status(badMagic) == 1)
        #expect(status(bytes, bytes.count - 1) == 3)
        #expect(status(bytes, Int(Int32.max) + 1) == 3)  // > 2 GiB never reaches the loader's Int
        var crc = bytes; crc[bytes.count / 2] ^= 1
        #expect(status(crc) == 4)
        #expect(eq_invoke(state.pointer) == 66)
        // Each hostile fixture: eq_init answers with the code the loader throws for it.
        let folder = "Tests/Fixtures/hostile"
        let files = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".q8") }.sorted()
        #expect(files.count > 10)
        for file in files {
            let hostile = Array(try Data(contentsOf: URL(fileURLWithPath: "\(folder)/\(file)")))
            var expected: Int32 = 0, detail: Int32 = -1
            do { _ = try LoadedQ8(hostile) } catch {
                expected = error.code
                detail = error.values.count > 0 ? Int32(truncatingIfNeeded: error.values.first) : -1
            }
            if expected == 0 { continue }  // valid file, refused only later (e.g. by its arena): not this test
            #expect(status(hostile) == expected, "\(file)")
            #expect(eq_error_detail(state.pointer) == detail, "\(file)")
        }
    }

    @Test func arenaOverlappingTheModel() throws {
        let bytes = Self.resnet
        let size = try arenaSize(bytes)
        let buffers = Buffers(bytes, arenaSize: size)
        let state = State()
        // The arena placed inside the model's own bytes (16-aligned there).
        #expect(eq_init(state.pointer, buffers.model, UInt(buffers.modelSize), buffers.model + 16, UInt(size)) == 68)
        #expect(eq_init(state.pointer, buffers.model, UInt(buffers.modelSize), buffers.model, UInt(size)) == 68)
    }

    @Test func statusNames() {
        func name(_ s: Int32) -> String { String(cString: eq_status_name(s)) }
        #expect(name(0) == "EQ_OK")
        #expect(name(4) == "EQ_CRC_MISMATCH")
        #expect(name(13) == "EQ_SCRATCH_OVERLAPS")
        #expect(name(66) == "EQ_NOT_INITIALIZED")
        #expect(name(14) == "EQ_UNKNOWN")
        #expect(name(-1) == "EQ_UNKNOWN")
        #expect(name(Int32.max) == "EQ_UNKNOWN")
    }
}
