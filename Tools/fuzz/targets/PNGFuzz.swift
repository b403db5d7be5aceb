// libFuzzer target: PNG decoding (libpng through the CPNG shim) and MNIST-style preprocessing.
// Built with the DigitImage sources as one module, linked with the CPNG C files.

import DigitImage

@_cdecl("LLVMFuzzerTestOneInput")
public func pngFuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    // Tighter limits than the CLI's so the fuzzer cannot spend seconds on one large valid image.
    guard let image = try? PNG.decode(bytes, limits: PNGLimits(maxDimension: 1024, maxDecodedBytes: 8 << 20)) else { return 0 }
    let prepared = DigitPreprocessor.mnistStyle(image)
    _ = DigitPreprocessor.modelInput(prepared)
    _ = try? DigitPreprocessor.raw(image)
    return 0
}
