import Foundation

extension DatasetName {
    /// The class names, in label order.
    public var classNames: [String] {
        switch self {
        case .mnist: return (0..<10).map(String.init)
        case .fashionMNIST:
            return ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
        case .cifar10, .cifar10JPEG:
            return ["airplane", "automobile", "bird", "cat", "deer",
                    "dog", "frog", "horse", "ship", "truck"]
        }
    }
}

/// Loads `dataset` from `root/<name>/` (the layout `datasets fetch` writes): the official
/// training and test sets. CIFAR-10's training set is its five data batches in order; the
/// JPEG copy's is its decoded `train.bin`, ordered by class.
/// Files are parsed strictly (magic numbers, sizes, label ranges); checksums are the job of
/// `DataStore.verify` / `datasets verify`.
public func load(_ dataset: DatasetName, root: URL) throws -> (train: LabeledImages, test: LabeledImages) {
    let folder = root.appendingPathComponent(dataset.rawValue)
    switch dataset {
    case .mnist, .fashionMNIST:
        return (try loadIDXPair(folder, "train"), try loadIDXPair(folder, "t10k"))
    case .cifar10:
        let train = try CIFAR.trainBatches.map { try CIFAR.readBatch(folder.appendingPathComponent($0)) }
        let test = try CIFAR.readBatch(folder.appendingPathComponent(CIFAR.testBatch))
        return (LabeledImages.concatenated(train), test)
    case .cifar10JPEG:
        // The decoded files `datasets fetch` writes (CIFAR-10 records, by class then file name).
        let read = { (name: String) throws -> LabeledImages in
            let url = folder.appendingPathComponent(name)
            guard FileManager.default.fileExists(atPath: url.path) else {
                throw DatasetError.missingFile(path: url.path, fix: "Run `datasets fetch cifar-10-jpeg` first (it decodes the archive).")
            }
            return try CIFAR.readBatch(url)
        }
        return (try read("train.bin"), try read("test.bin"))
    }
}

/// Reads `<prefix>-images-idx3-ubyte.gz` and `<prefix>-labels-idx1-ubyte.gz` from `folder`.
private func loadIDXPair(_ folder: URL, _ prefix: String) throws -> LabeledImages {
    let imagesURL = folder.appendingPathComponent("\(prefix)-images-idx3-ubyte.gz")
    let labelsURL = folder.appendingPathComponent("\(prefix)-labels-idx1-ubyte.gz")
    for url in [imagesURL, labelsURL] where !FileManager.default.fileExists(atPath: url.path) {
        throw DatasetError.missingFile(
            path: url.path, fix: "Run `datasets fetch \(folder.lastPathComponent)` first.")
    }
    let images = try IDX.readImages(imagesURL)
    let labels = try IDX.readLabels(labelsURL)
    guard images.count == labels.count else {
        throw DatasetError.wrongRecordSize(
            path: labelsURL.path, detail: "\(labels.count) labels for \(images.count) images")
    }
    return LabeledImages(features: images.rows * images.cols, images: images.pixels, labels: labels)
}
