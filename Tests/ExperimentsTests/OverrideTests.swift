import ArgumentParser
import Foundation
import Testing
@testable import Experiments

/// `--set name=value`: parsed by the parameter's type, validated, kept in its own folder.
@Suite struct OverrideTests {
    struct Nested: Codable, Sendable, Equatable {
        struct Budget: Codable, Sendable, Equatable { var steps: Int; var rate: Double }
        var epochs: Int
        var samples: Int?
        var radii: [Double]
        var names: [String]
        var budget: Budget
        var exact: Bool
    }

    static let base = Nested(epochs: 4, samples: nil, radii: [2, 1, 0.5], names: ["sgd", "adam"],
                             budget: .init(steps: 10, rate: 1), exact: false)

    func apply(_ texts: String...) throws -> Nested {
        try applying(texts.map { try Override.parse($0) }, to: Self.base)
    }

    func message(_ texts: String...) -> String {
        do {
            _ = try applying(texts.map { try Override.parse($0) }, to: Self.base)
            return "no error"
        } catch { return "\(error)" }
    }

    @Test func valuesAreParsedByTheParametersType() throws {
        let p = try apply("epochs=7", "samples=500", "radii=0.5,3", "names=rmsprop", "budget.steps=3",
                          "budget.rate=0.25", "exact=true")
        #expect(p == Nested(epochs: 7, samples: 500, radii: [0.5, 3], names: ["rmsprop"],
                            budget: .init(steps: 3, rate: 0.25), exact: true))
        // A whole-number Double is still a Double (the Swift type decides, not the JSON text).
        #expect(try apply("budget.rate=2").budget.rate == 2)
        #expect(try apply("samples=9", "epochs=1").samples == 9)
        var unset = Self.base; unset.samples = 9
        #expect(try applying([Override(name: "samples", value: "none")], to: unset).samples == nil)
        #expect(try apply() == Self.base)
    }

    @Test func badNamesAndValuesAreOneClearSentence() {
        #expect(message("epoch=3").hasPrefix("invalid --set epoch=3: no parameter 'epoch' in this experiment; valid names: epochs, samples, radii, names, budget.steps, budget.rate, exact"))
        #expect(message("epochs=x") == "invalid --set epochs=x: 'epochs' takes a non-negative integer, not 'x'")
        #expect(message("epochs=2.5") == "invalid --set epochs=2.5: 'epochs' takes a non-negative integer, not '2.5'")
        #expect(message("epochs=-1") == "invalid --set epochs=-1: 'epochs' takes a non-negative integer, not '-1'")
        #expect(message("budget.rate=inf") == "invalid --set budget.rate=inf: 'budget.rate' takes a finite non-negative number, not 'inf'")
        #expect(message("radii=1,,2") == "invalid --set radii=1,,2: 'radii' takes a comma-separated list of finite non-negative numbers, not '1,,2'")
        #expect(message("exact=yes") == "invalid --set exact=yes: 'exact' takes true or false, not 'yes'")
        #expect(message("budget=3") == "invalid --set budget=3: no parameter 'budget' in this experiment; valid names: epochs, samples, radii, names, budget.steps, budget.rate, exact (see `profiles`)")
        #expect(message("epochs=3", "epochs=4") == "invalid --set epochs=4: 'epochs' is set twice")
        for bad in ["epochs", "=3", "epochs=", "names=a/b", "names=a b"] {
            #expect(throws: HarnessError.self, "\(bad)") { try Override.parse(bad) }
        }
    }

    @Test func countsAndRatesFollowTheDefaultRule() {
        var p = Self.base
        #expect(countProblems(in: p).isEmpty)
        p.epochs = 0; p.budget.rate = 0; p.names = []; p.samples = 0
        #expect(countProblems(in: p) == ["'epochs' must be at least 1 (is 0)", "'samples' must be at least 1 (is 0)",
                                         "'names' must not be empty", "'budget.rate' must be above 0 (is 0.0)"])
        #expect(countProblems(in: p, except: ["epochs", "samples", "budget.rate", "names"]).isEmpty)
    }

    @Test func overridesRunInTheirOwnFolderAndResumeThere() throws {
        let scratch = Scratch(); defer { scratch.cleanup() }
        let toy = Toy()
        let plain = try Harness(toy, options: try options(scratch))
        let set = try Harness(toy, options: try options(scratch, ["--set", "seeds=2", "--set", "epochs=3"]))
        #expect(set.folder.lastPathComponent == "quick+epochs=3+seeds=2")
        #expect(set.params.seeds == 2 && set.params.epochs == 3 && set.runs.count == 4)
        #expect(plain.folder.lastPathComponent == "quick")
        try set.run(runOptions(["--jobs", "2"]))
        #expect(toy.counter.value == 4)
        #expect(!FileManager.default.fileExists(atPath: plain.folder.path))
        // The same overrides in another order name the same folder and resume into it.
        let again = try Harness(toy, options: try options(scratch, ["--set", "epochs=3", "--set", "seeds=2"]))
        let report = try again.run(runOptions([]))
        #expect(report.executed.isEmpty && report.skipped.count == 4 && toy.counter.value == 4)
        // Recorded in the summary and in provenance.
        let summary = try JSONValue(encoding: JSON.decode(JSONValue.self, from: set.folder.appendingPathComponent("summary.json")))
        guard case .object(let s) = summary else { Issue.record("summary is not an object"); return }
        #expect(s["overrides"] == .array([.string("epochs=3"), .string("seeds=2")]))
        let provenance = try JSON.decode(Provenance.self, from: set.folder.appendingPathComponent("provenance.json"))
        #expect(provenance.runs.first?.overrides == ["epochs=3", "seeds=2"])
        #expect(provenance.summary.overrides == ["epochs=3", "seeds=2"])
        // A standard profile's summary carries no overrides field.
        try plain.run(runOptions(["--jobs", "2"]))
        let plainSummary = String(decoding: try Data(contentsOf: plain.folder.appendingPathComponent("summary.json")), as: UTF8.self)
        #expect(!plainSummary.contains("overrides"))
    }

    @Test func harnessRejectsUnusableParametersBeforeAnyWork() throws {
        let scratch = Scratch(); defer { scratch.cleanup() }
        #expect(throws: HarnessError.invalidOverride("seeds=0", reason: "'seeds' must be at least 1 (is 0)")) {
            try Harness(Toy(), options: try options(scratch, ["--set", "seeds=0"]))
        }
        #expect(scratch.files().isEmpty)
    }
}
