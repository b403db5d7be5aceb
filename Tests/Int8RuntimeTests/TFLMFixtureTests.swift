import Int8Runtime
import Quantizer
import Testing
import TestSupport

/// Our kernels against TensorFlow Lite Micro's own outputs (Tests/Fixtures/tflm, made by Tools/tflm).
@Suite("bit-exact with TFLite Micro")
struct TFLMFixtureTests {
    /// Every fixture Tools/tflm/make_fixtures.py writes (its CASES), and nothing else: a fixture that goes
    /// missing, or one added without a test that names it, fails here.
    static let expectedNames: Set<String> = [
        "add_residual", "add_residual_relu", "add_tiny_first_x1e-3_relu", "add_tiny_second_x1e-3",
        "avgpool2x2_s1_valid", "avgpool2x2_s2_valid", "avgpool2x3_s1x2_valid", "avgpool3x3_s1_same",
        "avgpool3x3_s2_same", "conv1x1_s1_relu", "conv1x1_s2_k480", "conv1x1_s2_none", "conv1x1_s2_same_c24",
        "conv1x1_s2_valid_odd", "conv3x3_same_positive_shift", "conv3x3_same_s1_k432_c80", "conv3x3_same_s1_k504",
        "conv3x3_same_s1_none_c8", "conv3x3_same_s1_relu", "conv3x3_same_s2_k648", "conv3x3_same_s2_none",
        "conv3x3_same_s2_relu6", "conv3x3_same_s2x1_c4", "conv3x3_valid_s1_k576_c72", "conv3x3_valid_s1_relu6",
        "conv3x3_valid_s1_relu_c8", "conv3x3_valid_s2_c16", "conv5x5_same_s1_relu", "conv5x5_same_s1_relu6_c3",
        "fc_2d_relu", "fc_flatten_none", "fc_flatten_relu", "maxpool2x2_s1_same", "maxpool2x2_s2_valid",
        "maxpool3x2_s2x1_same", "maxpool3x3_s1_valid", "maxpool3x3_s2_same", "mean_gap_16x16_c3", "mean_gap_6x6",
        "mean_gap_7x7_keepdims", "mean_gap_after_conv_relu", "small_model", "softmax_fc10", "softmax_fc16_x4",
        "pad_asym_c3", "pad3_conv7x7_s2", "pad_br1_conv3x3_s2", "pad_asym_conv3x3_s1_c4", "pad_br1_maxpool2x2_s2",
        "relu_pad1_maxpool3x3_s2",
    ]

    /// The Conv2D path Int8Runtime's own dispatch takes for each conv op of a fixture (in op order). Pins the
    /// coverage the long-k fixtures were made for: the quad path up to its capacity k = 576 (3x3x64), with more
    /// than 64 output channels (two channel blocks), the reference beyond.
    static let shippedConvPaths: [String: [String]] = [
        "conv3x3_same_s1_k504": ["quad"],           // k = 3*3*56 = 504
        "conv3x3_valid_s1_k576_c72": ["quad"],      // k = 576 (the quad path's capacity), 72 output channels
        "conv3x3_same_s2_k648": ["reference"],      // k = 648
        "conv1x1_s2_k480": ["quad"],                // 1x1, k = 480
        "conv3x3_same_s1_k432_c80": ["quad"],       // k = 432, 80 output channels
        "conv1x1_s2_same_c24": ["quad"],            // 72 output channels
        "conv3x3_valid_s2_c16": ["quad"], "conv3x3_same_s2x1_c4": ["quad"], "conv3x3_same_positive_shift": ["quad"],
        "add_tiny_second_x1e-3": ["quad", "quad"], "add_tiny_first_x1e-3_relu": ["quad", "quad"],
        "small_model": ["quad", "quad", "quad"],
    ]

    @Test func fixturesArePresent() throws {
        let names = Set(try TFLMFixture.names().map { String($0.dropLast(".json".count)) })
        #expect(names.subtracting(Self.expectedNames).isEmpty, "fixtures no test names: \(names.subtracting(Self.expectedNames).sorted())")
        #expect(Self.expectedNames.subtracting(names).isEmpty, "fixtures missing: \(Self.expectedNames.subtracting(names).sorted())")
        #expect(Set(Self.shippedConvPaths.keys).isSubset(of: Self.expectedNames))
    }

