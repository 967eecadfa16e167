import Crypto
import Foundation

/// A streaming cryptographic hash: feed bytes with `update`, read the digest with `finalize`.
/// The hashes come from swift-crypto (apple/swift-crypto, product "Crypto"): `SHA256` and `SHA1`
/// below are thin wrappers that keep this module's interface for its callers.
public protocol StreamingHash {
    /// Name used in messages ("SHA-256", "SHA-1").
    static var name: String { get }
    init()
    /// Absorbs `bytes`.
    mutating func update(_ bytes: UnsafeRawBufferPointer)
    /// Finishes and returns the digest. The hasher must not be used afterwards.
    mutating func finalize() -> [UInt8]
}

extension StreamingHash {
    /// Absorbs the bytes of `data`.
    public mutating func update(_ data: Data) {
        data.withUnsafeBytes { update($0) }
    }

    /// Absorbs the bytes of `bytes`.
    public mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    /// The lowercase hexadecimal digest of `data`.
    public static func hex(_ data: Data) -> String {
        var h = Self()
        h.update(data)
        return hexString(h.finalize())
    }

    /// The lowercase hexadecimal digest of `bytes`.
    public static func hex(_ bytes: [UInt8]) -> String {
        var h = Self()
        h.update(bytes)
        return hexString(h.finalize())
    }
}

/// Lowercase hexadecimal spelling of `bytes`.
public func hexString(_ bytes: [UInt8]) -> String {
    let digits = Array("0123456789abcdef".utf8)
    var out = [UInt8]()
    out.reserveCapacity(bytes.count * 2)
    for b in bytes {
        out.append(digits[Int(b >> 4)])
        out.append(digits[Int(b & 15)])
    }
    return String(decoding: out, as: UTF8.self)
}

/// SHA-256 (FIPS 180-4), computed by swift-crypto's `Crypto.SHA256`.
///
/// `@unchecked`: swift-crypto 3.x does not mark its hashers `Sendable` (4.x does), but they are
/// copy-on-write values, safe to send like `Array`.
public struct SHA256: StreamingHash, @unchecked Sendable {
    public static let name = "SHA-256"
    private var hasher = Crypto.SHA256()

    public init() {}

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        hasher.update(data: bytes)
    }

    public mutating func finalize() -> [UInt8] {
        Array(hasher.finalize())
    }
}

/// SHA-1 (FIPS 180-4), computed by swift-crypto's `Insecure.SHA1`. Used only to check the
/// published CIFAR-10 member digests. `@unchecked Sendable` as for `SHA256`.
public struct SHA1: StreamingHash, @unchecked Sendable {
    public static let name = "SHA-1"
    private var hasher = Insecure.SHA1()

    public init() {}

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        hasher.update(data: bytes)
    }

    public mutating func finalize() -> [UInt8] {
        Array(hasher.finalize())
    }
}
