import Int8Runtime
import Quantizer
import Testing
import TestSupport

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
        let loaded = try LoadedQ8(Q8Writer.write(program, plan: MemoryPlanner.plan(Q8Writer.buffers(of: program))))
        for (index, example) in fixture.cases.enumerated() {
            #expect(Int8Interpreter.inputBuffer(loaded.model, arena: loaded.arena).count == example.input.count)
            let output = try loaded.run(example.input)
            let differing = zip(output, example.output).filter { $0 != $1 }.count
            #expect(output == example.output, "\(fixture.name) case \(index): \(differing) of \(output.count) bytes differ")
        }
    }
}
