/// The geometry of a 2-D sliding window: its size, its strides and its padding.
public struct Window2D: Sendable, Equatable {
    public var height: Int
    public var width: Int
    public var strideY: Int
    public var strideX: Int
    public var padding: Padding

    public init(height: Int, width: Int, strideY: Int, strideX: Int, padding: Padding) {
        self.height = height
        self.width = width
        self.strideY = strideY
        self.strideX = strideX
        self.padding = padding
    }

    /// Output height, width and the top/left padding for an input of `inputHeight` x `inputWidth`,
    /// or `nil` when the window does not fit.
    public func output(inputHeight: Int, inputWidth: Int) -> (height: Int, width: Int, padTop: Int, padLeft: Int)? {
        var pads = (top: 0, bottom: 0, left: 0, right: 0)
        if case let .explicit(top, bottom, left, right) = padding { pads = (top, bottom, left, right) }
        guard let y = padding.output(input: inputHeight, window: height, stride: strideY, before: pads.top, after: pads.bottom),
              let x = padding.output(input: inputWidth, window: width, stride: strideX, before: pads.left, after: pads.right)
        else { return nil }
        return (y.size, x.size, y.padBefore, x.padBefore)
    }
}
