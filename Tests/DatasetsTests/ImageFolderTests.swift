import CTurboJPEG
import Datasets
import Foundation
import Testing
import TestSupport

/// `ImageFolder`: `<split>/<class>/<image>` folders and tar archives of JPEG and PNG images.
@Suite("Image folders")
struct ImageFolderTests {
    typealias Shape = ImageFolder.Shape

    /// Interleaved 8-bit test pixels: a smooth pattern (no wrap-around up to 32x32x3 and seed 9),
    /// different per `seed`.
    static func pixels(_ shape: Shape, seed: Int) -> [UInt8] {
        var out = [UInt8]()
        for y in 0..<shape.height {
            for x in 0..<shape.width {
                for c in 0..<shape.channels {
                    out.append(UInt8(10 + seed * 5 + x * 2 + y * 2 + c * 30))
                }
            }
        }
        return out
    }

    /// The floats `ImageFolder` should produce for interleaved `bytes`: channel-major, / 255.
    static func channelMajor(_ bytes: [UInt8], _ shape: Shape) -> [Float] {
        let plane = shape.width * shape.height
        return (0..<shape.features).map { i in Float(bytes[(i % plane) * shape.channels + i / plane]) / 255 }
    }

    /// A folder `root/train/<class>/<name>` with PNG images of `shape`, one per (class, name, seed).
    static func writePNGs(_ root: URL, _ files: [(String, String, Int)], shape: Shape,
                          split: String = "train") throws {
        for (cls, name, seed) in files {
            try writeBytes(png(pixels(shape, seed: seed), shape),
                           to: root.appendingPathComponent("\(split)/\(cls)/\(name)"))
        }
    }

    @Test func pngFolderSortedClassesAndExactPixels() throws {
        let dir = try makeTemporaryFolder(); defer { cleanup(dir) }
        let shape = Shape(width: 4, height: 3, channels: 3)
        // Written out of order; read back by class name, then file name.
        try Self.writePNGs(dir, [("dog", "b.png", 1), ("cat", "z.png", 2), ("dog", "a.png", 3), ("bird", "x.PNG", 4)],
                           shape: shape)
        try writeBytes(Array("not an image".utf8), to: dir.appendingPathComponent("train/dog/README.txt"))
        try writeBytes([1, 2, 3], to: dir.appendingPathComponent("train/cat/.hidden.png"))
        try writeBytes([1], to: dir.appendingPathComponent("train/LICENSE"))
        let r = try ImageFolder.load(dir, split: "train")
        #expect(r.classes == ["bird", "cat", "dog"])
        #expect(r.files == ["bird/x.PNG", "cat/z.png", "dog/a.png", "dog/b.png"])
        #expect(r.images.labels == [0, 1, 2, 2] && r.images.classes == 3)
        #expect(r.shape == shape && r.images.features == 36)
        for (row, seed) in [4, 2, 3, 1].enumerated() {
            #expect(Array(r.images.image(row)) == Self.channelMajor(Self.pixels(shape, seed: seed), shape))
        }
        // Gray PNGs: one channel.
        let gray = Shape(width: 5, height: 2, channels: 1)
        try Self.writePNGs(dir, [("a", "1.png", 7)], shape: gray, split: "gray")
        let g = try ImageFolder.load(dir, split: "gray")
        #expect(g.shape == gray && Array(g.images.images) == Self.channelMajor(Self.pixels(gray, seed: 7), gray))
    }

    @Test func classOrderGivenByCaller() throws {
        let dir = try makeTemporaryFolder(); defer { cleanup(dir) }
        let shape = Shape(width: 2, height: 2, channels: 3)
        try Self.writePNGs(dir, [("cat", "1.png", 0), ("dog", "1.png", 1), ("bird", "1.png", 2)], shape: shape)
        let r = try ImageFolder.load(dir, split: "train", classes: ["dog", "cat", "bird", "frog"])
        #expect(r.classes == ["dog", "cat", "bird", "frog"])
        #expect(r.files == ["dog/1.png", "cat/1.png", "bird/1.png"])
        #expect(r.images.labels == [0, 1, 2] && r.images.classCounts == [1, 1, 1, 0])
        #expect(try ImageFolder.read(dir, split: "train", classes: ["dog", "cat", "bird", "frog"]) == r.images)
    }

