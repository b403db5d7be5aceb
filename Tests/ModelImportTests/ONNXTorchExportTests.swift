import Foundation
import Testing
@testable import ModelImport

/// A real `torch.onnx.export` file: torchvision's ResNet-18 adapted to 1-channel digits, made by the fixtures script
/// under Tests/Fixtures/import (another branch of issue 12). Compared with what the onnx package reports about the
/// same bytes, summarized in Tests/Fixtures/onnx/torch_resnet18.summary.json by describe_onnx.py there.
@Suite("ONNX: a torch.onnx.export file")
struct ONNXTorchExportTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

    @Test("torchvision ResNet-18: nodes, attributes and weights as the onnx package reports them")
    func resnet18() throws {
        let file = Self.fixtures.appendingPathComponent("import/torch_resnet18.onnx")
        guard FileManager.default.fileExists(atPath: file.path) else {
            print("ONNXTorchExportTests: skipped, \(file.path) is absent (made by the fixtures script)")
            return
        }
        let bytes = [UInt8](try Data(contentsOf: file))
        let summaryData = try Data(contentsOf: Self.fixtures.appendingPathComponent("onnx/torch_resnet18.summary.json"))
        let summary = try #require(try JSONSerialization.jsonObject(with: summaryData) as? [String: Any])
        try #require(bytes.count == summary["bytes"] as! Int,
                     "torch_resnet18.onnx changed: rerun Tests/Fixtures/onnx/describe_onnx.py on it")

        let model = try ONNXModel(bytes: bytes)
        #expect(model.opsetVersion == summary["opset"] as! Int)
        #expect(model.irVersion == Int64(summary["ir_version"] as! Int))
        #expect(model.inputs.map(\.name) == (summary["inputs"] as! [[String: Any]]).map { $0["name"] as! String })
        #expect(model.inputs.first?.shape == [.value(1), .value(1), .value(28), .value(28)])
        #expect(model.outputs.map(\.name) == (summary["outputs"] as! [[String: Any]]).map { $0["name"] as! String })

        let fixture = ONNXFixtureTests()
        let nodes = summary["nodes"] as! [[String: Any]]
        try #require(model.nodes.count == nodes.count)
        for (node, expected) in zip(model.nodes, nodes) {
            fixture.expect(node, matches: expected)
            if node.opType == "Conv" || node.opType == "MaxPool" {
                let window = try node.window(spatialRank: 2)
                #expect(window.autoPad == .notSet && window.group == 1 && window.dilations == [1, 1])
            }
        }
        let gemm = try #require(model.nodes.first { $0.opType == "Gemm" })
        #expect(try gemm.gemm() == ONNXGemm(alpha: 1, beta: 1, transA: false, transB: true))

        let initializers = summary["initializers"] as! [[String: Any]]
        try #require(model.initializers.count == initializers.count)
        for (tensor, expected) in zip(model.initializers, initializers) {
            #expect(tensor.name == expected["name"] as! String)
            #expect(tensor.dims == expected["dims"] as! [Int])
            #expect(tensor.elementCount == expected["count"] as! Int)
            let first = (expected["first"] as! [NSNumber])
            switch tensor.values {
            case .float(let v):
                #expect(expected["data_type"] as! Int == 1)
                #expect(Array(v.prefix(8)) == first.map { Float($0.doubleValue) }, "\(tensor.name)")
                let sum = v.reduce(0.0) { $0 + Double($1) }
                let want = (expected["sum"] as! NSNumber).doubleValue
                #expect(abs(sum - want) <= 1e-9 * max(1, abs(want)) * Double(v.count), "\(tensor.name)")
            case .int64(let v):
                #expect(expected["data_type"] as! Int == 7)
                #expect(Array(v.prefix(8)) == first.map(\.int64Value), "\(tensor.name)")
            }
        }
    }
}
