import CPNG
import CTurboJPEG
import Foundation

/// A labelled image dataset stored as `<split>/<class>/<image>` (torchvision's `ImageFolder`
/// layout), in a folder or in a `.tar` / `.tar.gz` archive of that folder.
///
/// Images are `.jpg` / `.jpeg` (decoded by libjpeg-turbo with its default, deterministic integer
/// IDCT) or 8-bit gray / RGB `.png` (libpng); other files are ignored, as are hidden ones. Every
/// image must have the same width, height and channel count. Pixels become `Float(p) / 255`,
/// channel-major per image (all of channel 0 row by row, then channel 1, ...), as in CIFAR-10's
/// binary files. Samples are ordered by class, then by file name (torchvision's order), whatever
/// the order of the folder listing or the archive.
public enum ImageFolder {
    /// The size of every image of a dataset.
    public struct Shape: Hashable, Sendable, CustomStringConvertible {
        public var width: Int
        public var height: Int
        /// 1 (gray) or 3 (RGB).
        public var channels: Int
        public init(width: Int, height: Int, channels: Int) {
            self.width = width; self.height = height; self.channels = channels
        }
        /// Values per image: `channels * height * width`.
        public var features: Int { width * height * channels }
        public var description: String { "\(width)x\(height)x\(channels)" }
    }

    /// What `load` read: the samples, the class names (label `i` is `classes[i]`), the image
    /// shape and each sample's path relative to the split (`<class>/<image>`).
    public struct Contents: Sendable {
        public var images: LabeledImages
        public var classes: [String]
        public var shape: Shape
        public var files: [String]
    }

    /// Reads split `split` (a path inside `source`, e.g. `"train"`) of the folder or tar archive
    /// `source` (gzip-compressed or not, detected from its first bytes). `classes` fixes the label
    /// order (distinct names; a class folder not in it is an error); without it the class folders holding images
    /// are sorted by name. `shape`, when given, is required of every image; otherwise the first
    /// image read sets it. Problems are `DatasetError.badImage` naming the file (or the split
    /// when it has no images), `missingFile` when `source` does not exist.
    public static func load(_ source: URL, split: String, classes: [String]? = nil,
                            shape: Shape? = nil) throws -> Contents {
        let split = split.split(separator: "/").joined(separator: "/")
        var reader = Collector(classes: classes, shape: shape)
        let root = try collect(source, split: split, into: &reader)
        return try reader.finish(root: root)
    }