    @Test func jpegWithinToleranceAndMixedWithPNG() throws {
        let dir = try makeTemporaryFolder(); defer { cleanup(dir) }
        let shape = Shape(width: 32, height: 32, channels: 3)
        let sources = (0..<3).map { Self.pixels(shape, seed: $0) }
        for (i, src) in sources.enumerated() {
            try writeBytes(try jpeg(src, shape), to: dir.appendingPathComponent("train/c\(i % 2)/\(i).jpg"))
        }
        try writeBytes(png(Self.pixels(shape, seed: 9), shape), to: dir.appendingPathComponent("train/c1/9.png"))
        let r = try ImageFolder.load(dir, split: "train")
        #expect(r.files == ["c0/0.jpg", "c0/2.jpg", "c1/1.jpg", "c1/9.png"])
        #expect(r.images.labels == [0, 0, 1, 1] && r.images.features == 3072)
        for (row, seed) in [0, 2, 1].enumerated() {
            let expected = Self.channelMajor(sources[seed], shape)
            let worst = zip(r.images.image(row), expected).map { abs($0 - $1) }.max()!
            #expect(worst <= 6 / 255, "row \(row): max error \(worst * 255)/255")
        }
        #expect(Array(r.images.image(3)) == Self.channelMajor(Self.pixels(shape, seed: 9), shape))
        // Deterministic: the same bytes decode to the same floats.
        #expect(try ImageFolder.read(dir, split: "train") == r.images)
    }

    @Test func tarAndTarGzMatchTheFolder() throws {
        let dir = try makeTemporaryFolder(); defer { cleanup(dir) }
        let shape = Shape(width: 8, height: 8, channels: 3)
        var members: [(String, [UInt8])] = [("./", []), ("./test/", []), ("./test/b/", [])]
        var folderFiles: [(String, String, Int)] = []
        for (i, (cls, name)) in [("b", "2.jpg"), ("a", "1.png"), ("b", "1.jpg"), ("a", "0.jpg")].enumerated() {
            let px = Self.pixels(shape, seed: i)
            let bytes = name.hasSuffix(".png") ? png(px, shape) : try jpeg(px, shape)
            try writeBytes(bytes, to: dir.appendingPathComponent("folder/test/\(cls)/\(name)"))
            members.append(("./test/\(cls)/\(name)", bytes))
            folderFiles.append((cls, name, i))
        }
        members.append(("./train/a/0.png", png(Self.pixels(shape, seed: 5), shape)))
        let folder = try ImageFolder.load(dir.appendingPathComponent("folder"), split: "test")
        let tarURL = dir.appendingPathComponent("data.tar"), gzURL = dir.appendingPathComponent("data.tar.gz")
        try writeBytes(tar(members), to: tarURL)
        try Gzip.write(tar(members), to: gzURL)
        for url in [tarURL, gzURL] {
            let r = try ImageFolder.load(url, split: "test")
            #expect(r.files == ["a/0.jpg", "a/1.png", "b/1.jpg", "b/2.jpg"])
            #expect(r.classes == folder.classes && r.images == folder.images && r.files == folder.files)
            let train = try ImageFolder.load(url, split: "train/")
            #expect(train.files == ["a/0.png"] && train.classes == ["a"])
        }
    }

