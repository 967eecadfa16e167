/// SplitMix64 (Steele, Lea, Flood 2014): a tiny seeded generator, used here only to make
/// dataset splits reproducible without depending on the numeric modules.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }

    /// A uniform integer in `0..<bound` (Lemire's multiply-and-reject, no modulo bias).
    /// Spelled out so that splits do not depend on the standard library's algorithm.
    public mutating func uniform(below bound: UInt64) -> UInt64 {
        precondition(bound > 0)
        var m = next().multipliedFullWidth(by: bound)
        if m.low < bound {
            let threshold = (0 &- bound) % bound
            while m.low < threshold { m = next().multipliedFullWidth(by: bound) }
        }
        return m.high
    }
}

/// Splits `0..<count` into `trainCount` training and `count - trainCount` validation
/// indices: a Fisher-Yates shuffle driven by `SplitMix64(seed:)` (for i from count-1 down to
/// 1, swap i with a uniform j in 0...i), the first `trainCount` shuffled indices going to
/// training. Both lists are returned sorted ascending. Same seed, same split, on every platform.
public func trainValidationIndices(count: Int, seed: UInt64, trainCount: Int)
    -> (train: [Int], validation: [Int]) {
    precondition(trainCount >= 0 && trainCount <= count, "trainCount \(trainCount) not in 0...\(count)")
    let order = shuffledIndices(count: count, seed: seed)
    return (order[..<trainCount].sorted(), order[trainCount...].sorted())
}

/// `0..<count` in the order of a Fisher-Yates shuffle driven by `SplitMix64(seed:)` (for i
/// from count-1 down to 1, swap i with a uniform j in 0...i). Same seed, same order, everywhere.
public func shuffledIndices(count: Int, seed: UInt64) -> [Int] {
    var order = Array(0..<count)
    var rng = SplitMix64(seed: seed)
    if count > 1 {
        for i in stride(from: count - 1, to: 0, by: -1) {
            let j = Int(rng.uniform(below: UInt64(i + 1)))
            order.swapAt(i, j)
        }
    }
    return order
}

extension LabeledImages {
    /// A reproducible training/validation split (for example 50,000/10,000 of the 60,000
    /// MNIST training images); see `trainValidationIndices(count:seed:trainCount:)`.
    public func trainValidationSplit(seed: UInt64, trainCount: Int = 50_000)
        -> (train: LabeledImages, validation: LabeledImages) {
        let (t, v) = trainValidationIndices(count: count, seed: seed, trainCount: trainCount)
        return (subset(t), subset(v))
    }

    /// The samples in a fixed random order (`shuffledIndices(count:seed:)`).
    public func shuffled(seed: UInt64) -> LabeledImages { subset(shuffledIndices(count: count, seed: seed)) }
}
