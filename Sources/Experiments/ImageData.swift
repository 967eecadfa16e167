import Model
import Datasets
import Foundation
import Teleport
import Tensor

/// The image data an experiment trains and tests on (PROTOCOL.md, Result 2, and "Published
/// mode and corrected mode"): MNIST and Fashion-MNIST train on the published 50k/10k split of
/// their 60k training images, `random_split` with generator seed 1 (`PublishedStreams.split`;
/// the 10k held out are not used), in the split's order, which is the published training order
/// (a SequentialSampler visits the subset in split order); CIFAR-10 trains on all 50k in file
/// order. "Validation loss" is the loss on the official 10k test set. Both algorithms read the
/// data this way.
///
/// The JPEG copy of CIFAR-10 stands in for the official files when they are absent. Its files
/// are sorted by class, which is not CIFAR-10's file order (classes interleaved at random), and
/// sequential SGD over class-sorted data would be another experiment; so its 50k training
/// images are put in one fixed random order (`shuffledIndices(count: 50_000, seed: 1)`).
public struct ImageData: Sendable {
    public var dataset: DatasetName
    public var train: LabeledImages
    public var test: LabeledImages
    /// The Gram factors of the measurement batches by batch size and curve, shared by every
    /// copy of this data (the batches are the same for every model measured;
    /// `sharpnessAndCurvature`).
    private let measurementGrams = SharedValues<[Int], InputGram<Double>>()

    /// Loads `dataset` from the project's dataset folder (`$TELEPORT_DATA_DIR` or `Datasets/`),
    /// returning it with the checksums of its catalog files for provenance. Missing files are a
    /// `HarnessError.missingData` that points at `datasets fetch`.
    public static func load(_ dataset: DatasetName, splitSeed: UInt64 = 1) throws -> Prepared<ImageData> {
        let store = DataStore.fromEnvironment()
        let folder = store.folder(dataset)
        let entry = store.entry(dataset)
        for file in entry.allFiles {
            try requireData(folder.appendingPathComponent(file.name), dataset: dataset.rawValue)
        }
        let (fullTrain, test) = try Datasets.load(dataset, root: store.root)
        let train = switch dataset {
        case .mnist, .fashionMNIST:
            fullTrain.subset(PublishedStreams.split(count: fullTrain.count, seed: splitSeed).train)
        case .cifar10: fullTrain
        case .cifar10JPEG: fullTrain.shuffled(seed: Self.jpegOrderSeed)
        }
        var checksums: [String: String] = [:]
        for file in entry.allFiles { checksums["\(dataset.rawValue)/\(file.name)"] = file.checksum }
        return Prepared(ImageData(dataset: dataset, train: train, test: test), checksums: checksums)
    }

    /// Seed of the JPEG copy's fixed training order.
    public static let jpegOrderSeed: UInt64 = 1

    /// The datasets an image experiment offers: CIFAR-10 and its JPEG copy, of which
    /// `usable` keeps one.
    public static let experimentDatasets = DatasetName.allCases.map(\.rawValue)

    /// Whether every catalog file of `dataset` (decoded ones included) is present (CIFAR-10 is
    /// optional on machines without its archive).
    public static func isPresent(_ dataset: DatasetName) -> Bool {
        let store = DataStore.fromEnvironment()
        return store.entry(dataset).allFiles.allSatisfy {
            FileManager.default.fileExists(atPath: store.folder(dataset).appendingPathComponent($0.name).path)
        }
    }

    /// Whether the dataset named `name` (a `DatasetName` raw value) is present.
    public static func isPresent(named name: String) -> Bool {
        DatasetName(rawValue: name).map(isPresent) ?? false
    }

    /// Datasets an image experiment may run without: CIFAR-10 and its JPEG copy.
    public static let optional = [DatasetName.cifar10.rawValue, DatasetName.cifar10JPEG.rawValue]

    /// The check before any run (`Experiment.checkData`): every required dataset of `selected`
    /// (MNIST, Fashion-MNIST; with `explicit`, every one named) is present, and every dataset
    /// that will be used passes `DataStore.verify` (checksums: under a second each). Throws the
    /// first problem as one sentence with its fix.
    public static func checkData(_ selected: [String], explicit: Bool) throws {
        let store = DataStore.fromEnvironment()
        for name in selected where !isPresent(named: name) && (explicit || !optional.contains(name)) {
            guard let d = DatasetName(rawValue: name) else { continue }
            let missing = store.entry(d).allFiles.map { store.folder(d).appendingPathComponent($0.name) }
                .first { !FileManager.default.fileExists(atPath: $0.path) }
            throw HarnessError.missingData(dataset: name, path: (missing ?? store.folder(d)).path)
        }
        for name in usable(selected) {
            guard let d = DatasetName(rawValue: name) else { continue }
            if let bad = store.verify(d).first(where: { $0.error != nil })?.error { throw bad }
        }
    }

