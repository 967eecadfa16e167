import Foundation

/// A streaming cryptographic hash: feed bytes with `update`, read the digest with `finalize`.
public protocol StreamingHash {
    /// Name used in messages ("SHA-256", "SHA-1").
    static var name: String { get }
    init()
    /// Absorbs `bytes`.
    mutating func update(_ bytes: UnsafeRawBufferPointer)
    /// Pads, finishes and returns the digest. The hasher must not be used afterwards.
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

/// Buffering shared by the two Merkle-Damgard hashes below (64-byte blocks, big-endian length).
private struct BlockBuffer {
    var bytes = [UInt8](repeating: 0, count: 64)
    var used = 0
    var total: UInt64 = 0

    /// Feeds `input`, calling `compress` on each complete 64-byte block.
    mutating func absorb(_ input: UnsafeRawBufferPointer,
                         _ compress: (UnsafeRawPointer) -> Void) {
        guard var p = input.baseAddress, input.count > 0 else { return }
        var n = input.count
        total &+= UInt64(n)
        if used > 0 {
            let take = min(64 - used, n)
            bytes.withUnsafeMutableBytes { dst in
                (dst.baseAddress! + used).copyMemory(from: p, byteCount: take)
            }
            used += take; p += take; n -= take
            if used == 64 {
                bytes.withUnsafeBytes { compress($0.baseAddress!) }
                used = 0
            }
        }
        while n >= 64 {
            compress(p)
            p += 64; n -= 64
        }
        if n > 0 {
            bytes.withUnsafeMutableBytes { dst in
                dst.baseAddress!.copyMemory(from: p, byteCount: n)
            }
            used = n
        }
    }

    /// Appends the padding (0x80, zeros, 64-bit big-endian bit length) and compresses.
    mutating func pad(_ compress: (UnsafeRawPointer) -> Void) {
        let bitLength = total &* 8
        var tail = [UInt8](repeating: 0, count: used < 56 ? 64 : 128)
        for i in 0..<used { tail[i] = bytes[i] }
        tail[used] = 0x80
        for i in 0..<8 { tail[tail.count - 1 - i] = UInt8(truncatingIfNeeded: bitLength >> (8 * UInt64(i))) }
        tail.withUnsafeBytes { t in
            compress(t.baseAddress!)
            if t.count == 128 { compress(t.baseAddress! + 64) }
        }
        used = 0
    }
}

@inline(__always) private func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 { (x &>> n) | (x &<< (32 &- n)) }
@inline(__always) private func rotl(_ x: UInt32, _ n: UInt32) -> UInt32 { (x &<< n) | (x &>> (32 &- n)) }
@inline(__always) private func loadBE(_ p: UnsafeRawPointer, _ i: Int) -> UInt32 {
    UInt32(bigEndian: p.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self))
}

private let sha256K: [UInt32] = [
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]

/// One SHA-256 round with the working variables renamed instead of shifted (unrolled by 8).
@inline(__always)
private func sha256Round(_ a: UInt32, _ b: UInt32, _ c: UInt32, _ d: inout UInt32,
                         _ e: UInt32, _ f: UInt32, _ g: UInt32, _ h: inout UInt32, _ kw: UInt32) {
    let t1 = h &+ (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) &+ (g ^ (e & (f ^ g))) &+ kw
    d = d &+ t1
    h = t1 &+ (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) &+ ((a & b) | (c & (a | b)))
}

