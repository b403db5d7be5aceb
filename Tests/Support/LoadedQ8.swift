import Int8Runtime

/// A .q8 model copied into 16-byte aligned storage (as firmware holds it in flash), validated, with an arena
/// of exactly the size it asks for. Both buffers live as long as this object.
public final class LoadedQ8 {
    public let model: Q8Model
    public let arena: UnsafeMutableRawBufferPointer
    private let storage: UnsafeMutableRawBufferPointer

    public init(_ bytes: [UInt8]) throws(Q8Error) {
        let storage = UnsafeMutableRawBufferPointer.allocate(byteCount: max(bytes.count, 1), alignment: 16)
        bytes.withUnsafeBytes { storage.copyMemory(from: $0) }
        self.storage = storage
        do {
            model = try Q8Model(validating: UnsafeRawBufferPointer(rebasing: storage[0..<bytes.count]))
        } catch {
            storage.deallocate()
            throw error
        }
        arena = UnsafeMutableRawBufferPointer.allocate(byteCount: max(model.arenaSize, 1), alignment: 16)
    }

    deinit {
        storage.deallocate()
        arena.deallocate()
    }

    /// Runs one inference on `input` (the quantized input tensor) and returns the output tensor's bytes.
    public func run(_ input: [Int8]) throws(Q8Error) -> [Int8] {
        let buffer = Int8Interpreter.inputBuffer(model, arena: arena)
        for i in 0..<min(buffer.count, input.count) { buffer[i] = input[i] }
        try Int8Interpreter.invoke(model, arena: arena)
        return Array(Int8Interpreter.outputBuffer(model, arena: arena))
    }
}
