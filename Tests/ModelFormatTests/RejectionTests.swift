import Testing
import ModelFormat
import TestSupport

/// Every way a model.bin can be wrong ends in a typed error, never a trap.
@Suite("model.bin rejection")
struct RejectionTests {
    let valid: [UInt8]

    init() throws {
        valid = try ModelBinary.encode(SampleGraphs.everyOp())
    }

    /// Recomputes the trailer so that a deliberate edit is seen by the parser, not by the CRC check.
    func resealed(_ bytes: [UInt8]) -> [UInt8] {
        var body = Array(bytes.dropLast(4))
        let crc = CRC32.checksum(body)
        withUnsafeBytes(of: crc.littleEndian) { body.append(contentsOf: $0) }
        return body
    }

    func decodeError(_ bytes: [UInt8]) -> ModelFormatError? {
        do {
            _ = try ModelBinary.decode(bytes)
            return nil
        } catch {
            return error
        }
    }

    /// Replaces the first occurrence of `old` (as UTF-8) with `new` of the same length.
    func replacing(_ old: String, with new: String, in bytes: [UInt8]) -> [UInt8] {
        let o = Array(old.utf8), n = Array(new.utf8)
        precondition(o.count == n.count)
        var copy = bytes
        guard let at = (0...(bytes.count - o.count)).first(where: { Array(bytes[$0..<($0 + o.count)]) == o }) else {
            Issue.record("'\(old)' not found")
            return bytes
        }
        copy.replaceSubrange(at..<(at + o.count), with: n)
        return copy
    }

    @Test func badMagic() {
        var bytes = valid
        bytes[0] = UInt8(ascii: "X")
        #expect(decodeError(bytes) == .badMagic)
        #expect(decodeError(Array("GIF89a".utf8)) == .badMagic)
        #expect(decodeError([]) == .truncated(what: "the header", offset: 0))
    }

    @Test func unsupportedVersion() {
        var bytes = valid
        bytes[4] = 2
        #expect(decodeError(bytes) == .unsupportedVersion(major: 2, minor: 0))
        bytes[4] = 1
        bytes[6] = 1
        #expect(decodeError(bytes) == .unsupportedVersion(major: 1, minor: 1))
    }

    @Test func flippedBitIsACRCMismatch() {
        var bytes = valid
        bytes[bytes.count / 2] ^= 0x10
        guard case .crcMismatch = decodeError(bytes) else {
            Issue.record("expected a CRC mismatch, got \(String(describing: decodeError(bytes)))")
            return
        }
    }

    @Test func everyTruncationIsReported() {
        for length in 0..<valid.count {
            let error = decodeError(Array(valid.prefix(length)))
            guard case .truncated = error else {
                Issue.record("prefix of \(length) bytes gave \(String(describing: error))")
                return
            }
        }
    }

    @Test func trailingBytes() {
        #expect(decodeError(valid + [0, 0, 0]) == .trailingBytes(count: 3))
    }

    @Test func unknownOpNamesTheOpAndNode() {
        let bytes = resealed(replacing("Softmax", with: "Sigmoid", in: valid))
        #expect(decodeError(bytes) == .unknownOp(op: "Sigmoid", node: "softmax"))
        #expect(decodeError(bytes)?.description == "unsupported op 'Sigmoid' in node 'softmax'")
    }

    @Test func nonFiniteWeight() throws {
        var graph = try SampleGraphs.everyOp()
        let kernel = graph.tensors.firstIndex { $0.name == "stem/kernel" }!
        // Encode a finite value, then patch its bytes to NaN, since the encoder refuses NaN itself.
        graph.tensors[kernel].data![5] = 12345.678
        let bytes = try ModelBinary.encode(graph)
        var patched = bytes
        let pattern = withUnsafeBytes(of: Float(12345.678).bitPattern.littleEndian, Array.init)
        let at = (0...(bytes.count - 4)).first { Array(bytes[$0..<($0 + 4)]) == pattern }!
        patched.replaceSubrange(at..<(at + 4), with: withUnsafeBytes(of: Float.nan.bitPattern.littleEndian, Array.init))
        #expect(decodeError(resealed(patched)) == .nonFiniteWeight(tensor: "stem/kernel", index: 5))

        graph.tensors[kernel].data![5] = .infinity
        #expect(throws: ModelFormatError.nonFiniteWeight(tensor: "stem/kernel", index: 5)) { try ModelBinary.encode(graph) }
    }

