// libFuzzer target: the model.bin reader, then the float engine on whatever it accepts.
// Built with the ModelFormat and FloatEngine sources as one module by Tools/fuzz/run.sh.

import FloatEngine
import ModelFormat

@_cdecl("LLVMFuzzerTestOneInput")
public func modelBinFuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var bytes = Array(UnsafeBufferPointer(start: data, count: size))
    // Mutations almost never keep the trailing CRC right, which would stop every input at the first check.
    // When the last byte is odd, recompute the CRC so the fuzzer reaches the parser behind it too.
    if bytes.count >= 8, bytes[bytes.count - 1] & 1 == 1 {
        let crc = bytes.withUnsafeBytes { CRC32.checksum(UnsafeRawBufferPointer(rebasing: $0[0..<(bytes.count - 4)])) }
        for k in 0..<4 { bytes[bytes.count - 4 + k] = UInt8(truncatingIfNeeded: crc >> (8 * UInt32(k))) }
    }
    guard let graph = try? ModelBinary.decode(bytes) else { return 0 }
    // Whatever the reader accepts must be safe to run. Only small graphs are run, so the fuzzer spends its
    // time on parsing rather than on the shipped models' 5 M multiply-accumulates per input.
    let elements = graph.tensors.reduce(0) { $0 + $1.elementCount }
    guard elements < 20_000 else { return 0 }
    var interpreter = FloatInterpreter(graph: graph)
    let input = [Float](repeating: 0.5, count: graph.tensors[graph.input].elementCount)
    _ = try? interpreter.run(input)
    return 0
}
