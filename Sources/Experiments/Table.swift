import Foundation

/// A small table of text cells that renders to Markdown (padded, readable as plain text)
/// and CSV (RFC 4180 quoting). Build it row by row; format numbers with `Table.number`.
public struct Table: Sendable, Equatable {
    /// How a column's cells are aligned in Markdown and in wrapped text.
    public enum Alignment: Sendable, Equatable { case left, right }

    public var columns: [String]
    public var rows: [[String]] = []
    /// Per-column alignment in Markdown; defaults to left for every column.
    public var alignments: [Alignment]

    public init(columns: [String], alignments: [Alignment]? = nil) {
        self.columns = columns
        self.alignments = alignments ?? Array(repeating: .left, count: columns.count)
        precondition(self.alignments.count == columns.count, "one alignment per column")
    }

    /// Appends a row; it must have one cell per column.
    public mutating func append(_ cells: [String]) {
        precondition(cells.count == columns.count,
                     "row has \(cells.count) cells, table has \(columns.count) columns")
        rows.append(cells)
    }

    /// A number with `digits` significant digits ("%.<digits>g"); "nan"/"inf" for others.
    public static func number(_ x: Double, digits: Int = 4) -> String {
        if x.isNaN { return "nan" }
        if x.isInfinite { return x > 0 ? "inf" : "-inf" }
        return String(format: "%.\(digits)g", x)
    }

    /// "mean ± std" with `digits` significant digits each.
    public static func meanStd(_ mean: Double, _ std: Double, digits: Int = 3) -> String {
        "\(number(mean, digits: digits)) ± \(number(std, digits: digits))"
    }

    /// GitHub-flavoured Markdown with columns padded to equal width; `|` in cells is escaped.
    public func markdown() -> String {
        func escape(_ s: String) -> String {
            s.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
        }
        let header = columns.map(escape)
        let body = rows.map { $0.map(escape) }
        let widths = header.indices.map { c in
            max(3, ([header[c]] + body.map { $0[c] }).map(\.count).max() ?? 3)
        }
        func pad(_ s: String, _ c: Int) -> String {
            let fill = String(repeating: " ", count: widths[c] - s.count)
            return alignments[c] == .right ? fill + s : s + fill
        }
        func line(_ cells: [String]) -> String {
            "| " + cells.indices.map { pad(cells[$0], $0) }.joined(separator: " | ") + " |"
        }
        let rule = "|" + widths.indices.map { c -> String in
            let dashes = String(repeating: "-", count: widths[c])
            return "-" + dashes + (alignments[c] == .right ? ":" : "-")
        }.joined(separator: "|") + "|"
        return ([line(header), rule] + body.map(line)).joined(separator: "\n") + "\n"
    }

    /// Plain text for a terminal: each cell wrapped at spaces to its column's width in
    /// `widths` (a longer word stays whole), columns separated by " | ", rows by a rule.
    public func wrapped(widths: [Int]) -> String {
        precondition(widths.count == columns.count, "one width per column")
        func lines(_ text: String, _ width: Int) -> [String] {
            var out: [String] = [], line = ""
            for word in text.split(separator: " ") {
                if !line.isEmpty && line.count + 1 + word.count > width { out.append(line); line = "" }
                line += (line.isEmpty ? "" : " ") + word
            }
            return out + [line]
        }
        // A column is as wide as its longest wrapped line (a long word can exceed the limit).
        let columnWidths = widths.indices.map { c in
            max(widths[c], ([columns] + rows).flatMap { lines($0[c], widths[c]) }.map(\.count).max() ?? 0)
        }
        func render(_ cells: [String]) -> [String] {
            let wrapped = cells.indices.map { lines(cells[$0], widths[$0]) }
            let height = wrapped.map(\.count).max() ?? 1
            return (0..<height).map { i in
                wrapped.indices.map { c in
                    let text = i < wrapped[c].count ? wrapped[c][i] : ""
                    return text + String(repeating: " ", count: columnWidths[c] - text.count)
                }.joined(separator: " | ").replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
            }
        }
        let rule = columnWidths.map { String(repeating: "-", count: $0) }.joined(separator: "-+-")
        return ([render(columns)] + rows.map(render)).map { $0.joined(separator: "\n") }
            .joined(separator: "\n" + rule + "\n") + "\n"
    }

    /// CSV with a header row; cells holding a comma, quote, line break or edge spaces are
    /// quoted, with quotes doubled.
    public func csv() -> String {
        func quote(_ s: String) -> String {
            let needs = s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
                || s.hasPrefix(" ") || s.hasSuffix(" ")
            return needs ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
        }
        return ([columns] + rows).map { $0.map(quote).joined(separator: ",") }
            .joined(separator: "\n") + "\n"
    }
}
