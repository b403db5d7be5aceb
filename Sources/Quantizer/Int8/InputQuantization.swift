import Int8Runtime
import ModelFormat

/// The graph input's int8 quantization for a model fed pixel / 255 through `normalization`, `(x − mean) / std`:
/// scale `1 / (255·std)` and zero point `round(255·mean) − 128`, so that the int8 input is exactly `pixel − 128`
/// (firmware and the feeder agree on it, nothing is lost to rounding). That rounds the mean to a multiple of 1/255:
/// PyTorch's MNIST mean 0.1307 (255·mean = 33.33) runs as 33/255 = 0.12941, a shift of 0.0013 in pixel / 255,
/// 0.0042 of the normalized input. When 255·mean rounds outside 0 ... 255 the zero point would not fit int8; then
/// the scale and zero point cover the normalized range of pixels 0 ... 255 instead (and 0), as any activation's.
/// The identity gives scale 1/255, zero point −128: model.bin's convention, unchanged.
public func inputQuantization(_ normalization: InputNormalization) throws(QuantizerError) -> ActivationQuantization {
    guard normalization.isValid else {
        throw QuantizerError("the input normalization (\(normalization)) needs a finite mean and a finite std above 0")
    }
    let scale = Float(1 / (255 * Double(normalization.std)))
    guard scale.isFinite, scale > 0 else {
        throw QuantizerError("the input normalization's std \(normalization.std) gives no finite int8 input scale")
    }
    let shift = (255 * Double(normalization.mean)).rounded(.toNearestOrAwayFromZero)
    if (0...255).contains(shift) {
        return ActivationQuantization(scale: scale, zeroPoint: Int32(shift) - 128)
    }
    return ActivationQuantization(min: normalization.apply(0), max: normalization.apply(1))
}

/// The int8 input value for `pixel01` (a pixel / 255): `round(((x − mean) / std) / scale) + zero_point`, clamped
/// to int8. The one feeder formula: edge-sim, calibration's bias correction and the quantization report use it.
@inline(__always)
public func quantizedInput(_ pixel01: Float, _ normalization: InputNormalization, _ quantization: ActivationQuantization) -> Int8 {
    let q = (normalization.apply(pixel01) / quantization.scale).rounded(.toNearestOrAwayFromZero) + Float(quantization.zeroPoint)
    guard !q.isNaN else { return Int8(truncatingIfNeeded: quantization.zeroPoint) }
    return Int8(Swift.min(Swift.max(q, -128), 127))
}

extension Int8Program {
    /// The program's int8 input for `pixel01` (pixels / 255), written into `buffer`.
    public func quantizeInput(_ pixel01: [Float], into buffer: UnsafeMutableBufferPointer<Int8>) {
        let quantization = tensors[input].quantization
        for i in 0..<Swift.min(buffer.count, pixel01.count) {
            buffer[i] = quantizedInput(pixel01[i], inputNormalization, quantization)
        }
    }
}

extension Q8Model {
    /// The input normalization the file records (the identity for 1.0 files).
    public var inputNormalization: InputNormalization { InputNormalization(mean: inputMean, std: inputStd) }

    /// The model's int8 input for `pixel01` (pixels / 255), written into `buffer`: the host feeder.
    public func quantizeInput(_ pixel01: [Float], into buffer: UnsafeMutableBufferPointer<Int8>) {
        let quantization = ActivationQuantization(scale: input.scale, zeroPoint: input.zeroPoint)
        let normalization = inputNormalization
        for i in 0..<Swift.min(buffer.count, pixel01.count) {
            buffer[i] = quantizedInput(pixel01[i], normalization, quantization)
        }
    }
}