    /// Decodes every image of `split` into `reader`; returns how the split is named in errors.
    private static func collect(_ source: URL, split: String, into reader: inout Collector) throws -> String {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: source.path, isDirectory: &isDirectory) else {
            throw DatasetError.missingFile(path: source.path,
                                           fix: "Expected a folder or a .tar / .tar.gz of \(split)/<class>/<image>.")
        }
        let root: String
        if isDirectory.boolValue {
            root = source.appendingPathComponent(split).path
            try readFolder(URL(fileURLWithPath: root, isDirectory: true), into: &reader)
        } else {
            root = "\(source.path):\(split)/"
            try readArchive(source, split: split, into: &reader)
        }
        return root
    }

    /// `load(...).images`: the samples only.
    public static func read(_ source: URL, split: String, classes: [String]? = nil,
                            shape: Shape? = nil) throws -> LabeledImages {
        try load(source, split: split, classes: classes, shape: shape).images
    }

    /// Split `split` of `source` (as in `load`) as CIFAR-10 binary records: per image a label
    /// byte, then its pixel bytes channel-major, in the same order as `load`. This is the form
    /// the decoded cache of an image-folder dataset is kept in; `labels` are the records' labels.
    public static func records(_ source: URL, split: String, classes: [String]? = nil,
                               shape: Shape? = nil) throws -> (records: [UInt8], labels: [Int]) {
        let split = split.split(separator: "/").joined(separator: "/")
        var reader = Collector(classes: classes, shape: shape)
        let root = try collect(source, split: split, into: &reader)
        return try reader.finishRecords(root: root)
    }

    /// True for the file names read as images: `.jpg`, `.jpeg`, `.png`, any case, not hidden.
    static func isImageName(_ name: String) -> Bool {
        let lower = name.lowercased()
        return !name.hasPrefix(".") && [".jpg", ".jpeg", ".png"].contains { lower.hasSuffix($0) }
    }

    private static func readFolder(_ splitDir: URL, into reader: inout Collector) throws {
        let fm = FileManager.default
        func list(_ dir: URL) throws -> [String] {
            do { return try fm.contentsOfDirectory(atPath: dir.path).sorted() } catch {
                throw DatasetError.io(path: dir.path, detail: "cannot list the folder: \(error.localizedDescription)")
            }
        }
        func isDir(_ url: URL) -> Bool {
            var d: ObjCBool = false
            return fm.fileExists(atPath: url.path, isDirectory: &d) && d.boolValue
        }
        guard isDir(splitDir) else { return }  // no images: `finish` reports the empty split
        for className in try list(splitDir) where !className.hasPrefix(".") {
            let classDir = splitDir.appendingPathComponent(className)
            guard isDir(classDir) else { continue }  // files beside the class folders
            for name in try list(classDir) {
                let file = classDir.appendingPathComponent(name)
                if isDir(file) {
                    if !name.hasPrefix(".") { throw nested(file.path) }
                    continue
                }
                guard isImageName(name) else { continue }
                // Read with the project's POSIX reader, not Data(contentsOf:) (whose read of
                // an empty file leaks 4 KiB under LeakSanitizer: found by fuzzing).
                let bytes = try Gzip.contents(of: file, gzipped: false)
                try bytes.withUnsafeBytes {
                    try reader.add(className: className, name: name, path: file.path, bytes: $0)
                }
            }
        }
    }

    private static func readArchive(_ archive: URL, split: String, into reader: inout Collector) throws {
        let prefix = split.isEmpty ? [] : split.split(separator: "/").map(String.init)
        var buffer = [UInt8]()
        try Tar.forEachFile(archive: archive, gzipped: isGzip(archive)) { member, size, read in
            var parts = member.split(separator: "/").map(String.init)
            if parts.first == "." { parts.removeFirst() }
            guard parts.count > prefix.count, Array(parts[..<prefix.count]) == prefix else { return }
            let rest = parts[prefix.count...]
            guard let name = rest.last, isImageName(name), rest.count >= 2,
                  !rest.dropLast().contains(where: { $0.hasPrefix(".") }) else { return }
            let path = "\(archive.path):\(member)"
            guard rest.count == 2 else { throw nested(path) }
            buffer.removeAll(keepingCapacity: true)
            buffer.reserveCapacity(size)
            try read { buffer.append(contentsOf: $0) }
            try buffer.withUnsafeBytes {
                try reader.add(className: rest.first!, name: name, path: path, bytes: $0)
            }
        }
    }

    private static func nested(_ path: String) -> DatasetError {
        .badImage(path: path, detail: "is nested too deep; expected <split>/<class>/<image>")
    }

    /// True when `url` starts with the gzip magic bytes.
    private static func isGzip(_ url: URL) throws -> Bool {
        guard let h = FileHandle(forReadingAtPath: url.path) else {
            throw DatasetError.io(path: url.path, detail: "cannot open")
        }
        defer { try? h.close() }
        return (try? h.read(upToCount: 2)).map { [UInt8]($0) == [0x1f, 0x8b] } ?? false
    }
}

/// Decodes the images as they arrive and assembles the dataset in torchvision's order.
private struct Collector {
    let given: [String]?
    let index: [String: Int]
    var shape: ImageFolder.Shape?
    /// Where the shape came from (the caller, or the first image's path), for messages.
    var shapeSource: String
    /// Interleaved 8-bit pixels of every image, in arrival order.
    var pixels: [UInt8] = []
    var entries: [(className: String, name: String)] = []
    let decoder = Decoder()

    init(classes: [String]?, shape: ImageFolder.Shape?) {
        given = classes
        var index = [String: Int]()
        for (i, c) in (classes ?? []).enumerated() {
            precondition(index[c] == nil, "class '\(c)' is listed twice")
            index[c] = i
        }
        self.index = index
        self.shape = shape
        shapeSource = "the requested shape"
    }

