import Foundation

/// The corrected and the published algorithm's verdicts on one profile, part by part, with
/// how the two algorithms differ (`comparison.md` in the published results' folder; shown in
/// REPRODUCE.md).
public struct AlgorithmComparison: Sendable {
    public var corrected: VerdictFile
    public var published: VerdictFile
    /// What the published algorithm does differently (`Experiment.publishedMode`).
    public var differences: [String]

    public init(corrected: VerdictFile, published: VerdictFile, differences: [String]) {
        self.corrected = corrected; self.published = published; self.differences = differences
    }

    /// Every part of every claim of either file: (claim, part, corrected check, published check).
    var rows: [(claim: String, part: String, corrected: Check?, published: Check?)] {
        var out: [(claim: String, part: String, corrected: Check?, published: Check?)] = []
        let ids = published.claims.map(\.id) + corrected.claims.map(\.id).filter { id in !published.claims.contains { $0.id == id } }
        for id in ids {
            let c = corrected.claims.first { $0.id == id }, p = published.claims.first { $0.id == id }
            let names = (p?.checks ?? []).map(\.name) + (c?.checks ?? []).map(\.name).filter { n in !(p?.checks ?? []).contains { $0.name == n } }
            for name in names {
                out.append(((p ?? c)!.claim, name, c?.checks.first { $0.name == name }, p?.checks.first { $0.name == name }))
            }
        }
        return out
    }

    /// Parts run under both algorithms, and those whose outcome differs between them.
    public var compared: Int { rows.filter { $0.corrected != nil && $0.published != nil }.count }
    public var differing: Int {
        rows.filter { $0.corrected != nil && $0.published != nil && $0.corrected?.outcome != $0.published?.outcome }.count
    }

    public func markdown() -> String {
        func cell(_ check: Check?) -> String {
            guard let check else { return "-" }
            guard let d = check.decision else { return "\(check.outcome.rawValue) (\(check.note))" }
            let interval = d.method == .exact ? "exact"
                : "[\(Table.number(d.low, digits: 3)), \(Table.number(d.high, digits: 3))]"
            return "\(Table.number(d.effect, digits: 3)) \(interval), n = \(d.n): **\(check.outcome.rawValue)**"
        }
        var table = Table(columns: ["claim", "part", "corrected", "published", "same outcome"])
        var previous = ""
        for row in rows {
            let shownPart = row.corrected?.shownName ?? row.published?.shownName ?? row.part
            let same = row.corrected == nil || row.published == nil ? "-"
                : row.corrected?.outcome == row.published?.outcome ? "yes" : "**no**"
            table.append([row.claim == previous ? "" : row.claim, shownPart.isEmpty ? "-" : shownPart,
                          cell(row.corrected), cell(row.published), same])
            previous = row.claim
        }
        let n = compared, oneSided = rows.count - compared
        var text = "**Corrected: \(corrected.outcome.phrase); published: \(published.outcome.phrase).** "
            + "Parts with the same outcome under both algorithms: \(n - differing) of \(n)"
            + (differing > 0 ? " (\(differing) differing)" : "")
            + (oneSided > 0 ? "; \(oneSided) part(s) ran under one algorithm only (-)" : "") + ".\n\n"
        text += "The published algorithm differs from the corrected one in:\n\n"
            + differences.map { "- \($0)\n" }.joined() + "\n"
        return text + table.markdown()
    }
}
