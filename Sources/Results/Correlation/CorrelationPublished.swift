import Datasets
import Experiments
import Model
import Teleport
import Tensor

// correlation.py's measurement of phi and psi, draw for draw (`--algorithm published`).
//
// The published script measures every model on batches from one shuffled DataLoader
// (`teleport_loader`, batch 200) whose iterator lives across models: model i takes the
// global batches 200 i ... 200 i + 199, and when the 250 batches of a permutation are used up
// a new iterator starts a new permutation. Each permutation is `randperm(n)` on a generator
// seeded from PyTorch's global stream at that moment (a RandomSampler without a generator
// draws `random_()` on an int64). Before curve `c` the script calls `manual_seed(12345 * c)`
// and draws, on the global stream, M for every layer pair, then one direction per radius; so
// the global state at any point of the measurement is known, and so is every permutation:
// - the first permutation is seeded at the first batch of model 0, after the training of the
//   last model (`init_param_MLP` for seed models * 54321; every DataLoader iterator draws one
//   int64 base seed: one per training epoch, one for the test evaluation);
// - a later one is seeded when the previous is exhausted, at curve c of some model: after
//   curve c - 1's draws, the new iterator's base seed, then the sampler's seed.
// The schedule follows PyTorch's documented DataLoader semantics; the reference files pin
// down the generator, randperm and the per-curve draws, not the sampler seeds themselves.

/// The published measurement schedule of correlation.py for one profile.
struct PublishedMeasurement {
    var shape: MLPShape
    /// Models trained before the measurement (num_run).
    var models: Int
    /// Training epochs of each model (one DataLoader iterator each).
    var epochs: Int
    /// Curves (batches) per model (the paper: 200).
    var curves: Int
    /// Samples per measurement batch (200).
    var batchSize: Int
    /// Samples the loader shuffles (the 50k training subset).
    var samples: Int
    /// phi's radii, one direction each per curve.
    var radii: [Double]

    var batchesPerPermutation: Int { (samples + batchSize - 1) / batchSize }

    /// Draws of one curve on the global stream: every pair's M, then one direction per radius.
    var drawsPerCurve: Int {
        (0..<(shape.layerCount - 1)).reduce(0) { $0 + shape.dims[$1 + 1] * shape.dims[$1 + 1] }
            + radii.count * shape.parameterCount
    }

    /// The seed of the sampler generator of permutation `p` (`random_()` on an int64: a 64-bit
    /// draw modulo 2^63).
    func permutationSeed(_ p: Int) -> UInt64 {
        var global: TorchGenerator
        if p == 0 {
            global = TorchGenerator(seed: PublishedStreams.runSeed(models - 1))
            global.skip(shape.parameterCount + 2 * epochs + 2)   // init, epoch loaders, test loader
        } else {
            let curve = (p * batchesPerPermutation) % curves     // where the iterator ran out
            global = TorchGenerator(seed: UInt64(12345 * ((curve + curves - 1) % curves)))
            global.skip(drawsPerCurve)                           // curve c - 1's M and directions
            global.skip(2)                                       // the new iterator's base seed
        }
        return global.next64() % (1 << 63)
    }

    /// The training-subset indices of every batch model `model` is measured on, in order.
    func batches(model: Int) -> [[Int]] {
        var permutations: [Int: [Int]] = [:]
        return (0..<curves).map { curve in
            let q = model * curves + curve
            let p = q / batchesPerPermutation, position = q % batchesPerPermutation
            if permutations[p] == nil {
                var g = TorchGenerator(seed: permutationSeed(p))
                permutations[p] = g.randperm(samples)
            }
            let start = position * batchSize
            return Array(permutations[p]![start..<min(start + batchSize, samples)])
        }
    }

    /// phi and psi of `W` measured as correlation.py measures model `model`: per curve c its
    /// batch and `PublishedStreams.measurementDraws(curve: c)`; phi is the mean perturbed loss
    /// divided by the batch size, psi the mean curvature (`orbitCurvature`).
    func sharpnessAndCurvature(_ W: [Matrix<Float>], model: Int, train: LabeledImages) -> (phi: Double, psi: Double) {
        let W64 = W.map { Matrix<Double>($0) }
        var phiTotal = 0.0, psiTotal = 0.0
        for (curve, indices) in batches(model: model).enumerated() {
            let X = columnBatch(images: train.images, features: train.features, indices: indices)
            let labels = indices.map { train.labels[$0] }
            let M = PublishedStreams.measurementDraws(curve: curve, shape: shape, radii: radii, perturbing: W) {
                phiTotal += Double(lossValue($0, X, .classification(labels: labels)))
            }
            psiTotal += orbitCurvature(W64, input: Matrix<Double>(X), directions: M)
        }
        let n = Double(curves)
        return (phiTotal / (n * Double(radii.count)) / Double(batchSize), psiTotal / n)
    }
}