    @Test func errorsNameTheFile() throws {
        let dir = try makeTemporaryFolder(); defer { cleanup(dir) }
        let shape = Shape(width: 16, height: 16, channels: 3)
        let good = try jpeg(Self.pixels(shape, seed: 0), shape)

        /// A folder `case/train/a/ok.jpg` plus `case/train/<bad>` with `bytes`; the error of reading it.
        func failure(_ label: String, _ bad: String, _ bytes: [UInt8],
                     classes: [String]? = nil) throws -> (String, DatasetError?) {
            let root = dir.appendingPathComponent(label)
            try writeBytes(good, to: root.appendingPathComponent("train/a/ok.jpg"))
            let path = root.appendingPathComponent("train/\(bad)").path
            try writeBytes(bytes, to: URL(fileURLWithPath: path))
            return (path, datasetError { _ = try ImageFolder.read(root, split: "train", classes: classes) })
        }
        var corrupt = good
        for i in 2..<40 { corrupt[i] = 0x5a }
        let pngBytes = png(Self.pixels(shape, seed: 1), shape)
        let cases: [(String, String, [UInt8], [String]?, String)] = [
            ("corrupt", "a/bad.jpg", corrupt, nil, "JPEG"),
            ("truncated", "a/cut.jpg", Array(good.prefix(good.count / 2)), nil, "JPEG"),
            ("truncatedPNG", "a/cut.png", Array(pngBytes.prefix(pngBytes.count - 30)), nil, "PNG"),
            ("notImage", "a/text.png", Array("hello".utf8), nil, "not a JPEG or PNG"),
            ("empty", "a/empty.jpg", [], nil, "empty"),
            ("wrongSize", "a/small.jpg", try jpeg(Self.pixels(Shape(width: 16, height: 8, channels: 3), seed: 0),
                                                  Shape(width: 16, height: 8, channels: 3)), nil, "16x8x3"),
            ("wrongChannels", "a/zgray.png", png([UInt8](repeating: 9, count: 256), Shape(width: 16, height: 16, channels: 1)),
             nil, "16x16x1"),
            ("unknownClass", "zebra/z.jpg", good, ["a", "b"], "class 'zebra'"),
            ("nested", "a/deeper/x.jpg", good, nil, "nested"),
        ]
        for (label, bad, bytes, classes, fragment) in cases {
            let (path, error) = try failure(label, bad, bytes, classes: classes)
            #expect(error?.caseName == "badImage", "\(label): \(String(describing: error))")
            let text = error?.description ?? ""
            // A nested image is reported by its folder.
            let named = label == "nested" ? (path as NSString).deletingLastPathComponent : path
            #expect(text.hasPrefix(named + ":"), "\(label): \(text)")
            #expect(text.contains(fragment), "\(label): \(text)")
        }
        // In an archive the message names the archive and the member.
        let tarURL = dir.appendingPathComponent("bad.tar.gz")
        try Gzip.write(tar([("train/a/ok.jpg", good), ("train/a/bad.jpg", corrupt)]), to: tarURL)
        let archived = datasetError { _ = try ImageFolder.read(tarURL, split: "train") }
        #expect(archived?.description.contains("\(tarURL.path):train/a/bad.jpg") == true)
        // Empty split, missing split, missing source.
        let emptySplit = dir.appendingPathComponent("none/train/a")
        try FileManager.default.createDirectory(at: emptySplit, withIntermediateDirectories: true)
        let empty = datasetError { _ = try ImageFolder.read(dir.appendingPathComponent("none"), split: "train") }
        #expect(empty?.caseName == "badImage" && empty?.description.contains("none/train") == true)
        #expect(empty?.description.contains("no images") == true)
        let noSplit = datasetError { _ = try ImageFolder.read(tarURL, split: "test") }
        #expect(noSplit?.caseName == "badImage" && noSplit?.description.contains("\(tarURL.path):test/") == true)
        let missing = datasetError { _ = try ImageFolder.read(dir.appendingPathComponent("nowhere"), split: "train") }
        #expect(missing?.caseName == "missingFile")
        // A shape given by the caller is enforced.
        let root = dir.appendingPathComponent("shape")
        try writeBytes(good, to: root.appendingPathComponent("train/a/ok.jpg"))
        let wrong = datasetError {
            _ = try ImageFolder.read(root, split: "train", shape: Shape(width: 32, height: 32, channels: 3))
        }
        #expect(wrong?.description.hasPrefix(root.appendingPathComponent("train/a/ok.jpg").path) == true)
        #expect(wrong?.description.contains("the requested shape is 32x32x3") == true)
    }

    /// The offline JPEG re-encoding of CIFAR-10, both splits: layout, counts, and the per-channel
    /// means of its README (4 decimals).
    @Test(.requires(Prerequisite(FileManager.default.fileExists(atPath: cifarJPEG.path),
                                 missing: "no \(cifarJPEG.path)")))
    func realCIFAR10JPEG() throws {
        let names = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]
        for (split, count, means) in [("test", 1000, [0.4941, 0.4851, 0.4504]), ("train", 5000, [0.4913, 0.4821, 0.4465])] {
            let start = Date()
            let r = try ImageFolder.load(cifarJPEG, split: split)
            print("CIFAR-10 JPEG \(split) split: \(String(format: "%.2f", Date().timeIntervalSince(start))) s")
            #expect(r.classes == names)
            #expect(r.shape == Shape(width: 32, height: 32, channels: 3) && r.images.count == 10 * count)
            #expect(r.images.classCounts == [Int](repeating: count, count: 10))
            #expect(r.files.first == "airplane/0000.jpg" && r.files.last == "truck/" + String(format: "%04d", count - 1) + ".jpg")
            var sums = [Double](repeating: 0, count: 3)
            r.images.images.withUnsafeBufferPointer { p in
                for i in 0..<r.images.count {
                    for c in 0..<3 {
                        let base = i * 3072 + c * 1024
                        var s: Float = 0
                        for j in 0..<1024 { s += p[base + j] }
                        sums[c] += Double(s)
                    }
                }
            }
            let found = sums.map { $0 / Double(r.images.count * 1024) }
            #expect(zip(found, means).allSatisfy { abs($0 - $1) <= 0.00005 + 1e-6 }, "\(split) means \(found)")
        }
    }
}

