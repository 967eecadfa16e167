import Foundation

/// Everything that can go wrong while obtaining, verifying or reading a dataset. Each message
/// names the file, the problem and what to do about it.
public enum DatasetError: Error, CustomStringConvertible, Equatable {
    /// A file the operation needs does not exist.
    case missingFile(path: String, fix: String)
    /// The file ends early (a cut-off download or copy).
    case truncated(path: String, detail: String)
    /// The gzip stream is damaged (zlib reported an error).
    case corruptGzip(path: String, detail: String)
    /// An IDX file starts with the wrong magic number.
    case wrongMagic(path: String, expected: UInt32, found: UInt32)
    /// The file's length does not match its header or its record size.
    case wrongRecordSize(path: String, detail: String)
    /// A label is outside `0..<classes`.
    case labelOutOfRange(path: String, index: Int, label: Int, classes: Int)
    /// The decompressed bytes do not have the catalog's checksum (or size).
    case checksumMismatch(path: String, algorithm: String, expected: String, actual: String,
                          expectedSize: Int, actualSize: Int, fix: String)
    /// A tar archive is malformed or lacks a member.
    case badArchive(path: String, detail: String)
    /// `curl` is needed for a download but is not installed.
    case curlMissing(url: String)
    /// A download failed (HTTP error, timeout, no network).
    case downloadFailed(url: String, detail: String)
    /// No source could provide the dataset.
    case unavailable(dataset: String, tried: [String])
    /// The name is not in the catalog.
    case unknownDataset(String)
    /// An image-folder dataset has an unusable image (corrupt, truncated, wrong size), an
    /// unknown class, or no images at all; `detail` says which.
    case badImage(path: String, detail: String)
    /// A file-system operation failed.
    case io(path: String, detail: String)

    public var description: String {
        switch self {
        case let .missingFile(path, fix):
            return "\(path): file not found. \(fix)"
        case let .truncated(path, detail):
            return "\(path): file is truncated (\(detail)). Delete it and run `datasets fetch` again."
        case let .corruptGzip(path, detail):
            return "\(path): corrupt gzip data (\(detail)). Delete it and run `datasets fetch` again."
        case let .wrongMagic(path, expected, found):
            return "\(path): wrong magic number 0x\(hex32(found)), expected 0x\(hex32(expected)); "
                + "this is not the expected IDX file. Delete it and run `datasets fetch` again."
        case let .wrongRecordSize(path, detail):
            return "\(path): wrong size (\(detail)). Delete it and run `datasets fetch` again."
        case let .labelOutOfRange(path, index, label, classes):
            return "\(path): label \(label) of record \(index) is outside 0..<\(classes). "
                + "The file is damaged; delete it and run `datasets fetch` again."
        case let .checksumMismatch(path, algorithm, expected, actual, expectedSize, actualSize, fix):
            var text = "\(path): checksum mismatch: expected \(algorithm) \(expected)"
            if expectedSize != actualSize {
                text += " (\(expectedSize) bytes decompressed)"
            }
            text += ", got \(actual)"
            if expectedSize != actualSize { text += " (\(actualSize) bytes)" }
            return text + ". \(fix)"
        case let .badArchive(path, detail):
            return "\(path): bad tar archive (\(detail)). Delete it and fetch it again."
        case let .curlMissing(url):
            return "cannot download \(url): `curl` is not installed. Install it (apt-get install curl), "
                + "or put the files in a mirror folder and set TELEPORT_DATA_MIRROR."
        case let .downloadFailed(url, detail):
            return "download of \(url) failed: \(detail). Check the network, or put the files in a "
                + "mirror folder and set TELEPORT_DATA_MIRROR."
        case let .unavailable(dataset, tried):
            return "\(dataset): no source could provide it; tried: \(tried.joined(separator: "; ")). "
                + "Set TELEPORT_DATA_MIRROR to a folder holding \(dataset)/ or allow downloads."
        case let .unknownDataset(name):
            return "unknown dataset '\(name)'; known: "
                + DatasetName.allCases.map(\.rawValue).joined(separator: ", ") + ", all"
        case let .badImage(path, detail):
            return "\(path): \(detail)."
        case let .io(path, detail):
            return "\(path): \(detail)"
        }
    }
}

private func hex32(_ v: UInt32) -> String {
    let s = String(v, radix: 16)
    return String(repeating: "0", count: max(0, 8 - s.count)) + s
}
