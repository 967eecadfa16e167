import Experiments
import Model
import Tensor

// teleport_optimization.py's teleport batches, batch for batch (both algorithms draw them).
//
// The published script draws every teleport batch from one shuffled DataLoader
// (`teleport_loader`, batch 200) whose iterator lives through the whole script: the
// optimizers in the order Adagrad, momentum, RMSprop, Adam, 5 runs each, 8 teleports per run
// take batches 0, 1, 2, ... of it. A permutation's sampler seed is drawn from PyTorch's global
// stream when its first batch is requested, which is always during a teleport run's epoch e
// (2 for Adagrad, 0 for the others), after `init_param_MLP((run + 1) * 54321)` and one int64
// base seed per DataLoader iterator before it: train and test loaders of epochs 0 ..< e and the
// train loader of epoch e; a permutation after the first also follows its own iterator's base
// seed. Nothing else draws from the global stream (training and teleporting do not). The
// schedule follows PyTorch's documented DataLoader semantics; the reference files pin down the
// generator and randperm, not these seeds. SGD, not in the published list, comes after Adam.

/// The published teleport batches of one profile (PROTOCOL.md: both algorithms draw like the
/// published code).
struct PublishedTeleportBatches {
    /// The published order of the optimizers, then SGD (an extra baseline here).
    static let order = ["adagrad", "momentum", "rmsprop", "adam", "sgd"]

    var shape: MLPShape
    /// Samples the loader shuffles.
    var samples: Int
    /// Samples per teleport batch (200).
    var batchSize: Int
    /// Teleports per run (8) and runs per optimizer (5).
    var teleportsPerRun: Int
    var runs: Int
    /// The epoch whose first batches are teleported, per optimizer.
    var teleportEpoch: (String) -> Int

    var batchesPerPermutation: Int { (samples + batchSize - 1) / batchSize }

    /// The loader's batch index of teleport `k` of run `run` of `optimizer`.
    func index(optimizer: String, run: Int, teleport k: Int) -> Int {
        let o = Self.order.firstIndex(of: optimizer)!
        return (o * runs + run) * teleportsPerRun + k
    }

    /// The sampler seed of permutation `p` (a 64-bit draw modulo 2^63).
    func permutationSeed(_ p: Int) -> UInt64 {
        let q = p * batchesPerPermutation
        let o = q / (runs * teleportsPerRun), run = (q / teleportsPerRun) % runs
        let e = teleportEpoch(Self.order[min(o, Self.order.count - 1)])
        var global = TorchGenerator(seed: PublishedStreams.runSeed(run))
        global.skip(shape.parameterCount + 4 * e + 2 + (p > 0 ? 2 : 0))
        return global.next64() % (1 << 63)
    }

    /// The training-sample indices of teleport `k` of run `run` of `optimizer`.
    func batch(optimizer: String, run: Int, teleport k: Int) -> [Int] {
        let q = index(optimizer: optimizer, run: run, teleport: k)
        var g = TorchGenerator(seed: permutationSeed(q / batchesPerPermutation))
        let permutation = g.randperm(samples)
        let start = (q % batchesPerPermutation) * batchSize
        return Array(permutation[start..<min(start + batchSize, samples)])
    }
}