    /// The datasets of `selected` an experiment runs on here: those present, the JPEG copy of
    /// CIFAR-10 only when the official CIFAR-10 is not (or is not selected).
    public static func usable(_ selected: [String]) -> [String] { usable(selected, present: isPresent(named:)) }

    /// `usable(_:)` with `present` saying which datasets are present.
    static func usable(_ selected: [String], present: (String) -> Bool) -> [String] {
        let official = DatasetName.cifar10.rawValue
        let officialRuns = selected.contains(official) && present(official)
        return selected.filter { present($0) && !($0 == DatasetName.cifar10JPEG.rawValue && officialRuns) }
    }

    /// The datasets of `selected` that cannot run here. CIFAR-10 and its JPEG copy count as
    /// one: neither is listed when either runs, and only `cifar-10` when neither does.
    public static func unavailable(_ selected: [String]) -> [String] { unavailable(selected, present: isPresent(named:)) }

    /// `unavailable(_:)` with `present` saying which datasets are present.
    static func unavailable(_ selected: [String], present: (String) -> Bool) -> [String] {
        let ran = usable(selected, present: present)
        let cifar = [DatasetName.cifar10.rawValue, DatasetName.cifar10JPEG.rawValue]
        var missing = selected.filter { !ran.contains($0) }
        if cifar.contains(where: ran.contains) { missing.removeAll(where: cifar.contains) }
        if missing.contains(cifar[0]) { missing.removeAll { $0 == cifar[1] } }
        return missing
    }

    /// One verdict per dataset of `unavailable(selected)`: every claim on it is not run here.
    public static func unavailableVerdicts(_ selected: [String], result: String) -> [Verdict] {
        unavailable(selected).map { name in
            let reason = name == DatasetName.cifar10.rawValue
                ? "data unavailable (neither cifar-10 nor cifar-10-jpeg is fetched)" : "data unavailable"
            return Verdict.notRun(id: "\(result)/data-\(name)", "Every claim above, on \(DatasetName.label(of: name)).",
                                  because: reason)
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
    /// Loads every named dataset that is `usable` (absent ones, e.g. CIFAR-10 without its
    /// archive, are left out and reported by the experiment), with their checksums.
    public static func loadPresent(_ names: [String]) throws -> Prepared<[String: ImageData]> {
        var data: [String: ImageData] = [:]
        var checksums: [String: String] = [:]
        for name in usable(names) {
            guard let d = DatasetName(rawValue: name) else { continue }
            let loaded = try load(d)
            data[name] = loaded.shared
            checksums.merge(loaded.checksums) { a, _ in a }
        }
        return Prepared(data, checksums: checksums)
    }

    /// phi and psi of W (PROTOCOL.md) on `draws` random training batches of `batchSize`, with
    /// correlation.py's measurement draws (`PublishedStreams.measurementDraws`: M and the
    /// directions of curve c from `manual_seed(12345 c)`). Every call uses the same batches
    /// (fixed seed), directions and M, so that differences between models (or before/after a
    /// teleport) are not sampling noise. phi is the mean perturbed loss divided by the batch
    /// size, psi the mean curvature (`orbitCurvature`, in double precision). The batches' Gram
    /// factors (`InputGram`) are computed by the first call and reused by the later ones: the
    /// same values, once per batch instead of once per model.
    public func sharpnessAndCurvature(_ W: [Matrix<Float>], radii: [Double], draws: Int,
                                      batchSize: Int) -> (phi: Double, psi: Double) {
        let shape = MLPShape([W[0].cols] + W.map(\.rows))
        let W64 = W.map { Matrix<Double>($0) }
        var batchRng = SeededGenerator(seed: 12345)
        var phiTotal = 0.0, psiTotal = 0.0, size = 0
        for curve in 0..<draws {
            let (X, labels) = randomTrainingBatch(size: batchSize, using: &batchRng)
            size = X.cols
            let M = PublishedStreams.measurementDraws(curve: curve, shape: shape, radii: radii, perturbing: W) {
                phiTotal += Double(lossValue($0, X, .classification(labels: labels)))
            }
            let X64 = Matrix<Double>(X)
            let gram = measurementGrams.value([batchSize, curve]) { InputGram(X64) }
            psiTotal += orbitCurvature(W64, input: X64, directions: M, gram: gram)
        }
        let n = Double(draws)
        return (phiTotal / (n * Double(radii.count)) / Double(size), psiTotal / n)
    }
}

/// What every image experiment shares: its data is the usable datasets, loaded once, and
/// checked (present and verified) before any run.
extension Experiment where Shared == [String: ImageData] {
    public func prepare(params: Params, datasets: [String]) throws -> Prepared<[String: ImageData]> {
        try ImageData.loadPresent(datasets)
    }

    public func checkData(_ datasets: [String], explicit: Bool) throws {
        try ImageData.checkData(datasets, explicit: explicit)
    }
}
