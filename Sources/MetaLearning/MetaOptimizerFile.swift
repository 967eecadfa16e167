import Model
import Teleport
import Foundation
import Autodiff

/// The saved parameters of a meta-optimiser: a readable JSON file naming the method and, per
/// parameter, its name, shape and row-major values.
public struct MetaOptimizerFile: Codable, Equatable, Sendable {
    /// The paper's name of the method, e.g. "LSTM(update,tele)".
    public var method: String
    public var parameters: [Parameter]

    /// One named parameter matrix of the meta-optimiser, with its shape and values.
    public struct Parameter: Codable, Equatable, Sendable {
        public var name: String
        public var rows: Int
        public var cols: Int
        public var values: [Double]
    }

    /// Why a file could not be loaded into an optimiser.
    public enum LoadError: Error, CustomStringConvertible {
        case methodMismatch(expected: String, found: String)
        case parameterMismatch(String)

        public var description: String {
            switch self {
            case .methodMismatch(let e, let f): return "file holds \(f), expected \(e)"
            case .parameterMismatch(let s): return "parameters differ: \(s)"
            }
        }
    }
}

extension MetaOptimizer {
    /// The parameters as the content of a saved file.
    public var file: MetaOptimizerFile {
        MetaOptimizerFile(method: Self.methodName, parameters: zip(parameterNames, parameterValues).map {
            .init(name: $0, rows: $1.rows, cols: $1.cols, values: $1.doubles)
        })
    }

    /// Writes the parameters as JSON to `url` atomically (a temporary file beside it, then a rename).
    public func save(to url: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]  // one line: full-size optimisers hold millions of values
        let data = try encoder.encode(file)
        let temporary = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).tmp")
        try data.write(to: temporary)
        guard rename(temporary.path, url.path) == 0 else {
            try? FileManager.default.removeItem(at: temporary)
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: url.path])
        }
    }

    /// Replaces the parameters by those saved in `url`; the method, names and shapes must match.
    public mutating func load(from url: URL) throws {
        try load(JSONDecoder().decode(MetaOptimizerFile.self, from: Data(contentsOf: url)))
    }

    /// Replaces the parameters by those of `file`; the method, names and shapes must match.
    public mutating func load(_ file: MetaOptimizerFile) throws {
        guard file.method == Self.methodName else {
            throw MetaOptimizerFile.LoadError.methodMismatch(expected: Self.methodName, found: file.method)
        }
        let current = parameterValues, names = parameterNames
        guard file.parameters.count == current.count else {
            throw MetaOptimizerFile.LoadError.parameterMismatch("\(file.parameters.count) saved, \(current.count) expected")
        }
        var values: [Matrix<Scalar>] = []
        for (i, p) in file.parameters.enumerated() {
            guard p.name == names[i], p.rows == current[i].rows, p.cols == current[i].cols,
                  p.values.count == p.rows * p.cols else {
                throw MetaOptimizerFile.LoadError.parameterMismatch(
                    "\(p.name) \(p.rows)x\(p.cols) vs \(names[i]) \(current[i].rows)x\(current[i].cols)")
            }
            values.append(Matrix(rows: p.rows, cols: p.cols, scalars: p.values.map { Scalar($0) }))
        }
        parameterValues = values
    }
}
