import Int8Runtime

extension QuantizationReport {
    /// The report of an int8 program imported as it is (a full-integer .tflite): the same layer table and totals,
    /// no SQNR (there is no float model to compare with), `calibration` saying where the scales came from.
    public init(imported conversion: ProgramConversion, calibration: String) {
        let program = conversion.program
        layers = Self.layerReports(program, sqnr: [])
        flashBytes = conversion.bytes.count
        arenaBytes = conversion.plan.arenaSize
        scratchBytes = program.scratchSizes.max() ?? 0
        tflmPlanBytes = conversion.tflmPlan.arenaSize
        arenaLowerBound = conversion.plan.lowerBound
        macs = program.macs
        parameters = layers.reduce(0) { $0 + $1.parameters }
        self.calibration = calibration
        sqnrSamples = 0
    }
}
