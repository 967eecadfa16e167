import Foundation

/// Any JSON value. Used to embed an experiment's parameters in provenance records and to
/// print them as a flat "name = value" table.
public enum JSONValue: Codable, Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// The JSON form of any encodable value (through the harness's JSON coders).
    public init<T: Encodable>(encoding value: T) throws {
        self = try JSON.decoder().decode(JSONValue.self, from: JSON.encoder().encode(value))
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let i = try? c.decode(Int.self) { self = .int(i) }
        else if let d = try? c.decode(Double.self) { self = .double(d) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([JSONValue].self) { self = .array(a) }
        else { self = .object(try c.decode([String: JSONValue].self)) }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case .bool(let b): try c.encode(b)
        case .int(let i): try c.encode(i)
        case .double(let d): try c.encode(d)
        case .string(let s): try c.encode(s)
        case .array(let a): try c.encode(a)
        case .object(let o): try c.encode(o)
        }
    }

    /// Compact one-line text of a scalar or a short list; long lists are abbreviated.
    public var text: String {
        switch self {
        case .null: return "null"
        case .bool(let b): return String(b)
        case .int(let i): return String(i)
        case .double(let d): return Table.number(d, digits: 6)
        case .string(let s): return s
        case .array(let a):
            let items = a.count <= 8 ? a.map(\.text)
                : a.prefix(3).map(\.text) + ["...", a[a.count - 1].text]
            return "[" + items.joined(separator: ", ") + "]" + (a.count > 8 ? " (\(a.count))" : "")
        case .object(let o):
            return "{" + o.keys.sorted().map { "\($0): \(o[$0]!.text)" }.joined(separator: ", ") + "}"
        }
    }

    /// Flattens nested objects into (dotted name, value text) pairs, sorted by name.
    /// Lists of scalars stay one entry; lists of objects are indexed ("layers.0.width").
    public func flattened(prefix: String = "") -> [(name: String, value: String)] {
        func join(_ key: String) -> String { prefix.isEmpty ? key : prefix + "." + key }
        switch self {
        case .object(let o):
            return o.keys.sorted().flatMap { o[$0]!.flattened(prefix: join($0)) }
        case .array(let a) where a.contains(where: { if case .object = $0 { true } else { false } }):
            return a.indices.flatMap { a[$0].flattened(prefix: join(String($0))) }
        default:
            return [(prefix.isEmpty ? "value" : prefix, text)]
        }
    }
}
