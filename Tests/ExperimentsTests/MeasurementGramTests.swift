import Model
import Testing
import Tensor
import TestSupport
@testable import Experiments

/// The Gram factors of the measurement batches (`InputGram`), computed by the first measurement
/// of a dataset and reused by the later ones: a measurement gives the same bits whether the
/// factors were there before it or not.
@Suite(.requires(.imageData)) struct MeasurementGramTests {
    @Test func aMeasurementDoesNotDependOnTheOnesBefore() throws {
        let shape = MLPShape.mnist
        let models = (1...2).map { shape.matrices(shape.initialParameters(seed: UInt64($0), as: Float.self)) }
        func measure(_ data: ImageData, _ W: [Matrix<Float>]) -> (phi: Double, psi: Double) {
            data.sharpnessAndCurvature(W, radii: [0.001, 0.011], draws: 3, batchSize: 200)
        }
        let cold = measure(try ImageData.load(.mnist).shared, models[0])
        let data = try ImageData.load(.mnist).shared
        let other = measure(data, models[1])
        let warm = measure(data, models[0])
        #expect(cold.phi.bitPattern == warm.phi.bitPattern)
        #expect(cold.psi.bitPattern == warm.psi.bitPattern)
        #expect(other.psi != warm.psi, "two models should differ in psi")
    }
}
