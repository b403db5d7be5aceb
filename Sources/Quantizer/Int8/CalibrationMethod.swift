/// How calibration turns observed activation values into a range.
public enum CalibrationMethod: String, CaseIterable, Sendable {
    /// The smallest and largest value seen.
    case minmax
    /// The 0.01st and 99.99th percentiles: a few outliers no longer stretch the scale.
    case percentile
    /// The clipping range that minimizes the mean squared quantization error over the observed values.
    case mse
}
