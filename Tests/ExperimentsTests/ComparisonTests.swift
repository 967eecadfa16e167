import Foundation
import Testing
@testable import Experiments

/// `AlgorithmComparison`: both algorithms' verdicts part by part; parts run under only one
/// algorithm are shown but not compared.
@Suite struct ComparisonTests {
    func check(_ name: String, _ value: Double) -> Check {
        Check(name, .exact("r", value: value, claim: .above, boundary: 0, scale: 1))
    }

    @Test func partsAreComparedWhereBothRan() {
        let corrected = VerdictFile(experiment: "x", profile: .default, runsDeclared: 3, runsCompleted: 3, claims: [
            Verdict(id: "x/claim", claim: "r > 0", checks: [check("mnist", 0.5), check("fashion-mnist", 0.4), check("cifar-10-jpeg", 0.3)]),
        ])
        let published = VerdictFile(experiment: "x", profile: .default, runsDeclared: 2, runsCompleted: 2, claims: [
            Verdict(id: "x/claim", claim: "r > 0", checks: [check("mnist", 0.2), check("fashion-mnist", -0.1)]),
        ])
        let c = AlgorithmComparison(corrected: corrected, published: published, differences: ["one thing"])
        #expect(c.compared == 2 && c.differing == 1)
        let text = c.markdown()
        #expect(text.contains("Parts with the same outcome under both algorithms: 1 of 2 (1 differing); 1 part(s) ran under one algorithm only (-)."))
        #expect(text.contains("- one thing"))
        let rows = text.split(separator: "\n").filter { $0.hasPrefix("| ") }
        #expect(rows.count == 1 + 3)   // header, three parts
        let cifar = rows.first { $0.contains("CIFAR-10 (JPEG copy)") }
        #expect(cifar.map { $0.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }.suffix(2) == ["-", "-"] } == true,
                "\(cifar ?? "")")
        #expect(rows.contains { $0.contains("Fashion-MNIST") && $0.contains("**no**") })
    }
}
