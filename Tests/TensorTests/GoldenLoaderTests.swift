import Foundation
import Testing
import TestSupport

/// `Golden.load` tells an absent file from a corrupt one, and its accessors report a value of
/// the wrong shape as corruption (on temporary files).
@Suite struct GoldenLoader {
    let folder: URL

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("teleport-golden-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    /// Writes `text` to `name` in the temporary folder.
    func file(_ name: String, _ text: String) throws -> URL {
        let url = folder.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url
    }

    /// The reason of the `.corrupt` error thrown by `body`, or nil.
    func corruption(_ body: () throws -> Void) -> String? {
        do { try body() } catch GoldenError.corrupt(_, let reason) { return reason } catch {}
        return nil
    }

    @Test func absentIsMissing() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("absent.json")
        let error = #expect(throws: GoldenError.missing(url)) { try Golden.load(contentsOf: url) }
        #expect(error?.description.contains("absent.json not found") == true)
        #expect(error?.description.contains("TELEPORT_GOLDEN_DIR") == true)
    }

    @Test func unreadableOrWrongShapeIsCorrupt() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let cases = [("truncated.json", #"{"note": "x", "A": [[1, 2"#, "not valid JSON"),
                     ("list.json", "[1, 2, 3]", "the top level is not a JSON object"),
                     ("empty.json", "", "not valid JSON"),
                     ("no-note.json", #"{"A": [[1]]}"#, #"no "note" string"#)]
        for (name, text, reason) in cases {
            let url = try file(name, text)
            let error = #expect(throws: GoldenError.corrupt(url, reason)) { try Golden.load(contentsOf: url) }
            #expect(error?.description == "golden file \(url.path) is corrupt: \(reason)")
        }
        let directory = folder.appendingPathComponent("folder.json")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        #expect(corruption { _ = try Golden.load(contentsOf: directory) }?.hasPrefix("unreadable") == true)
    }

    @Test func accessorsReadValuesAndReportWrongShapes() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = try file("ok.json", #"""
            {"note": "test", "x": 2.5, "v": [1, 2], "M": [[1, 2], [3, 4], [5, 6]],
             "ragged": [[1, 2], [3]], "steps": [{"W": [[[1]], [[2, 3]]]}]}
            """#)
        let g = try Golden.load(contentsOf: url)
        #expect(g.note == "test" && g.url == url)
        #expect(try g.double("x") == 2.5 && g.vector("v") == [1, 2])
        let m = try g.matrix("M")
        #expect(m.rows == 3 && m.cols == 2 && m.values == [1, 2, 3, 4, 5, 6])
        #expect(try g.vectors("M") == [[1, 2], [3, 4], [5, 6]])
        #expect(try g.matrices("steps/0/W").map(\.cols) == [1, 2])
        #expect(corruption { _ = try g.double("absent") } == #"no "absent""#)
        #expect(corruption { _ = try g.matrix("ragged") } == #""ragged" is not a matrix"#)
        #expect(corruption { _ = try g.double("v") } == #""v" is not a number"#)
        #expect(corruption { _ = try g.matrices("steps/1/W") } == #"no "steps/1/W""#)
    }
}

/// `.requires(...)`: a present prerequisite lets the test run; a missing one stops it, as a
/// failure naming it under `TELEPORT_REQUIRE_REFERENCE=1`, else as a skip.
@Suite struct Prerequisites {
    @Test func missingOneStopsTheTest() async throws {
        let test = try #require(Test.current)
        try await RequiresTrait.requires(Prerequisite(true, missing: "never")).prepare(for: test)
        let missing = Prerequisite(false, missing: "widget not found: install widget")
        let error = await #expect(throws: (any Error).self) {
            try await RequiresTrait.requires(Prerequisite(true, missing: "never"), missing).prepare(for: test)
        }
        #expect((error is MissingPrerequisite) == Reference.required)
        if Reference.required { #expect("\(error!)".hasSuffix("widget not found: install widget")) }
    }

    @Test func goldenFileIsNamed() {
        let p = Prerequisite.golden("no-such-file.json")
        #expect(!p.isPresent())
        #expect(p.missing.contains("no-such-file.json not found in \(TestPaths.goldenDirectory.path)"))
    }
}