    @Test func tensorIndexOutOfRange() throws {
        var graph = try SampleGraphs.everyOp()
        graph.nodes[3].inputs[0] = 999
        #expect(throws: ModelFormatError.indexOutOfRange(what: "node '\(graph.nodes[3].name)'", index: 999, count: graph.tensors.count)) {
            try graph.validate()
        }
        var header = valid
        header[16] = 0xFF; header[17] = 0xFF
        #expect(decodeError(resealed(header)) == .indexOutOfRange(what: "graph input", index: 0xFFFF, count: graph.tensors.count))
    }

    @Test func shapeMismatch() throws {
        var graph = try SampleGraphs.everyOp()
        let relu = graph.nodes.first { $0.name == "stem_relu" }!
        graph.tensors[relu.outputs[0]].shape = [1, 12, 12, 5]
        #expect(throws: ModelFormatError.shapeMismatch(node: "stem_relu", tensor: "stem_relu:0", expected: [1, 12, 12, 4], stored: [1, 12, 12, 5])) {
            try graph.validate()
        }
    }

    @Test func graphRules() throws {
        let graph = try SampleGraphs.everyOp()

        var reordered = graph
        reordered.nodes.swapAt(1, 2)
        #expect(throws: ModelFormatError.badNode(node: "stem_relu", reason: "reads 'stem_bn:0' before any node writes it")) {
            try reordered.validate()
        }

        var duplicate = graph
        duplicate.nodes[1].name = duplicate.nodes[0].name
        #expect(throws: ModelFormatError.duplicateName(kind: "node", name: "stem")) { try duplicate.validate() }

        var weightAsData = graph
        weightAsData.nodes[0].inputs[1] = weightAsData.nodes[0].inputs[0]
        #expect(throws: ModelFormatError.self) { try weightAsData.validate() }

        var mismatchedConv = graph
        let kernel = mismatchedConv.nodes[0].inputs[1]
        mismatchedConv.tensors[kernel] = Tensor(constant: "stem/kernel", shape: [3, 3, 2, 4], data: [Float](repeating: 0, count: 72))
        #expect(throws: ModelFormatError.badNode(node: "stem", reason: "kernel expects 2 input channels, input has 1")) {
            try mismatchedConv.validate()
        }
    }

    @Test func badAttributes() {
        let unknownPadding = resealed(replacing("\u{5}\u{0}valid", with: "\u{5}\u{0}VALID", in: valid))
        #expect(decodeError(unknownPadding) == .badAttribute(node: "pool_valid", attribute: "padding", reason: "must be \"same\", \"valid\" or \"explicit\""))
        let renamed = resealed(replacing("epsilon", with: "epsilom", in: valid))
        #expect(decodeError(renamed) == .badAttribute(node: "stem_bn", attribute: "epsilom", reason: "is not an attribute of BatchNormalization"))
    }

    @Test func absurdCountsAndDimensionsFailBeforeAllocating() {
        var huge = valid
        huge[8] = 0xFF; huge[9] = 0xFF; huge[10] = 0xFF; huge[11] = 0x7F
        #expect(decodeError(resealed(huge)) == .countOutOfRange(what: "tensor count", value: 0x7FFF_FFFF, limit: GraphLimits.maxTensors))
    }

    /// Random corruption with a valid CRC: every outcome is a typed error or a graph, and a graph is accepted
    /// only as exactly what the bytes say (it encodes back to the same bytes, so nothing was misread or
    /// silently repaired); some cases end each way.
    @Test func randomCorruptionIsRejectedOrReadExactly() throws {
        var random = SeededRandom(seed: 7)
        var rejected = 0, accepted = 0
        for _ in 0..<3000 {
            var bytes = valid
            for _ in 0..<Int.random(in: 1...4, using: &random) {
                let at = Int.random(in: 0..<(bytes.count - 4), using: &random)
                bytes[at] = UInt8.random(in: 0...255, using: &random)
            }
            let sealed = resealed(bytes)
            switch Result(catching: { () throws(ModelFormatError) in try ModelBinary.decode(sealed) }) {
            case .failure: rejected += 1
            case let .success(graph):
                accepted += 1
                #expect(try ModelBinary.encode(graph) == sealed, "accepted, but not as written")
            }
        }
        // When written: 1,481 rejected, 1,519 accepted (mostly changes inside weights).
        #expect(rejected > 0 && accepted > 0)
    }

    /// Every byte of the file's structure (all but the weights' float data and the CRC), each set to 0, 0xff and
    /// its own value with the low or the high bit flipped: a typed error, or a graph that encodes back to the
    /// same bytes.
    @Test func everyStructureByteIsRejectedOrReadExactly() throws {
        let graph = try SampleGraphs.everyOp()
        var weightBytes = Set<Int>()
        for tensor in graph.tensors {
            guard let data = tensor.data else { continue }
            let pattern = data.flatMap { value in withUnsafeBytes(of: value.bitPattern.littleEndian) { Array($0) } }
            let start = try #require((0...(valid.count - pattern.count)).first { Array(valid[$0..<($0 + pattern.count)]) == pattern })
            weightBytes.formUnion(start..<(start + pattern.count))
        }
        var rejected = 0, accepted = 0
        for at in 0..<(valid.count - 4) where !weightBytes.contains(at) {
            for value in Set<UInt8>([0, 0xff, valid[at] ^ 1, valid[at] ^ 0x80]) where value != valid[at] {
                var bytes = valid
                bytes[at] = value
                let sealed = resealed(bytes)
                switch Result(catching: { () throws(ModelFormatError) in try ModelBinary.decode(sealed) }) {
                case .failure: rejected += 1
                case let .success(decoded):
                    accepted += 1
                    #expect(try ModelBinary.encode(decoded) == sealed, "byte \(at) = \(value): accepted, but not as written")
                }
            }
        }
        // When written: 1,930 of the 6,642 bytes are structure; most of their changes are rejected.
        #expect(rejected > 0 && accepted > 0)
    }

    /// A changed weight is read exactly as written, or named (tensor and index) when it is NaN or infinite.
    @Test func damagedWeightIsReadExactlyOrNamed() throws {
        let graph = try SampleGraphs.everyOp()
        let victim = try #require(graph.tensors.firstIndex { $0.name == "block_conv/kernel" })
        let data = try #require(graph.tensors[victim].data)
        let pattern = data.flatMap { value in withUnsafeBytes(of: value.bitPattern.littleEndian) { Array($0) } }
        let start = try #require((0...(valid.count - pattern.count)).first { Array(valid[$0..<($0 + pattern.count)]) == pattern })
        var random = SeededRandom(seed: 9)
        var named = 0, read = 0
        for round in 0..<400 {
            let index = Int.random(in: 0..<data.count, using: &random)
            // Every fourth value NaN or an infinity, the rest any bit pattern.
            let bits = round % 4 == 0 ? [Float.nan, .infinity, -.infinity, .signalingNaN][round / 4 % 4].bitPattern
                                      : UInt32.random(in: 0...UInt32.max, using: &random)
            var bytes = valid
            withUnsafeBytes(of: bits.littleEndian) { bytes.replaceSubrange((start + 4 * index)..<(start + 4 * index + 4), with: $0) }
            let value = Float(bitPattern: bits)
            if value.isFinite {
                var expected = graph
                expected.tensors[victim].data![index] = value
                #expect(try ModelBinary.decode(resealed(bytes)) == expected)
                read += 1
            } else {
                #expect(decodeError(resealed(bytes)) == .nonFiniteWeight(tensor: "block_conv/kernel", index: index))
                named += 1
            }
        }
        #expect(named >= 100 && read >= 250)
    }
}
