import Foundation
import Model
import Testing
import Tensor
import TestSupport
import Teleport
@testable import Experiments

/// `PublishedStreams.measurementDraws`, the draws both algorithms measure phi and psi with,
/// against correlation.py's own (../reference/torch-rng/torch_rng.json).
@Suite(.requires(.torchReference("torch_rng.json"))) struct MeasurementDrawsTests {
    let reference: Golden
    init() throws { reference = try Golden.loadTorchReference("torch_rng.json") }
    let radii = [0.001, 0.011, 0.021]

    @Test func curvatureMatricesAreCorrelationPys() throws {
        for curve in [0, 1, 199] {
            let drawn = PublishedStreams.measurementDraws(curve: curve, shape: .mnist, radii: radii)
            let expected = try reference.vectors("cases/correlation_curvature_M_curve\(curve)_784_16_10_10")
            #expect(drawn.M.map(\.rows) == [16, 10])
            for pair in 0..<2 {
                #expect(maxRelativeError(drawn.M[pair].scalars, expected[pair]) < 1e-6, "curve \(curve) pair \(pair)")
            }
        }
    }

    @Test func directionsFollowTheMatricesOnTheSameStream() throws {
        let drawn = PublishedStreams.measurementDraws(curve: 3, shape: .mnist, radii: radii)
        #expect(drawn.directions.count == radii.count)
        let first = MLPShape.mnist.flatten(drawn.directions[0])
        let norm = first.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
        #expect(abs(norm - radii[0]) < 1e-6 * radii[0])
        // The reference holds the raw draws (before normalising): ours are those times t / |d|.
        let raw = try reference.vectors("cases/correlation_first_sharpness_direction_curve3_first5_last5_unnormalised")
        let ratios = zip(Array(first.prefix(5)) + Array(first.suffix(5)), raw[0] + raw[1]).map { Double($0) / $1 }
        #expect(ratios.allSatisfy { abs($0 / ratios[0] - 1) < 1e-6 }, "\(ratios)")
        // Different radii of one curve are different draws, not one direction rescaled.
        let second = MLPShape.mnist.flatten(drawn.directions[1])
        #expect(abs(Double(second[0]) / Double(first[0]) - radii[1] / radii[0]) > 1e-3)
    }

    @Test func drawsDependOnTheCurveOnly() {
        let a = PublishedStreams.measurementDraws(curve: 5, shape: .mnist, radii: radii)
        let b = PublishedStreams.measurementDraws(curve: 5, shape: .mnist, radii: radii)
        let c = PublishedStreams.measurementDraws(curve: 6, shape: .mnist, radii: radii)
        #expect(a.M == b.M && a.directions == b.directions)
        #expect(a.M != c.M)
    }
}

/// The fused draws (`measurementDraws(..., perturbing:)`, what the experiments measure with)
/// against the directions added to W afterwards: the same M and the same perturbed weights, bit
/// for bit, radius by radius; also when the norms come from the process's store
/// (`directionNorms`, filled by the first pass).
@Suite struct FusedMeasurementDrawsTests {
    @Test(arguments: [MLPShape.mnist, MLPShape([30, 12, 10, 10])])
    func perturbedWeightsEqualTheDirectionsAdded(shape: MLPShape) {
        var rng = SeededGenerator(seed: 11)
        let W = (0..<shape.layerCount).map { i in
            let (rows, cols) = shape.weightShape(i)
            return Matrix<Float>(rows: rows, cols: cols) { _, _ in Float(rng.uniform(-1, 1)) }
        }
        let radii = sharpnessRadii(start: 0.0001, end: 0.02, step: 0.001)
        for curve in [0, 7] {
            let drawn = PublishedStreams.measurementDraws(curve: curve, shape: shape, radii: radii)
            for pass in 0..<2 {
                var fused: [[Matrix<Float>]] = []
                let M = PublishedStreams.measurementDraws(curve: curve, shape: shape, radii: radii, perturbing: W) {
                    fused.append($0)
                }
                #expect(M == drawn.M)
                #expect(fused.map { $0.map(\.scalars).joined().map(\.bitPattern) }
                        == drawn.directions.map { perturbed(W, by: $0).map(\.scalars).joined().map(\.bitPattern) },
                        "curve \(curve), pass \(pass)")
                #expect(fused[0] != fused[1] && fused[0] != W)
            }
        }
    }
}

/// The norm of every phi direction is the exactly rounded sum of squares
/// (`TorchGenerator.randSquaredNorm`). Before it was an in-order Double sum; on every draw the
/// experiments make (curves 0..<200 of each network, 20 radii each) the two give the same Float
/// norm, so records measured either way hold the same bits.
@Suite struct DirectionNormTests {
    @Test(arguments: [MLPShape.mnist, MLPShape.cifarSmall, MLPShape.cifar])
    func exactNormIsTheInOrderNormOnEveryDrawOfTheExperiments(shape: MLPShape) {
        let curves = 200
        let radii = max(sharpnessRadii(start: 0.001, end: 0.2, step: 0.01).count,
                        sharpnessRadii(start: 0.0001, end: 0.02, step: 0.001).count)
        #expect(radii == 20)
        let curvatureDraws = (1..<(shape.dims.count - 1)).reduce(0) { $0 + shape.dims[$1] * shape.dims[$1] }
        var values = [Float](repeating: 0, count: shape.parameterCount)
        var floatDifferences = 0, doubleDifferences = 0
        for curve in 0..<curves {
            var g = TorchGenerator(seed: UInt64(12345 * curve))
            g.skip(curvatureDraws)
            for _ in 0..<radii {
                let exact = values.withUnsafeMutableBufferPointer { g.randSquaredNorm(into: $0) }
                let inOrder = values.reduce(0.0) { $0 + Double($1) * Double($1) }
                if exact != inOrder { doubleDifferences += 1 }
                if Float(exact.squareRoot()) != Float(inOrder.squareRoot()) { floatDifferences += 1 }
            }
        }
        #expect(floatDifferences == 0)
        // The sums themselves do differ in their last bits: the check above is not vacuous.
        #expect(doubleDifferences > 0)
    }

    @Test func normWithoutValuesEqualsNormWithValues() {
        var a = TorchGenerator(seed: 99), b = a
        var values = [Float](repeating: 0, count: 5000)
        let kept = values.withUnsafeMutableBufferPointer { a.randSquaredNorm(into: $0) }
        #expect(b.randSquaredNorm(count: 5000) == kept)
        #expect(a.next32() == b.next32())
    }
}
