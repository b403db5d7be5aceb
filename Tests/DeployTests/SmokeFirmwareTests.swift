import Boards
import Deploy
import Foundation
import Testing

/// The emitted library linked by Debian's arm-none-eabi-gcc into a tiny C firmware (Tests/DeployTests/Smoke) and run on
/// QEMU netduinoplus2: every golden vector matches. Needs arm-none-eabi-gcc and qemu-system-arm; runs with
/// EDGEQUANT_FIRMWARE=1 (as the Firmware-Sim tests do).
let smokeFirmwareAvailable = ProcessInfo.processInfo.environment["EDGEQUANT_FIRMWARE"] == "1"
    && ["/usr/bin/arm-none-eabi-gcc", "/usr/bin/qemu-system-arm"].allSatisfy { FileManager.default.isExecutableFile(atPath: $0) }

@Suite("emitted library on QEMU", .enabled(if: smokeFirmwareAvailable, "set EDGEQUANT_FIRMWARE=1 with arm-none-eabi-gcc and qemu-system-arm installed"))
struct SmokeFirmwareTests {

    /// cortex-m0 code (ARMv6-M, portable paths) runs on the emulated M4 too: its arithmetic is checked, not its timing.
    @Test(arguments: ["cortex-m4f", "cortex-m0", "cortex-m3"])
    func vectorsMatch(core: String) throws {
        let parent = FileManager.default.temporaryDirectory.appendingPathComponent("edgequant-smoke-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: parent) }
        let dir = parent.appendingPathComponent(core)
        try Emitter.emit(EmitRequest(q8: CAPITests.resnet, modelName: "resnet.q8", directory: dir.path, target: DeployTarget.named(core)!,
                                     board: nil, catalog: try BoardCatalog.shipped(), testVectors: try EmitTests.samples()),
                         builder: try LibraryBuilder.standard())
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "Tests/DeployTests/Smoke/run.sh")
        process.arguments = [dir.path, parent.appendingPathComponent("smoke.elf").path]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(output)")
        #expect(output.contains("done mismatches 0 "), "\(output)")
        #expect(output.components(separatedBy: " match ticks ").count - 1 == (try EmitTests.samples()).count)
    }
}
