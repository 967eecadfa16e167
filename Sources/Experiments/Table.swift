import Foundation

/// A small table of text cells that renders to Markdown (padded, readable as plain text)
/// and CSV (RFC 4180 quoting). Build it row by row; format numbers with `Table.number`.
public struct Table: Sendable, Equatable {
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
