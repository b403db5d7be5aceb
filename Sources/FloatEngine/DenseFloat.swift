/// Float32 fully connected layer: `y = x · kernel + bias` with the kernel stored `[N, M]`.
enum DenseFloat {
    static func run(
        input: UnsafeBufferPointer<Float>, kernel: UnsafeBufferPointer<Float>, bias: UnsafeBufferPointer<Float>?,
        output: UnsafeMutableBufferPointer<Float>
    ) {
        let m = output.count
        if let bias {
            for j in 0..<m { output[j] = bias[j] }
        } else {
            for j in 0..<m { output[j] = 0 }
        }
        for i in 0..<input.count {
            let x = input[i]
            let row = i * m
            for j in 0..<m { output[j] += x * kernel[row + j] }
        }
    }
}
