import Model
import Datasets
import Foundation
import Teleport
import Tensor

/// The image data an experiment trains and tests on (PROTOCOL.md, Result 2): MNIST and
/// Fashion-MNIST train on a fixed random 50k/10k split of their 60k training images (seed 1;
/// the 10k held out are not used), CIFAR-10 on all 50k; "validation loss" is the loss on the
/// official 10k test set. Samples stay in the split's ascending index order, which is the
/// "sequential" training order.
public struct ImageData: Sendable {
    public var dataset: DatasetName
    public var train: LabeledImages
    public var test: LabeledImages

    /// Loads `dataset` from the project's dataset folder (`$TELEPORT_DATA_DIR` or `Datasets/`),
    /// returning it with the checksums of its catalog files for provenance. Missing files are a
    /// `HarnessError.missingData` that points at `datasets fetch`.
    public static func load(_ dataset: DatasetName, splitSeed: UInt64 = 1) throws -> Prepared<ImageData> {
        let store = DataStore.fromEnvironment()
        let folder = store.folder(dataset)
        let entry = store.entry(dataset)
        for file in entry.files {
            try requireData(folder.appendingPathComponent(file.name), dataset: dataset.rawValue)
        }
        let (fullTrain, test) = try Datasets.load(dataset, root: store.root)
        let train = dataset == .cifar10 ? fullTrain : fullTrain.trainValidationSplit(seed: splitSeed).train
        var checksums: [String: String] = [:]
        for file in entry.files { checksums["\(dataset.rawValue)/\(file.name)"] = file.checksum }
        return Prepared(ImageData(dataset: dataset, train: train, test: test), checksums: checksums)
    }

    /// Whether every catalog file of `dataset` is present (CIFAR-10 is optional on machines
    /// without its archive).
    public static func isPresent(_ dataset: DatasetName) -> Bool {
        let store = DataStore.fromEnvironment()
        return store.entry(dataset).files.allSatisfy {
            FileManager.default.fileExists(atPath: store.folder(dataset).appendingPathComponent($0.name).path)
        }
    }

    /// Whether the dataset named `name` (a `DatasetName` raw value) is present.
    public static func isPresent(named name: String) -> Bool {
        DatasetName(rawValue: name).map(isPresent) ?? false
    }

    /// One verdict per dataset of `datasets` whose files are absent: every claim on it is not
    /// run here.
    public static func unavailableVerdicts(_ datasets: [String], result: String) -> [Verdict] {
        datasets.filter { !isPresent(named: $0) }.map {
            Verdict.notRun(id: "\(result)/data-\($0)", "Every claim above, on \($0).", because: "data unavailable")
        }
    }

    /// A random batch of `size` training samples in the paper's layout (features x batch),
    /// with its labels.
    public func randomTrainingBatch(size: Int, using rng: inout SeededGenerator) -> (X: Matrix<Float>, labels: [Int]) {
        var indices: [Int] = []
        indices.reserveCapacity(size)
        var seen = Set<Int>()
        while indices.count < min(size, train.count) {
            let i = rng.int(below: train.count)
            if seen.insert(i).inserted { indices.append(i) }
        }
        return (columnBatch(images: train.images, features: train.features, indices: indices),
                indices.map { train.labels[$0] })
    }
}

extension ImageData {
    /// Loads every named dataset whose files are present (absent ones, e.g. CIFAR-10 without
    /// its archive, are left out and reported by the experiment), with their checksums.
    public static func loadPresent(_ names: [String]) throws -> Prepared<[String: ImageData]> {
        var data: [String: ImageData] = [:]
        var checksums: [String: String] = [:]
        for name in names {
            guard let d = DatasetName(rawValue: name), isPresent(d) else { continue }
            let loaded = try load(d)
            data[name] = loaded.shared
            checksums.merge(loaded.checksums) { a, _ in a }
        }
        return Prepared(data, checksums: checksums)
    }

    /// phi and psi of W (PROTOCOL.md) on `draws` random training batches of `batchSize`, with
    /// fixed measurement seeds: every call uses the same batches, directions and M, so that
    /// differences between models (or before/after a teleport) are not sampling noise.
    public func sharpnessAndCurvature(_ W: [Matrix<Float>], radii: [Double], draws: Int,
                                      batchSize: Int) -> (phi: Double, psi: Double) {
        var batchRng = SeededGenerator(seed: 12345)
        let batches = (0..<draws).map { _ in randomTrainingBatch(size: batchSize, using: &batchRng) }
        var phiRng = SeededGenerator(seed: 23456)
        let phiValue = phi(W, radii: radii, batches: batches.count, using: &phiRng) { i in
            (batches[i].X, .classification(labels: batches[i].labels))
        }
        var psiRng = SeededGenerator(seed: 34567)
        let psiValue = psi(W.map { Matrix<Double>($0) }, draws: batches.count, using: &psiRng) { i in
            Matrix<Double>(batches[i].X)
        }
        return (phiValue, psiValue)
    }
}