    mutating func add(className: String, name: String, path: String, bytes: UnsafeRawBufferPointer) throws {
        if let given, index[className] == nil {
            throw DatasetError.badImage(path: path, detail: "class '\(className)' is not one of the given classes "
                                        + given.joined(separator: ", "))
        }
        let (found, data) = try decoder.decode(bytes, path: path)
        if let shape, found != shape {
            throw DatasetError.badImage(path: path, detail: "image is \(found) (width x height x channels), "
                                        + "but \(shapeSource) is \(shape)")
        }
        if shape == nil { shape = found; shapeSource = path }
        pixels += data
        entries.append((className, name))
    }

    /// The class names in label order, each sample's label and the sample order (by class,
    /// then by file name); `badImage(root)` when no image was found.
    private func sorted(root: String) throws -> (shape: ImageFolder.Shape, classes: [String], labels: [Int], order: [Int]) {
        guard let shape, !entries.isEmpty else {
            throw DatasetError.badImage(path: root, detail: "no images found; expected "
                                        + "<split>/<class>/<image> with .jpg, .jpeg or .png images")
        }
        let classes = given ?? Set(entries.map(\.className)).sorted()
        let label = given == nil ? Dictionary(uniqueKeysWithValues: classes.enumerated().map { ($1, $0) }) : index
        let order = entries.indices.sorted {
            let a = entries[$0], b = entries[$1]
            return (label[a.className]!, a.name) < (label[b.className]!, b.name)
        }
        return (shape, classes, order.map { label[entries[$0].className]! }, order)
    }

    /// Interleaved HWC bytes of image `i` -> channel-major values through `convert`, at `d`.
    private func writeChannelMajor<T>(_ i: Int, shape: ImageFolder.Shape, to d: UnsafeMutablePointer<T>,
                                      _ src: UnsafePointer<UInt8>, _ convert: (UInt8) -> T) {
        let f = shape.features, plane = shape.width * shape.height, c = shape.channels
        let s = src + i * f
        for p in 0..<plane {
            for ch in 0..<c { d[ch * plane + p] = convert(s[p * c + ch]) }
        }
    }

    /// The dataset as floats in [0, 1].
    func finish(root: String) throws -> ImageFolder.Contents {
        let (shape, classes, labels, order) = try sorted(root: root)
        let f = shape.features
        var images = [Float](repeating: 0, count: order.count * f)
        images.withUnsafeMutableBufferPointer { dst in
            pixels.withUnsafeBufferPointer { src in
                pixelTable.withUnsafeBufferPointer { table in
                    for (row, i) in order.enumerated() {
                        writeChannelMajor(i, shape: shape, to: dst.baseAddress! + row * f, src.baseAddress!) { table[Int($0)] }
                    }
                }
            }
        }
        return ImageFolder.Contents(
            images: LabeledImages(features: f, classes: classes.count, images: images, labels: labels),
            classes: classes, shape: shape,
            files: order.map { "\(entries[$0].className)/\(entries[$0].name)" })
    }

    /// The dataset as CIFAR-10 binary records (a label byte, then the channel-major pixel bytes).
    func finishRecords(root: String) throws -> (records: [UInt8], labels: [Int]) {
        let (shape, classes, labels, order) = try sorted(root: root)
        guard classes.count <= 256 else {
            throw DatasetError.badImage(path: root, detail: "\(classes.count) classes do not fit a label byte")
        }
        let f = shape.features, size = 1 + f
        var records = [UInt8](repeating: 0, count: order.count * size)
        records.withUnsafeMutableBufferPointer { dst in
            pixels.withUnsafeBufferPointer { src in
                for (row, i) in order.enumerated() {
                    let d = dst.baseAddress! + row * size
                    d[0] = UInt8(labels[row])
                    writeChannelMajor(i, shape: shape, to: d + 1, src.baseAddress!) { $0 }
                }
            }
        }
        return (records, labels)
    }
}

/// JPEG (TurboJPEG) and PNG (libpng) decoding to interleaved 8-bit gray or RGB.
private final class Decoder {
    private let jpeg: tjhandle?

    init() { jpeg = tjInitDecompress() }
    deinit { if let jpeg { tjDestroy(jpeg) } }

    /// The shape and interleaved pixels of the image in `bytes`, chosen by its magic bytes.
    func decode(_ bytes: UnsafeRawBufferPointer, path: String) throws -> (ImageFolder.Shape, [UInt8]) {
        if bytes.starts(with: [0xff, 0xd8]) { return try decodeJPEG(bytes, path: path) }
        if bytes.starts(with: [0x89, 0x50, 0x4e, 0x47]) { return try decodePNG(bytes, path: path) }
        throw DatasetError.badImage(path: path, detail: bytes.isEmpty ? "file is empty"
                                    : "not a JPEG or PNG image (unrecognised first bytes)")
    }

