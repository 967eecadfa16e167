import CKernels
import Foundation
import Testing
import Tensor
@testable import Model

/// The Float32 optimiser updates in C (`CKernels`) against the Swift loops they replace
/// (`Optimizer.updateInSwift`): the same bits, on the AVX2 copy (where the CPU has it) and on the
/// baseline copy, over several steps so that the state (moments, accumulators) is compared too.
@Suite(.serialized) struct OptimizerKernelsTests {
    static let kinds: [OptimizerKind] = [
        .sgd(lr: 0.1), .momentum(lr: 0.05), .adagrad(lr: 0.01), .rmsprop(lr: 0.001), .adam(lr: 0.001),
    ]

    /// Parameters and 6 gradients of `count` entries, with magnitudes over several decades.
    static func data(count: Int) -> (parameters: [Float], gradients: [[Float]]) {
        var generator = SeededGenerator(seed: 7)
        func value(_ scale: Float) -> Float {
            (generator.uniformFloat() - 0.5) * scale * Float(pow(10, generator.uniform(-3, 1)))
        }
        let parameters = (0..<count).map { _ in value(1) }
        let gradients = (0..<6).map { _ in (0..<count).map { _ in value(0.1) } }
        return (parameters, gradients)
    }

    /// Runs `kind` on `data` in two parts per step (entries split at `split`, as the trainer
    /// updates layer by layer), through the C kernels or the Swift loops; returns the final
    /// parameters and both state buffers.
    static func run(_ kind: OptimizerKind, inSwift: Bool, count: Int, split: Int) -> [[Float]] {
        let (start, gradients) = data(count: count)
        var parameters = start
        var optimizer = Optimizer<Float>(kind, parameterCount: count)
        for gradient in gradients {
            parameters.withUnsafeMutableBufferPointer { p in
                gradient.withUnsafeBufferPointer { g in
                    for part in [0..<split, split..<count] {
                        let (pp, gg) = (p.baseAddress! + part.lowerBound, g.baseAddress! + part.lowerBound)
                        let t = optimizer.stepCount + 1
                        if inSwift {
                            optimizer.updateInSwift(entries: part, parameters: pp, gradient: gg, step: t)
                        } else {
                            optimizer.update(entries: part, parameters: pp, gradient: gg, step: t)
                        }
                    }
                }
            }
            optimizer.finishStep()
        }
        return [parameters, optimizer.first, optimizer.second]
    }

    @Test(arguments: kinds)
    func sameBitsAsTheSwiftLoops(kind: OptimizerKind) {
        // 1037 entries split at 333: both parts have a vector body and a scalar remainder.
        let (count, split) = (1037, 333)
        let reference = Self.run(kind, inSwift: true, count: count, split: split)
        #expect(reference[0] != Self.data(count: count).parameters, "the steps change the parameters")
        for baseline in [false, true] {
            teleport_optimizer_force_baseline(baseline ? 1 : 0)
            defer { teleport_optimizer_force_baseline(0) }
            #expect(teleport_optimizer_kernel_level() >= 1)
            let result = Self.run(kind, inSwift: false, count: count, split: split)
            for (name, a, b) in zip3(["parameters", "first", "second"], result, reference) {
                let differing = zip(a, b).filter { $0.bitPattern != $1.bitPattern }.count
                #expect(a.count == b.count && differing == 0,
                        "\(kind.name), \(baseline ? "baseline" : "level \(teleport_optimizer_kernel_level())") copy: \(differing) of \(a.count) \(name) differ")
            }
        }
    }

    /// The AVX2 copy runs where the CPU lists avx2 (Linux), and the baseline copy can be forced
    /// and released.
    @Test func dispatch() throws {
        #if arch(x86_64) && os(Linux)
        let flags = try String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)
            .split(separator: "\n").first { $0.hasPrefix("flags") } ?? ""
        let avx2 = flags.split(separator: " ").contains("avx2")
        #expect(teleport_optimizer_kernel_level() == (avx2 ? 2 : 1))
        #endif
        teleport_optimizer_force_baseline(1)
        #expect(teleport_optimizer_kernel_level() == 1)
        teleport_optimizer_force_baseline(0)
        #expect(teleport_optimizer_kernel_level() >= 1)
    }
}

private func zip3<A, B, C>(_ a: [A], _ b: [B], _ c: [C]) -> [(A, B, C)] {
    zip(a, zip(b, c)).map { ($0, $1.0, $1.1) }
}
