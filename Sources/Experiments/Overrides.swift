import Foundation

/// One `--set name=value` of the command line: a parameter of the profile replaced for this
/// invocation. `name` is the parameter's dotted name as `<experiment> profiles` prints it
/// ("epochs", "lrTele.steps"); a list takes comma-separated items ("dimensions=20,20,20,20").
public struct Override: Codable, Sendable, Equatable, CustomStringConvertible {
    public var name: String
    public var value: String

    public init(name: String, value: String) { self.name = name; self.value = value }

    /// Parses "name=value" (spaces around either side are ignored).
    public static func parse(_ text: String) throws -> Override {
        guard let eq = text.firstIndex(of: "=") else {
            throw HarnessError.invalidOverride(text, reason: "expected name=value, for example --set epochs=5")
        }
        let name = text[..<eq].trimmingCharacters(in: .whitespaces)
        let value = text[text.index(after: eq)...].trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty, !value.isEmpty else {
            throw HarnessError.invalidOverride(text, reason: "expected name=value, for example --set epochs=5")
        }
        // The override names the results folder, so it must be a plain path component.
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: ".,_+-"))
        guard value.unicodeScalars.allSatisfy(allowed.contains) else {
            throw HarnessError.invalidOverride(text, reason: "a value may hold letters, digits and . , _ + - only")
        }
        return Override(name: name, value: value)
    }

    public var description: String { "\(name)=\(value)" }
}

extension Array where Element == Override {
    /// The suffix these overrides add to the profile's folder name: "" when there are none,
    /// else "+name=value" per override, sorted by name ("quick+epochs=5+models=6"), so that a
    /// run with overrides never mixes with, or resumes into, a standard profile's runs.
    public var folderSuffix: String {
        sorted { $0.name < $1.name }.map { "+\($0)" }.joined()
    }
}

/// `params` with `overrides` applied, each value parsed as the type the parameter has
/// (integer, number, true/false, text, or a comma-separated list of these; "none" unsets an
/// optional one). Throws `HarnessError.invalidOverride` naming the parameter and the valid
/// names or the expected type; negative numbers are refused (no parameter of this project
/// takes one).
public func applying<P: Codable>(_ overrides: [Override], to params: P) throws -> P {
    guard !overrides.isEmpty else { return params }
    let leaves = parameterLeaves(of: params)
    var tree = try JSONValue(encoding: params)
    var seen = Set<String>()
    for o in overrides {
        guard seen.insert(o.name).inserted else {
            throw HarnessError.invalidOverride(o.description, reason: "'\(o.name)' is set twice")
        }
        guard let leaf = leaves.first(where: { $0.name == o.name }) else {
            throw HarnessError.invalidOverride(
                o.description, reason: "no parameter '\(o.name)' in this experiment; valid names: "
                    + leaves.map(\.name).joined(separator: ", ") + " (see `profiles`)")
        }
        let value = try leaf.kind.parse(o.value, for: o)
        tree.set(path: o.name.split(separator: ".").map(String.init), to: value)
    }
    do {
        return try JSON.decoder().decode(P.self, from: JSON.encoder().encode(tree))
    } catch {
        let names = overrides.map(\.description).joined(separator: " ")
        throw HarnessError.invalidOverride(names, reason: "the parameters cannot be read back (\(humanDescription(error)))")
    }
}

