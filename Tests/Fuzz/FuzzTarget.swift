// libFuzzer targets for the dataset readers (scripts/fuzz.sh builds one binary per target,
// compiling this file with the reader sources and -D FUZZ_<TARGET>). Each target feeds the
// fuzzer's bytes to one reader; every input must end in a value or a thrown DatasetError,
// never a crash, a hang or a memory error (AddressSanitizer).
import Foundation

/// A scratch file per process for the readers that take a path.
let scratch: URL = {
    let dir = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("fuzz-\(getpid())")
    try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return dir
}()

func withFile(_ bytes: [UInt8], name: String, _ body: (URL) throws -> Void) {
    let url = scratch.appendingPathComponent(name)
    FileManager.default.createFile(atPath: url.path, contents: Data(bytes))
    _ = try? body(url)
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = [UInt8](UnsafeBufferPointer(start: data, count: size))
    #if FUZZ_IDX
    _ = try? IDX.parseImages(bytes, path: "input")
    _ = try? IDX.parseLabels(bytes, path: "input")
    #elseif FUZZ_CIFAR
    _ = try? CIFAR.parseBatch(bytes, path: "input")
    #elseif FUZZ_GZIP
    withFile(bytes, name: "input.gz") { _ = try Gzip.contents(of: $0, gzipped: true) }
    #elseif FUZZ_TAR
    withFile(bytes, name: "input.tar") { url in
        try Tar.forEachFile(archive: url, gzipped: false) { _, _, read in try read { _ in } }
    }
    #elseif FUZZ_IMAGEFOLDER
    // The first byte chooses: the rest as one image (JPEG or PNG by its magic bytes) in a
    // folder, or as a tar archive of <split>/<class>/<image>.
    guard let mode = bytes.first else { return 0 }
    let rest = Array(bytes.dropFirst())
    if mode & 1 == 0 {
        let dir = scratch.appendingPathComponent("folder/train/a")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: dir.appendingPathComponent(mode & 2 == 0 ? "x.jpg" : "x.png").path,
                                       contents: Data(rest))
        _ = try? ImageFolder.load(scratch.appendingPathComponent("folder"), split: "train")
    } else {
        withFile(rest, name: "input.tar") { _ = try ImageFolder.load($0, split: "train") }
    }
    #endif
    return 0
}
