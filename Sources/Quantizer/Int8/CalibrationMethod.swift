/// How calibration turns observed activation values into a range.
public enum CalibrationMethod: String, CaseIterable, Sendable {
    /// The smallest and largest value seen.
    case minmax
    /// The 0.01st and 99.99th percentiles: a few outliers no longer stretch the scale.
    case percentile
    /// The clipping range that minimizes the mean squared quantization error over the observed values.
    case mse

    /// The default: the most accurate int8 models on the shipped models' 10k test set (docs/calibration.md).
    public static let recommended = CalibrationMethod.percentile
}