let cifarJPEG = TestPaths.datasetMirror.appendingPathComponent("cifar-10-jpeg/cifar-10-images-jpeg.tar.gz")

/// Interleaved `pixels` of `shape` as a JPEG (TurboJPEG, quality 95, no chroma subsampling).
func jpeg(_ pixels: [UInt8], _ shape: ImageFolder.Shape) throws -> [UInt8] {
    let handle = try #require(tjInitCompress())
    defer { tjDestroy(handle) }
    var buffer: UnsafeMutablePointer<UInt8>?
    var size: UInt = 0
    let format = Int32((shape.channels == 1 ? TJPF_GRAY : TJPF_RGB).rawValue)
    let sampling = Int32((shape.channels == 1 ? TJSAMP_GRAY : TJSAMP_444).rawValue)
    let rc = tjCompress2(handle, pixels, Int32(shape.width), 0, Int32(shape.height), format,
                         &buffer, &size, sampling, 95, 0)
    defer { tjFree(buffer) }
    try #require(rc == 0 && buffer != nil)
    return Array(UnsafeBufferPointer(start: buffer, count: Int(size)))
}

/// Interleaved 8-bit gray or RGB `pixels` as a PNG, built by hand (stored deflate blocks).
func png(_ pixels: [UInt8], _ shape: ImageFolder.Shape) -> [UInt8] {
    func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let body = Array(type.utf8) + data
        return be32(data.count) + body + be32(Int(crc32(body)))
    }
    let row = shape.width * shape.channels
    var raw = [UInt8]()
    for y in 0..<shape.height { raw.append(0); raw += pixels[(y * row)..<((y + 1) * row)] }
    var zlib: [UInt8] = [0x78, 0x01]
    var offset = 0
    repeat {
        let n = min(65535, raw.count - offset)
        let final: UInt8 = offset + n == raw.count ? 1 : 0
        zlib += [final, UInt8(n & 0xff), UInt8(n >> 8), UInt8(~n & 0xff), UInt8((~n >> 8) & 0xff)]
        zlib += raw[offset..<(offset + n)]
        offset += n
    } while offset < raw.count
    var a: UInt32 = 1, b: UInt32 = 0
    for byte in raw { a = (a + UInt32(byte)) % 65521; b = (b + a) % 65521 }
    zlib += be32(Int(b << 16 | a))
    let header = be32(shape.width) + be32(shape.height) + [8, shape.channels == 1 ? 0 : 2, 0, 0, 0]
    return [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] + chunk("IHDR", header) + chunk("IDAT", zlib)
        + chunk("IEND", [])
}

/// CRC-32 (PNG's, ISO-HDLC).
func crc32(_ bytes: [UInt8]) -> UInt32 {
    var c: UInt32 = 0xffff_ffff
    for byte in bytes {
        c ^= UInt32(byte)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xedb8_8320 ^ (c >> 1) : c >> 1 }
    }
    return ~c
}

/// A ustar archive of `(name, data)` members; names ending in "/" become directories.
func tar(_ members: [(String, [UInt8])]) -> [UInt8] {
    func field(_ text: String, _ width: Int) -> [UInt8] {
        let bytes = Array(text.utf8)
        return bytes + [UInt8](repeating: 0, count: width - bytes.count)
    }
    func octal(_ v: Int, _ width: Int) -> [UInt8] {
        let s = String(v, radix: 8)
        return field(String(repeating: "0", count: width - 1 - s.count) + s, width)
    }
    var out = [UInt8]()
    for (name, data) in members {
        let dir = name.hasSuffix("/")
        var h = field(name, 100) + octal(dir ? 0o755 : 0o644, 8) + octal(0, 8) + octal(0, 8)
            + octal(data.count, 12) + octal(0, 12) + [UInt8](repeating: 0x20, count: 8)
            + [UInt8(ascii: dir ? "5" : "0")] + field("", 100) + field("ustar", 6) + Array("00".utf8)
        h += [UInt8](repeating: 0, count: 512 - h.count)
        let sum = h.reduce(0) { $0 + Int($1) }
        h.replaceSubrange(148..<156, with: octal(sum, 7) + [0x20])
        out += h + data + [UInt8](repeating: 0, count: (512 - data.count % 512) % 512)
    }
    return out + [UInt8](repeating: 0, count: 1024)
}