/// SHA-256 (FIPS 180-4).
public struct SHA256: StreamingHash, Sendable {
    public static let name = "SHA-256"
    private var h: [UInt32] = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                               0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]
    private var buffer = BlockBuffer()

    public init() {}

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        var state = h
        state.withUnsafeMutableBufferPointer { s in
            sha256K.withUnsafeBufferPointer { k in
                withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 64) { w in
                    buffer.absorb(bytes) { SHA256.compress($0, s, k, w) }
                }
            }
        }
        h = state
    }

    public mutating func finalize() -> [UInt8] {
        var state = h
        state.withUnsafeMutableBufferPointer { s in
            sha256K.withUnsafeBufferPointer { k in
                withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 64) { w in
                    buffer.pad { SHA256.compress($0, s, k, w) }
                }
            }
        }
        h = state
        return state.flatMap { v in (0..<4).map { UInt8(truncatingIfNeeded: v >> (24 - 8 * UInt32($0))) } }
    }

    @inline(__always)
    private static func compress(_ p: UnsafeRawPointer, _ s: UnsafeMutableBufferPointer<UInt32>,
                                 _ k: UnsafeBufferPointer<UInt32>,
                                 _ w: UnsafeMutableBufferPointer<UInt32>) {
        for i in 0..<16 { w[i] = loadBE(p, i) }
        for i in 16..<64 {
            let a = w[i - 15], b = w[i - 2]
            let s0 = rotr(a, 7) ^ rotr(a, 18) ^ (a &>> 3)
            let s1 = rotr(b, 17) ^ rotr(b, 19) ^ (b &>> 10)
            w[i] = w[i - 16] &+ s0 &+ w[i - 7] &+ s1
        }
        var a = s[0], b = s[1], c = s[2], d = s[3], e = s[4], f = s[5], g = s[6], hh = s[7]
        var i = 0
        while i < 64 {
            sha256Round(a, b, c, &d, e, f, g, &hh, k[i] &+ w[i])
            sha256Round(hh, a, b, &c, d, e, f, &g, k[i + 1] &+ w[i + 1])
            sha256Round(g, hh, a, &b, c, d, e, &f, k[i + 2] &+ w[i + 2])
            sha256Round(f, g, hh, &a, b, c, d, &e, k[i + 3] &+ w[i + 3])
            sha256Round(e, f, g, &hh, a, b, c, &d, k[i + 4] &+ w[i + 4])
            sha256Round(d, e, f, &g, hh, a, b, &c, k[i + 5] &+ w[i + 5])
            sha256Round(c, d, e, &f, g, hh, a, &b, k[i + 6] &+ w[i + 6])
            sha256Round(b, c, d, &e, f, g, hh, &a, k[i + 7] &+ w[i + 7])
            i += 8
        }
        s[0] &+= a; s[1] &+= b; s[2] &+= c; s[3] &+= d
        s[4] &+= e; s[5] &+= f; s[6] &+= g; s[7] &+= hh
    }
}

/// SHA-1 (FIPS 180-4). Used only to check the published CIFAR-10 member digests.
public struct SHA1: StreamingHash, Sendable {
    public static let name = "SHA-1"
    private var h: [UInt32] = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0]
    private var buffer = BlockBuffer()

    public init() {}

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        var state = h
        state.withUnsafeMutableBufferPointer { s in
            withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 80) { w in
                buffer.absorb(bytes) { SHA1.compress($0, s, w) }
            }
        }
        h = state
    }

    public mutating func finalize() -> [UInt8] {
        var state = h
        state.withUnsafeMutableBufferPointer { s in
            withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 80) { w in
                buffer.pad { SHA1.compress($0, s, w) }
            }
        }
        h = state
        return state.flatMap { v in (0..<4).map { UInt8(truncatingIfNeeded: v >> (24 - 8 * UInt32($0))) } }
    }

    @inline(__always)
    private static func compress(_ p: UnsafeRawPointer, _ s: UnsafeMutableBufferPointer<UInt32>,
                                 _ w: UnsafeMutableBufferPointer<UInt32>) {
        for i in 0..<16 { w[i] = loadBE(p, i) }
        for i in 16..<80 { w[i] = rotl(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1) }
        var a = s[0], b = s[1], c = s[2], d = s[3], e = s[4]
        for i in 0..<80 {
            let f: UInt32, k: UInt32
            switch i {
            case 0..<20: f = (b & c) | (~b & d); k = 0x5a827999
            case 20..<40: f = b ^ c ^ d; k = 0x6ed9eba1
            case 40..<60: f = (b & c) | (b & d) | (c & d); k = 0x8f1bbcdc
            default: f = b ^ c ^ d; k = 0xca62c1d6
            }
            let t = rotl(a, 5) &+ f &+ e &+ k &+ w[i]
            e = d; d = c; c = rotl(b, 30); b = a; a = t
        }
        s[0] &+= a; s[1] &+= b; s[2] &+= c; s[3] &+= d; s[4] &+= e
    }
}
