/// The quad path's fill: the columns of a pass (each position's receptive field widened once into int16, group g
/// of position j at word `width · g + j`), its output pointers and first-of-window flags. Interior windows are
/// filled inline, border windows and channel counts not a multiple of 4 by `fillAnywhere`, out of line.
extension ConvInt8 {
    /// Walks the conv positions in order without divisions. Position i: output pixel i / window (py, px), conv
    /// position (dy, dx) = i % window inside its pooling window (the whole window when there is no pooling).
    struct QuadCursor {
        let poolHeight, poolWidth, poolStrideY, poolStrideX, outputWidth: Int
        var py = 0, px = 0, dy = 0, dx = 0, pixel = 0

        init(_ c: ConvolutionCall) {
            let pooled = c.pool.0 != 0
            poolHeight = pooled ? Int(c.pool.0) : 1
            poolWidth = pooled ? Int(c.pool.1) : 1
            poolStrideY = pooled ? Int(c.pool.2) : 1
            poolStrideX = pooled ? Int(c.pool.3) : 1
            outputWidth = c.outputWidth
        }

        var oy: Int { py &* poolStrideY &+ dy }
        var ox: Int { px &* poolStrideX &+ dx }
        var first: Bool { dy == 0 && dx == 0 }

        @inline(__always) mutating func advance() {
            dx &+= 1
            if dx < poolWidth { return }
            dx = 0
            dy &+= 1
            if dy < poolHeight { return }
            dy = 0
            pixel &+= 1
            px &+= 1
            if px < outputWidth { return }
            px = 0
            py &+= 1
        }
    }

    /// Builds the columns of a pass and its output pointers and first-of-window flags.
    struct Fill {
        let c: ConvolutionCall
        let columns: UnsafeMutablePointer<UInt64>
        let gathered: UnsafeMutablePointer<Int8>
        let offsets: UnsafePointer<Int32>?
        let k: Int
        let pad: UInt64
        let zero: Int16
        let stride, positions: Int
        let sink: UnsafeMutablePointer<Int8>
        let targets: UnsafeMutablePointer<UnsafeMutablePointer<Int8>>
        let firsts: UnsafeMutablePointer<Bool>

        /// Positions i ..< i + count into columns 0 ..< count (`cursor` at position i). Past the last position,
        /// the last position again, with its outputs sent to the sink (indexed by channel - block). `Width`: the
        /// column stride as a constant.
        @inline(__always) func prepare<Width: PassWidth>(_ cursor: inout QuadCursor, _ i: Int, _ count: Int,
                                                         _ block: Int, _ width: Width.Type) {
            let cin = c.inputChannels, rowBytes = c.inputWidth &* cin, runGroups = (c.kernelWidth &* cin) >> 2
            let whole = offsets == nil && cin & 3 == 0
            var j = 0
            while j < count {
                let valid = i &+ j < positions
                let oy = cursor.oy, ox = cursor.ox
                if let base = interior(oy, ox), offsets != nil || whole {
                    if let offsets {
                        DSP.smallColumn(base, offsets, k, columns + j)
                    } else {
                        // Each kernel row is one run of kernel width x channels bytes.
                        var to = columns + j
                        var row = base
                        for _ in 0..<c.kernelHeight {
                            widenGroupsAt(row, &to, runGroups, Width.stride)
                            row += rowBytes
                        }
                    }
                } else {
                    fillAnywhere(c, columns + j, gathered, oy, ox, k, pad, zero, Width.stride)
                }
                targets[j] = valid ? c.y + cursor.pixel &* c.outputChannels : sink - block
                firsts[j] = cursor.first
                if i &+ j &+ 1 < positions { cursor.advance() }
                j &+= 1
            }
        }

        /// The window's first input byte when the whole window lies inside the input.
        @inline(__always) func interior(_ oy: Int, _ ox: Int) -> UnsafePointer<Int8>? {
            let iy0 = oy &* c.strideY &- c.padTop, ix0 = ox &* c.strideX &- c.padLeft
            guard iy0 >= 0, ix0 >= 0, iy0 &+ c.kernelHeight <= c.inputHeight, ix0 &+ c.kernelWidth <= c.inputWidth
            else { return nil }
            return c.x + (iy0 &* c.inputWidth &+ ix0) &* c.inputChannels
        }
    }


    /// Widens `count` groups of 4 bytes from `source` into every `stride`-th 64-bit word from `to` (the pass
    /// widths as constants, so each store is one STRD with post-increment).
    @inline(__always)
    static func widenGroups(_ source: UnsafePointer<Int8>, _ to: inout UnsafeMutablePointer<UInt64>, _ count: Int,
                            _ stride: Int) {
        switch stride {
        case 4: widenGroupsAt(source, &to, count, 4)
        case 6: widenGroupsAt(source, &to, count, 6)
        default: widenGroupsAt(source, &to, count, stride)
        }
    }