    /// The largest width or height accepted. A header is read before the pixels, so a damaged
    /// one could otherwise announce gigabytes (found by fuzzing: a JPEG of 27239 x 24880).
    static let maxSide = 8192

    private static func checkSize(_ shape: ImageFolder.Shape, path: String) throws {
        guard shape.width <= maxSide, shape.height <= maxSide else {
            throw DatasetError.badImage(path: path, detail: "header announces \(shape.width)x\(shape.height) pixels; "
                                        + "images larger than \(maxSide) on a side are not supported (a damaged file?)")
        }
    }

    private func decodeJPEG(_ bytes: UnsafeRawBufferPointer, path: String) throws -> (ImageFolder.Shape, [UInt8]) {
        guard let jpeg else { throw DatasetError.badImage(path: path, detail: "TurboJPEG could not be initialised") }
        let src = bytes.bindMemory(to: UInt8.self).baseAddress!, size = UInt(bytes.count)
        func failure() -> DatasetError {
            .badImage(path: path, detail: "corrupt or truncated JPEG (libjpeg-turbo: \(String(cString: tjGetErrorStr2(jpeg))))")
        }
        var w: Int32 = 0, h: Int32 = 0, subsampling: Int32 = 0, colorspace: Int32 = 0
        guard tjDecompressHeader3(jpeg, src, size, &w, &h, &subsampling, &colorspace) == 0 else { throw failure() }
        let gray = colorspace == Int32(TJCS_GRAY.rawValue)
        guard gray || colorspace == Int32(TJCS_YCbCr.rawValue) || colorspace == Int32(TJCS_RGB.rawValue) else {
            throw DatasetError.badImage(path: path, detail: "CMYK / YCCK JPEG; only gray and RGB images are supported")
        }
        let shape = ImageFolder.Shape(width: Int(w), height: Int(h), channels: gray ? 1 : 3)
        try Self.checkSize(shape, path: path)
        var out = [UInt8](repeating: 0, count: shape.features)
        let format = Int32((gray ? TJPF_GRAY : TJPF_RGB).rawValue)
        // Flags 0: the accurate integer IDCT and smooth upsampling (libjpeg-turbo's defaults);
        // a warning (e.g. premature end of data) also fails, so a cut-off file is an error.
        let rc = out.withUnsafeMutableBufferPointer { tjDecompress2(jpeg, src, size, $0.baseAddress, w, 0, h, format, 0) }
        guard rc == 0 else { throw failure() }
        return (shape, out)
    }

    private func decodePNG(_ bytes: UnsafeRawBufferPointer, path: String) throws -> (ImageFolder.Shape, [UInt8]) {
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        func failure() -> DatasetError {
            let message = withUnsafeBytes(of: image.message) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            png_image_free(&image)
            return .badImage(path: path, detail: "corrupt or truncated PNG (libpng: \(message))")
        }
        guard png_image_begin_read_from_memory(&image, bytes.baseAddress, bytes.count) != 0 else { throw failure() }
        if image.format & UInt32(PNG_FORMAT_FLAG_ALPHA | PNG_FORMAT_FLAG_LINEAR) != 0 {
            png_image_free(&image)
            throw DatasetError.badImage(path: path, detail: "PNG with alpha or 16-bit samples; only 8-bit gray and RGB are supported")
        }
        let color = image.format & UInt32(PNG_FORMAT_FLAG_COLOR) != 0
        image.format = color ? UInt32(PNG_FORMAT_FLAG_COLOR) : 0  // PNG_FORMAT_RGB / PNG_FORMAT_GRAY
        let shape = ImageFolder.Shape(width: Int(image.width), height: Int(image.height), channels: color ? 3 : 1)
        do { try Self.checkSize(shape, path: path) } catch { png_image_free(&image); throw error }
        var out = [UInt8](repeating: 0, count: shape.features)
        let ok = out.withUnsafeMutableBytes { png_image_finish_read(&image, nil, $0.baseAddress, 0, nil) }
        guard ok != 0 else { throw failure() }
        return (shape, out)
    }
}