    /// Every fixture's program, every case, every kernel path (the shipped dispatch, the plain reference, each
    /// quad Conv2D path and the Add table path on the ops they take, the host AVX-512 kernels): TFLM's bytes.
    @Test(arguments: try TFLMFixture.names())
    func reproducesEveryOutputByte(file: String) throws {
        let fixture = try TFLMFixture.load(file)
        let program = try fixture.program()
        let loaded = try LoadedQ8(Q8Writer.write(program, plan: MemoryPlanner.plan(Q8Writer.buffers(of: program))))
        for path in KernelPath.available {
            for (index, example) in fixture.cases.enumerated() {
                #expect(Int8Interpreter.inputBuffer(loaded.model, arena: loaded.arena).count == example.input.values.count)
                let output = try loaded.run(example.input.values, path: path)
                let differing = zip(output, example.output.values).filter { $0 != $1 }.count
                #expect(output == example.output.values,
                        "\(fixture.name) case \(index), \(path) kernels: \(differing) of \(output.count) bytes differ")
            }
        }
    }

    /// Each fast path really runs on the fixtures made for it: the shipped dispatch picks the expected Conv2D
    /// path, every path named in `shippedConvPaths` takes its ops when forced, and the Add table path and the
    /// host kernels take the large Adds.
    @Test(arguments: try TFLMFixture.names())
    func reachesTheExpectedKernelPaths(file: String) throws {
        let fixture = try TFLMFixture.load(file)
        let name = fixture.name
        let program = try fixture.program()
        let loaded = try LoadedQ8(Q8Writer.write(program, plan: MemoryPlanner.plan(Q8Writer.buffers(of: program))))
        let input = fixture.cases[0].input.values
        let shipped = try loaded.shippedConvolutionPaths(input)
        if let expected = Self.shippedConvPaths[name] {
            #expect(shipped == expected, "\(name): Int8Runtime's dispatch took \(shipped)")
            for path in Set(expected) where path != "reference" {
                let log = KernelLog()
                _ = try loaded.run(input, path: KernelPath(rawValue: path)!, log: log)
                #expect(log.ran.filter { $0.hasPrefix("conv:") } == expected.map { "conv:" + ($0 == path ? path : "reference") },
                        "\(name): forced \(path) ran \(log.ran)")
            }
        } else if !shipped.isEmpty {
            // Conv fixtures made before the long-k ones: all within the quad path's column.
            #expect(shipped.allSatisfy { $0 == "quad" }, "\(name): Int8Runtime's dispatch took \(shipped)")
        }
        for path in [KernelPath.addTables] + (KernelPath.available.contains(.host) ? [.host] : []) {
            let log = KernelLog()
            _ = try loaded.run(input, path: path, log: log)
            let adds = program.layers.filter { $0.opcode == .add }
            // The table path declines Adds under 512 elements; the host kernel takes every Add.
            let expected = path == .host ? adds.count : adds.filter { program.tensors[$0.output].size >= 512 }.count
            let took = log.ran.filter { $0 == "add:\(path)" }.count
            #expect(took == expected, "\(name): \(path) took \(took) of \(adds.count) Adds, expected \(expected)")
            if path == .host {
                let convs = program.layers.filter { $0.opcode == .conv2D }.count
                #expect(log.ran.filter { $0 == "conv:host" }.count == convs, "\(name): host kernels ran \(log.ran)")
            }
        }
    }

    /// "Planner never worse than TFLM", against TFLM's own plan: our MemoryPlanner's placement of the fixture's
    /// activation tensors is at most the head TFLite Micro's GreedyMemoryPlanner laid out for the same model
    /// (recorded by make_fixtures.py from `print_allocations()`: the same activations plus the scratch its
    /// reference kernels request, only MEAN's here, and RESHAPE outputs, which our program aliases). Equal terms:
    /// the same activation buffers, no kernel scratch on our side.
    @Test(arguments: try TFLMFixture.names())
    func plannerIsNoWorseThanTFLM(file: String) throws {
        let fixture = try TFLMFixture.load(file)
        let program = try fixture.program()
        let plan = MemoryPlanner.plan(program.activationBuffers)
        #expect(plan.arenaSize <= fixture.tflm_arena.head,
                "\(fixture.name): our activations \(plan.arenaSize) B (\(plan.strategy)) > TFLM's head \(fixture.tflm_arena.head) B")
        #expect(MemoryPlanner.conflicts(program.activationBuffers, plan).isEmpty)
    }

    /// The arena the fixture's .q8 asks for (`Q8Model.arenaSize`): our activations plus the scratch our fast
    /// kernels need, placed by the planner. TFLM's head holds its activations plus the scratch its reference
    /// kernels need (only MEAN's here); the fast paths' scratch is what CMSIS-NN kernels would ask TFLM for too, so
    /// the two are not equal terms, and ours can exceed TFLM's head. What must hold: the scratch costs at most the
    /// largest op's scratch on top of TFLM's head (each op's scratch lives at its own step only). TFLM's tail
    /// (persistent structs, op data) is not compared: our counterparts of it live in the .q8, in flash.
    @Test(arguments: try TFLMFixture.names())
    func arenaIsTFLMsHeadPlusOneOpsScratchAtMost(file: String) throws {
        let fixture = try TFLMFixture.load(file)
        let program = try fixture.program()
        let plan = MemoryPlanner.plan(Q8Writer.buffers(of: program))
        let loaded = try LoadedQ8(Q8Writer.write(program, plan: plan))
        let scratch = ((program.scratchSizes.max() ?? 0) + 15) / 16 * 16
        #expect(loaded.model.arenaSize <= fixture.tflm_arena.head + scratch,
                "\(fixture.name): our arena \(loaded.model.arenaSize) B (\(plan.strategy)) > TFLM's head \(fixture.tflm_arena.head) B + largest scratch \(scratch) B")
    }

    /// TFLite's PAD followed by a 'valid' CONV_2D (or, after a ReLU conv, MAX_POOL_2D) equals our conv (pool) with
    /// the PAD folded in as explicit pads, byte for byte, on every kernel path: what foldPads relies on. The PAD
    /// before a max pool on inputs that can be negative (pad_br1_maxpool2x2_s2) may not be folded: there the
    /// folded program must differ from TFLM (the padded zero point wins some windows), which is why foldPads asks
    /// for a ReLU before folding into a max pool.
    @Test(arguments: ["pad3_conv7x7_s2": (3, 3), "pad_br1_conv3x3_s2": (0, 0), "pad_asym_conv3x3_s1_c4": (2, 1),
                      "relu_pad1_maxpool3x3_s2": (1, 1), "pad_br1_maxpool2x2_s2": (0, 0)].map { ($0.key, $0.value.0, $0.value.1) })
    func foldedPadsReproduceTFLM(name: String, padTop: Int, padLeft: Int) throws {
        let fixture = try TFLMFixture.load(name + ".json")
        let program = try fixture.program(foldingPads: true)
        #expect(!program.layers.contains { $0.opcode == .pad })
        let follower = try #require(program.layers.last)
        #expect((follower.padTop, follower.padLeft) == (padTop, padLeft))
        let loaded = try LoadedQ8(Q8Writer.write(program, plan: MemoryPlanner.plan(Q8Writer.buffers(of: program))))
        let foldable = name != "pad_br1_maxpool2x2_s2"
        var differing = 0
        for path in KernelPath.available {
            for (index, example) in fixture.cases.enumerated() {
                let output = try loaded.run(example.input.values, path: path)
                let wrong = zip(output, example.output.values).filter { $0 != $1 }.count
                differing += wrong
                if foldable {
                    #expect(wrong == 0, "\(name) case \(index), \(path) kernels: \(wrong) of \(output.count) bytes differ")
                }
            }
        }
        if !foldable { #expect(differing > 0, "folding a pad into a max pool over negative values changed nothing") }
    }
}