    @inline(__always)
    static func widenGroupsAt(_ source: UnsafePointer<Int8>, _ to: inout UnsafeMutablePointer<UInt64>, _ count: Int,
                              _ stride: Int) {
        var s = UnsafeRawPointer(source)
        var n = count
        while n > 0 {
            let word = s.loadUnaligned(as: UInt32.self)
            to.pointee = UInt64(DSP.sxtb16(word)) | (UInt64(DSP.sxtb16ror8(word)) &<< 32)
            to += stride
            s += 4
            n &-= 1
        }
    }

    @inline(__always)
    static func padGroups(_ to: inout UnsafeMutablePointer<UInt64>, _ count: Int, _ pad: UInt64, _ stride: Int) {
        var n = count
        while n > 0 {
            to.pointee = pad
            to += stride
            n &-= 1
        }
    }

    /// `quadFill`, out of line: positions on the border, and channel counts not a multiple of 4.
    @inline(never)
    static func fillAnywhere(_ c: ConvolutionCall, _ column: UnsafeMutablePointer<UInt64>,
                             _ gathered: UnsafeMutablePointer<Int8>, _ oy: Int, _ ox: Int, _ k: Int, _ pad: UInt64,
                             _ zero: Int16, _ stride: Int) {
        quadFill(c, column, gathered, oy, ox, k, pad, zero, stride)
    }

    /// The column of the conv position (oy, ox): kernel rows, kernel columns, input channels (the OHWI weight
    /// order), raw input values, the zero point where the window leaves the input, zeros after value k up to
    /// the next multiple of 4. Group g goes to column[g · stride].
    @inline(__always)
    static func quadFill(_ c: ConvolutionCall, _ column: UnsafeMutablePointer<UInt64>,
                         _ gathered: UnsafeMutablePointer<Int8>, _ oy: Int, _ ox: Int, _ k: Int, _ pad: UInt64,
                         _ zero: Int16, _ stride: Int) {
        let cin = c.inputChannels, kh = c.kernelHeight, kw = c.kernelWidth
        let height = c.inputHeight, width = c.inputWidth
        let iy0 = oy &* c.strideY &- c.padTop, ix0 = ox &* c.strideX &- c.padLeft
        let rowInside = ix0 >= 0 && ix0 &+ kw <= width
        var to = column
        if cin & 3 == 0 {
            let segment = cin >> 2
            for ky in 0..<kh {
                let iy = iy0 &+ ky
                if iy < 0 || iy >= height {
                    padGroups(&to, kw &* segment, pad, stride)
                    continue
                }
                let row = c.x + iy &* width &* cin
                if rowInside {
                    widenGroups(row + ix0 &* cin, &to, kw &* segment, stride)
                } else {
                    for kx in 0..<kw {
                        let ix = ix0 &+ kx
                        if ix >= 0 && ix < width {
                            widenGroups(row + ix &* cin, &to, segment, stride)
                        } else {
                            padGroups(&to, segment, pad, stride)
                        }
                    }
                }
            }
        } else {
            // Gather the receptive field's bytes (zeros already follow them), then widen them.
            let z = Int8(truncatingIfNeeded: zero)
            let span = kw &* cin
            var g = gathered
            for ky in 0..<kh {
                let iy = iy0 &+ ky
                if iy >= 0 && iy < height && rowInside {
                    var s = c.x + (iy &* width &+ ix0) &* cin
                    let stop = g + span
                    while g < stop {
                        g.pointee = s.pointee
                        g += 1
                        s += 1
                    }
                } else if iy >= 0 && iy < height {
                    for kx in 0..<kw {
                        let ix = ix0 &+ kx
                        let inside = ix >= 0 && ix < width
                        var s = c.x + (iy &* width &+ ix) &* cin
                        let stop = g + cin
                        while g < stop {
                            g.pointee = inside ? s.pointee : z
                            g += 1
                            s += 1
                        }
                    }
                } else {
                    let stop = g + span
                    while g < stop {
                        g.pointee = z
                        g += 1
                    }
                }
            }
            widenGroups(gathered, &to, (k &+ 3) >> 2, stride)
        }
    }
}

/// A pass's column stride (positions per pass) as a type, so that the fill's stores use a constant offset.
protocol PassWidth { static var stride: Int { get } }
enum Width4: PassWidth { static var stride: Int { 4 } }
enum Width6: PassWidth { static var stride: Int { 6 } }
enum Width56: PassWidth { static var stride: Int { 56 } }
