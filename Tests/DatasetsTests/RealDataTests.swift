import Datasets
import Foundation
import Testing
import TestSupport

/// The real MNIST and Fashion-MNIST files of the offline mirror, read in place.
@Suite("Real MNIST and Fashion-MNIST")
struct RealDataTests {

    @Test(.requires(mirrorCopy(.mnist)))
    func mnistFacts() throws {
        let start = Date()
        let (train, test) = try load(.mnist, root: dataSource(.mnist)!)
        let seconds = Date().timeIntervalSince(start)
        print("MNIST train+test load: \(String(format: "%.3f", seconds)) s")
        #expect(train.count == 60_000 && test.count == 10_000)
        #expect(train.features == 784 && test.features == 784 && train.classes == 10)
        #expect(train.images.count == 60_000 * 784)
        #expect(Array(train.labels.prefix(10)) == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4])
        #expect(Array(test.labels.prefix(10)) == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9])
        #expect(train.classCounts == [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949])
        #expect(test.classCounts == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009])
        // First training image: first non-zero pixels at 152, 153 (3/255, 18/255); byte sum 27525.
        let first = train.image(0)
        #expect(first[first.startIndex + 151] == 0)
        #expect(first[first.startIndex + 152] == Float(3) / 255)
        #expect(first[first.startIndex + 153] == Float(18) / 255)
        #expect(abs(first.reduce(0, +) * 255 - 27525) < 0.05)
        #expect(train.images.min() == 0 && train.images.max() == 1)
        // Byte sum of all training pixels.
        #expect(train.images.reduce(0) { $0 + Int(($1 * 255).rounded()) } == 1_567_298_545)
    }

    @Test(.requires(mirrorCopy(.fashionMNIST)))
    func fashionFacts() throws {
        let (train, test) = try load(.fashionMNIST, root: dataSource(.fashionMNIST)!)
        #expect(train.count == 60_000 && test.count == 10_000 && train.features == 784)
        #expect(Array(train.labels.prefix(10)) == [9, 0, 0, 3, 0, 2, 7, 2, 5, 5])
        #expect(Array(test.labels.prefix(10)) == [9, 2, 1, 1, 6, 1, 4, 6, 5, 7])
        #expect(train.classCounts == [Int](repeating: 6000, count: 10))
        #expect(test.classCounts == [Int](repeating: 1000, count: 10))
        let first = train.image(0)
        #expect(first[first.startIndex + 96] == Float(1) / 255)
        #expect(first[first.startIndex + 100] == Float(73) / 255)
        #expect(abs(first.reduce(0, +) * 255 - 76247) < 0.05)
        #expect(DatasetName.fashionMNIST.classNames[train.labels[0]] == "Ankle boot")
    }

    /// Every mirror file has the catalog's SHA-256 and size (of the decompressed bytes).
    @Test(.requires(mirrorCopy(.mnist), mirrorCopy(.fashionMNIST)),
          arguments: [DatasetName.mnist, .fashionMNIST])
    func mirrorChecksums(_ name: DatasetName) throws {
        let dir = dataSource(name)!.appendingPathComponent(name.rawValue)
        for file in Catalog.entry(name).files {
            let start = Date()
            let (hex, size) = try DataStore.digest(of: dir.appendingPathComponent(file.name), gzipped: true,
                                                   algorithm: .sha256)
            if file.name.hasPrefix("train-images") {
                print("\(name) \(file.name) decompress + SHA-256: \(String(format: "%.3f", Date().timeIntervalSince(start))) s")
            }
            #expect(hex == file.checksum, "\(file.name)")
            #expect(size == file.size, "\(file.name)")
        }
    }

    /// The 50k/10k split of the real training set is a partition with sensible class balance.
    @Test(.requires(mirrorCopy(.mnist)))
    func mnistSplit() throws {
        let (train, _) = try load(.mnist, root: dataSource(.mnist)!)
        let (a, v) = train.trainValidationSplit(seed: 0, trainCount: 50_000)
        #expect(a.count == 50_000 && v.count == 10_000)
        #expect(zip(a.classCounts, v.classCounts).map { $0 + $1 } == train.classCounts)
        #expect(v.classCounts.allSatisfy { $0 > 800 && $0 < 1300 })
    }
}