/// The type of a parameter, read from the Swift value (JSON cannot tell 2.0 from 2).
indirect enum ParameterKind: Equatable {
    case int, double, bool, string
    case list(ParameterKind)
    case optional(ParameterKind)
    /// A nested group of parameters, or a type `--set` does not handle.
    case other

    /// The kind of `value` (an `Any` holding a stored property).
    init(of value: Any) {
        let mirror = Mirror(reflecting: value)
        if mirror.displayStyle == .optional {
            if let wrapped = mirror.children.first?.value { self = .optional(ParameterKind(of: wrapped)); return }
            let t = type(of: value)
            self = t == Int?.self ? .optional(.int) : t == Double?.self ? .optional(.double)
                : t == Bool?.self ? .optional(.bool) : t == String?.self ? .optional(.string) : .other
            return
        }
        switch value {
        case is Int: self = .int
        case is Double, is Float: self = .double
        case is Bool: self = .bool
        case is String: self = .string
        case is [Int]: self = .list(.int)
        case is [Double], is [Float]: self = .list(.double)
        case is [String]: self = .list(.string)
        default: self = .other
        }
    }

    var phrase: String {
        switch self {
        case .int: "a non-negative integer"
        case .double: "a finite non-negative number"
        case .bool: "true or false"
        case .string: "a name"
        case .list(let k): "a comma-separated list of " + k.plural
        case .optional(let k): k.phrase + " or none"
        case .other: "no value from the command line"
        }
    }

    var plural: String {
        switch self {
        case .int: "non-negative integers"
        case .double: "finite non-negative numbers"
        case .bool: "true or false values"
        case .string: "names"
        default: "values"
        }
    }

    /// `text` as a JSON value of this kind, or an error naming what the parameter takes.
    func parse(_ text: String, for o: Override) throws -> JSONValue {
        let fail = HarnessError.invalidOverride(o.description, reason: "'\(o.name)' takes \(phrase), not '\(text)'")
        switch self {
        case .int:
            guard let i = Int(text), i >= 0 else { throw fail }
            return .int(i)
        case .double:
            guard let d = Double(text), d.isFinite, d >= 0 else { throw fail }
            return .double(d)
        case .bool:
            guard let b = Bool(text) else { throw fail }
            return .bool(b)
        case .string:
            return .string(text)
        case .list(let k):
            let parts = text.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            guard parts.allSatisfy({ !$0.isEmpty }) else { throw fail }
            return .array(try parts.map { part in
                do { return try k.parse(part, for: o) } catch { throw fail }
            })
        case .optional(let k):
            if text == "none" { return .null }
            do { return try k.parse(text, for: o) } catch { throw fail }
        case .other:
            throw HarnessError.invalidOverride(o.description, reason: "'\(o.name)' is a group of parameters; set one of its fields")
        }
    }
}

/// Every parameter of `params` by dotted name ("lrTele.steps"), with its kind and value,
/// nested groups walked; the names `--set` accepts.
func parameterLeaves(of params: Any, prefix: String = "") -> [(name: String, kind: ParameterKind, value: Any)] {
    Mirror(reflecting: params).children.flatMap { child -> [(name: String, kind: ParameterKind, value: Any)] in
        guard let label = child.label else { return [] }
        let name = prefix.isEmpty ? label : prefix + "." + label
        let kind = ParameterKind(of: child.value)
        if kind == .other, Mirror(reflecting: child.value).displayStyle == .struct {
            return parameterLeaves(of: child.value, prefix: name)
        }
        return [(name, kind, child.value)]
    }
}

extension JSONValue {
    /// Puts `value` at `path` (object keys), adding a key an unset optional left out.
    mutating func set(path: [String], to value: JSONValue) {
        guard let head = path.first else {
            self = value
            return
        }
        guard case .object(var o) = self else { return }
        var child = o[head] ?? .null
        child.set(path: Array(path.dropFirst()), to: value)
        o[head] = child
        self = .object(o)
    }
}

/// The rule every experiment's parameters follow unless it says otherwise: counts (every
/// integer, also inside lists) are at least 1, single numbers (rates, tolerances, factors)
/// are above 0, and lists are not empty. `except` names parameters that may be 0 (seeds,
/// noise levels).
public func countProblems<P: Encodable>(in params: P, except: Set<String> = []) -> [String] {
    var problems: [String] = []
    func check(_ value: Any, _ name: String) {
        if let i = value as? Int, i < 1 { problems.append("'\(name)' must be at least 1 (is \(i))") }
    }
    for leaf in parameterLeaves(of: params) where !except.contains(leaf.name) {
        switch leaf.kind {
        case .int, .optional(.int): check(leaf.value, leaf.name)
        case .double, .optional(.double):
            if let d = leaf.value as? Double, !(d > 0) { problems.append("'\(leaf.name)' must be above 0 (is \(d))") }
        case .list(let k):
            let items = Mirror(reflecting: leaf.value).children.map(\.value)
            if items.isEmpty { problems.append("'\(leaf.name)' must not be empty") }
            if k == .int, let bad = items.compactMap({ $0 as? Int }).first(where: { $0 < 1 }) {
                problems.append("'\(leaf.name)' must hold numbers of at least 1 (holds \(bad))")
            }
        default: break
        }
    }
    return problems
}

/// "'name' must be at most `limit` (is value)" when `value` exceeds `limit`.
public func atMost(_ name: String, _ value: Int?, _ limit: Int) -> [String] {
    guard let value, value > limit else { return [] }
    return ["'\(name)' must be at most \(limit) (is \(value))"]
}
