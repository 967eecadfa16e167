import Foundation
import Model
import Testing
import TestSupport

/// `MLPShape.publishedInitialParameters` against `init_param_MLP` run by PyTorch: bit equal
/// (the file's decimals rounded to Float, since Foundation's JSON parser is not correctly
/// rounded for Doubles).
@Suite(.requires(.torchReference("torch_rng.json"))) struct PublishedInitTests {
    let reference: Golden
    init() throws { reference = try Golden.loadTorchReference("torch_rng.json") }

    @Test func mnistMLPSeed54321IsBitEqual() throws {
        let shape = MLPShape([784, 16, 10, 10])
        let w = shape.publishedInitialParameters(seed: 54321)
        let expected = try reference.vectors("cases/init_param_MLP_784_16_10_10_seed54321/W")
        for layer in 0..<3 {
            let ours = Array(w[shape.weightRange(layer)])
            let theirs = expected[layer].map { Float($0) }
            #expect(ours.count == theirs.count)
            #expect(ours == theirs, "layer \(layer): \(zip(ours, theirs).filter { $0 != $1 }.count) values differ")
        }
    }

    @Test func otherSeedsAndTheCIFARMLPAreBitEqual() throws {
        for (dims, seed, key) in [([784, 16, 10, 10], UInt64(108642), "init_param_MLP_784_16_10_10_seed108642_first5_last5_per_layer"),
                                  ([784, 16, 10, 10], 5432100, "init_param_MLP_784_16_10_10_seed5432100_first5_last5_per_layer"),
                                  ([3072, 128, 32, 10], 54321, "init_param_MLP_3072_128_32_10_seed54321_first5_last5_per_layer")] {
            let shape = MLPShape(dims)
            let w = shape.publishedInitialParameters(seed: seed)
            for layer in 0..<3 {
                let ours = Array(w[shape.weightRange(layer)])
                let expected = try reference.vectors("cases/\(key)/\(layer)").map { $0.map { Float($0) } }
                #expect(Array(ours.prefix(5)) == expected[0], "\(key) layer \(layer) first")
                #expect(Array(ours.suffix(5)) == expected[1], "\(key) layer \(layer) last")
            }
        }
    }
}
