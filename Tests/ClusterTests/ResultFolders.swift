import Foundation

/// The outputs of one result and profile (`<results>/<result>/<profile>/`), compared between
/// an unsharded run and a sharded one.
struct ResultFolder {
    let url: URL

    init(results: URL, result: String, profile: String) {
        url = results.appendingPathComponent(result).appendingPathComponent(profile)
    }

    /// Regular files under `relative` (recursively, or only directly in it), sorted, as
    /// paths relative to `url`.
    func files(under relative: String = "", recursive: Bool) -> [String] {
        let base = relative.isEmpty ? url : url.appendingPathComponent(relative)
        let prefix = relative.isEmpty ? "" : relative + "/"
        let fm = FileManager.default
        var out: [String] = []
        if recursive {
            let e = fm.enumerator(atPath: base.path)
            while let f = e?.nextObject() as? String {
                if e?.fileAttributes?[.type] as? FileAttributeType == .typeRegular { out.append(prefix + f) }
            }
        } else {
            for f in (try? fm.contentsOfDirectory(atPath: base.path)) ?? [] {
                var isFolder: ObjCBool = false
                if fm.fileExists(atPath: base.appendingPathComponent(f).path, isDirectory: &isFolder),
                   !isFolder.boolValue { out.append(prefix + f) }
            }
        }
        return out.sorted()
    }

    func data(_ relative: String) throws -> Data { try Data(contentsOf: url.appendingPathComponent(relative)) }

    func json(_ relative: String) throws -> [String: Any] {
        guard let object = try JSONSerialization.jsonObject(with: data(relative)) as? [String: Any] else {
            throw CocoaError(.fileReadCorruptFile, userInfo: [NSFilePathErrorKey: relative])
        }
        return object
    }

    /// Every way `other` differs from this folder, as readable lines (empty when equal):
    /// - every top-level output (summary, tables, figures) except provenance.json, which records
    ///   times, hosts and command lines, byte for byte;
    /// - the same run records under runs/, each equal except its wall time;
    /// - the same shared values under cache/, byte for byte.
    /// provenance/ (one file per invocation) and anything else in subfolders (Slurm logs) are
    /// not outputs of the computation.
    func differences(from other: ResultFolder) throws -> [String] {
        var out: [String] = []
        func sameNames(_ a: [String], _ b: [String], _ what: String) -> [String] {
            if a != b { out.append("\(what) differ: \(a) vs \(b)") }
            return a.filter(b.contains)
        }
        let top = sameNames(files(recursive: false).filter { $0 != "provenance.json" },
                            other.files(recursive: false).filter { $0 != "provenance.json" }, "top-level files")
        if top.isEmpty { out.append("no top-level outputs in \(url.path)") }
        for f in top where try data(f) != other.data(f) { out.append("differs: \(f)") }

        let runs = sameNames(files(under: "runs", recursive: true), other.files(under: "runs", recursive: true), "run files")
        if runs.isEmpty { out.append("no run files in \(url.path)/runs") }
        for f in runs {
            var a = try json(f), b = try other.json(f)
            for key in ["wallSeconds"] { a[key] = nil; b[key] = nil }
            if !(a as NSDictionary).isEqual(to: b) { out.append("run record differs: \(f)") }
        }

        let cache = sameNames(files(under: "cache", recursive: true), other.files(under: "cache", recursive: true), "cache files")
        for f in cache where try data(f) != other.data(f) { out.append("differs: \(f)") }
        return out
    }

    /// The run counts of summary.json: declared, ok, and the keys diverged, failed or missing.
    func runCounts() throws -> (declared: Int, ok: Int, diverged: Int, failed: Int, missing: Int) {
        let runs = try json("summary.json")["runs"] as? [String: Any] ?? [:]
        func count(_ key: String) -> Int { (runs[key] as? [Any])?.count ?? -1 }
        return (runs["declared"] as? Int ?? -1, runs["ok"] as? Int ?? -1,
                count("diverged"), count("failed"), count("missing"))
    }
}
