import Foundation
import Testing
import TestSupport

/// REPRODUCE.md shows the committed figures on the page: every image it shows is a file in
/// `Figures/`, and every file in `Figures/` is shown as an image or named in the text as a panel
/// of a shown figure (by its pattern, with `<dataset>` for the dataset's key).
@Suite struct ReportFiguresTests {
    let root = TestPaths.repositoryRoot
    var report: String {
        get throws { try String(contentsOf: root.appendingPathComponent("REPRODUCE.md"), encoding: .utf8) }
    }

    /// The targets of the report's Markdown images, `![caption](path)`.
    func shownImages(_ text: String) -> Set<String> {
        let regex = /!\[[^\]]*\]\(([^)\s]+)\)/
        return Set(text.matches(of: regex).map { String($0.output.1) })
    }

    /// Every PNG under Figures/, as a repository-relative path.
    func committedFigures() throws -> [String] {
        let folder = root.appendingPathComponent("Figures")
        let files = FileManager.default.enumerator(atPath: folder.path)?.compactMap { $0 as? String } ?? []
        return files.filter { $0.hasSuffix(".png") }.map { "Figures/" + $0 }.sorted()
    }

    @Test func everyShownImageIsACommittedFile() throws {
        let shown = shownImages(try report)
        #expect(shown.count >= 10, "REPRODUCE.md shows \(shown.count) images")
        for path in shown.sorted() {
            #expect(FileManager.default.fileExists(atPath: root.appendingPathComponent(path).path),
                    "REPRODUCE.md shows \(path), which does not exist")
        }
    }

    @Test func everyCommittedFigureIsOnThePage() throws {
        let text = try report
        let shown = shownImages(text)
        let figures = try committedFigures()
        #expect(!figures.isEmpty)
        let datasets = ["fashion-mnist", "cifar-10-jpeg", "cifar-10", "mnist"]  // longest first
        for path in figures where !shown.contains(path) {
            let name = (path as NSString).lastPathComponent
            var pattern = name
            if let key = datasets.first(where: { name.contains($0) }) {
                pattern = name.replacingOccurrences(of: key, with: "<dataset>")
            }
            let named = text.contains("`\(pattern)`")
            #expect(named,
                    "\(path) is neither shown in REPRODUCE.md nor named there as a panel (`\(pattern)`)")
        }
    }

    /// The parser: an image line counts as shown, a plain mention of the path does not.
    @Test func onlyImageLinesCountAsShown() {
        let text = "![a](Figures/x/a.png)\nFigures: `Figures/x/b.png`\n"
        #expect(shownImages(text) == ["Figures/x/a.png"])
    }
}
