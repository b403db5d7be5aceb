import Int8Runtime
import Quantizer
import Testing

/// Our kernels against TensorFlow Lite Micro's own outputs (Tests/Fixtures/tflm, made by Tools/tflm).
@Suite("bit-exact with TFLite Micro")
struct TFLMFixtureTests {
    @Test func fixturesArePresent() throws {
        #expect(try TFLMFixture.names().count >= 10)
    }

    @Test(arguments: try TFLMFixture.names())
    func reproducesEveryOutputByte(file: String) throws {
        let fixture = try TFLMFixture.load(file)
        let program = try fixture.program()
        let plan = MemoryPlanner.plan(Q8Writer.buffers(of: program))
        let bytes = try Q8Writer.write(program, plan: plan)
        let storage = UnsafeMutableRawBufferPointer.allocate(byteCount: bytes.count, alignment: 16)
        defer { storage.deallocate() }
        bytes.withUnsafeBytes { storage.copyMemory(from: $0) }
        let model = try Q8Model(validating: UnsafeRawBufferPointer(storage))
        let arena = UnsafeMutableRawBufferPointer.allocate(byteCount: model.arenaSize, alignment: 16)
        defer { arena.deallocate() }
        for (index, example) in fixture.cases.enumerated() {
            let input = Int8Interpreter.inputBuffer(model, arena: arena)
            #expect(input.count == example.input.count)
            for i in 0..<input.count { input[i] = example.input[i] }
            try Int8Interpreter.invoke(model, arena: arena)
            let output = Array(Int8Interpreter.outputBuffer(model, arena: arena))
            let differing = zip(output, example.output).filter { $0 != $1 }.count
            #expect(output == example.output, "\(fixture.name) case \(index): \(differing) of \(output.count) bytes differ")
        }
    }
}
