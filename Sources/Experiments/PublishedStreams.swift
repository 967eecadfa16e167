import Tensor

/// The published code's random draws, from PyTorch's stream (`TorchGenerator`; PROTOCOL.md,
/// "Published mode and corrected mode"; ../reference/torch-rng/README.md).
public enum PublishedStreams {
    /// `random_split(range(count), [trainCount, count - trainCount],
    /// generator=torch.Generator().manual_seed(seed))`: the training indices in the order a
    /// SequentialSampler visits them (the published training order of MNIST and
    /// Fashion-MNIST), then the held-out ones.
    public static func split(count: Int = 60_000, trainCount: Int = 50_000, seed: UInt64 = 1)
        -> (train: [Int], validation: [Int]) {
        precondition(trainCount >= 0 && trainCount <= count)
        var generator = TorchGenerator(seed: seed)
        let order = generator.randperm(count)
        return (Array(order[..<trainCount]), Array(order[trainCount...]))
    }

    /// The initial-weights seed of run `i` in correlation.py and teleport_optimization.py.
    public static func runSeed(_ i: Int) -> UInt64 { UInt64(i + 1) * 54321 }
}
