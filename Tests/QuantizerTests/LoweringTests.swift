import Int8Runtime
import ModelFormat
import Quantizer
import Testing

/// The int8 numbers of one small conv, worked out by hand from the scheme in docs/q8-format.md.
@Suite("int8 lowering")
struct LoweringTests {
    /// A 1x1 conv, 2 input channels to 2 output channels, fused ReLU, then a 2x2 max pool.
    func graph() throws -> FloatGraph {
        var b = GraphBuilder(inputShape: [1, 2, 2, 2])
        // HWIO: w[0][0][i][o]; output channel 0 takes [0.5, -0.25], channel 1 takes [1.0, 2.0].
        let kernel = b.constant("k", shape: [1, 1, 2, 2], data: [0.5, 1.0, -0.25, 2.0])
        let bias = b.constant("b", shape: [2], data: [0.1, -0.3])
        let conv = try b.add(.conv2D(strideY: 1, strideX: 1, padding: .valid, activation: .relu), name: "conv", inputs: [b.input, kernel, bias])
        let pool = try b.add(.maxPool2D(Window2D(height: 2, width: 2, strideY: 2, strideX: 2, padding: .valid)), name: "pool", inputs: [conv])
        return try b.finish(output: pool)
    }

    @Test func convNumbersMatchHandComputation() throws {
        let g = try graph()
        let convOut = g.nodes[0].outputs[0]
        let program = try lowerToInt8(g, ranges: [convOut: TensorRange(min: 0, max: 5.1)])
        let conv = program.layers[0]
        // Input [0, 1]: scale 1/255, zero point -128. Output [0, 5.1]: scale 0.02, zero point -128.
        #expect(program.tensors[program.input].quantization == ActivationQuantization(scale: Float(1) / 255, zeroPoint: -128))
        let outputScale = program.tensors[conv.output].quantization.scale
        #expect(abs(outputScale - 0.02) < 1e-7 && program.tensors[conv.output].quantization.zeroPoint == -128)
        // Weight scales: max |w| / 127 per output channel = 0.5/127 and 2/127.
        #expect(conv.weightScales == [Float(0.5) / 127, Float(2) / 127])
        // OHWI: channel 0 = [0.5, -0.25] / (0.5/127) = [127, -63.5 → -64]; channel 1 = [1, 2] / (2/127) = [63.5 → 64, 127].
        #expect(conv.weights == [127, -64, 64, 127])
        // Bias at input_scale · weight_scale: 0.1 / (1/255 · 0.5/127) = 6477.0; -0.3 / (1/255 · 2/127) = -4857.75 → -4858.
        #expect(conv.bias == [6477, -4858])
        // Multiplier m = (1/255) · w_scale / output_scale, in doubles from the float32 scales: channel 0
        // 0x1.94bb09b0df3cap-11 = 7.71962e-4 = 0.790489 · 2^-10, channel 1 four times that. TFLite's
        // QuantizeMultiplier (MultiplierReferenceTests' table, checked by Tests/Fixtures/quantize_multiplier.py)
        // makes round(0.790489 · 2^31) = 1697563244 of each.
        #expect(Double(Float(1) / 255) * Double(conv.weightScales[0]) / Double(outputScale) == 0x1.94bb09b0df3cap-11)
        #expect(conv.multipliers == [1_697_563_244, 1_697_563_244])
        #expect(conv.shifts == [-10, -8])
        // ReLU clamps at the zero point.
        #expect(conv.activationMin == -128 && conv.activationMax == 127)
        // Max pooling keeps the conv output's quantization.
        #expect(program.tensors[program.layers[1].output].quantization == program.tensors[conv.output].quantization)
        #expect(program.layers[1].opcode == .maxPool2D && program.layers[1].kernelHeight == 2)
    }
}
