import Foundation

/// A set of labelled images: `count` samples, each a contiguous row of `features` Float32
/// values in [0, 1] (pixel / 255), stored sample-major in `images`; `labels[i]` is in
/// `0..<classes`.
///
/// MNIST-like images are 28x28 row-major (784 features); CIFAR-10 images keep the file's
/// channel-major layout: the 32x32 red plane, then green, then blue (3072 features).
public struct LabeledImages: Sendable, Equatable {
    /// Number of samples.
    public var count: Int { labels.count }
    /// Values per sample.
    public var features: Int
    /// Number of classes (10 for every dataset in the catalog).
    public var classes: Int
    /// `count * features` values, one row per sample.
    public var images: [Float]
    /// One label per sample.
    public var labels: [Int]

    /// Wraps `images` (sample-major, `labels.count * features` values) and `labels`.
    public init(features: Int, classes: Int = 10, images: [Float], labels: [Int]) {
        precondition(features > 0 && images.count == labels.count * features,
                     "images hold \(images.count) values, expected \(labels.count) x \(features)")
        self.features = features
        self.classes = classes
        self.images = images
        self.labels = labels
    }

    /// The values of sample `i`.
    public func image(_ i: Int) -> ArraySlice<Float> {
        images[(i * features)..<((i + 1) * features)]
    }

    /// The samples at `indices`, in that order (indices may repeat).
    public func subset<S: Sequence>(_ indices: S) -> LabeledImages where S.Element == Int {
        let idx = Array(indices)
        let f = features
        var out = [Float](repeating: 0, count: idx.count * f)
        out.withUnsafeMutableBufferPointer { dst in
            images.withUnsafeBufferPointer { src in
                for (row, i) in idx.enumerated() {
                    precondition(i >= 0 && i < labels.count, "index \(i) out of 0..<\(labels.count)")
                    (dst.baseAddress! + row * f).update(from: src.baseAddress! + i * f, count: f)
                }
            }
        }
        return LabeledImages(features: f, classes: classes, images: out, labels: idx.map { labels[$0] })
    }

    /// The first `n` samples (all of them when `n >= count`).
    public func prefix(_ n: Int) -> LabeledImages {
        let k = max(0, min(n, count))
        return LabeledImages(features: features, classes: classes,
                             images: Array(images[..<(k * features)]), labels: Array(labels[..<k]))
    }

    /// The samples of `parts` one after another (all must have the same `features`).
    public static func concatenated(_ parts: [LabeledImages]) -> LabeledImages {
        precondition(!parts.isEmpty, "nothing to concatenate")
        let f = parts[0].features
        precondition(parts.allSatisfy { $0.features == f }, "parts differ in features")
        var images = [Float]()
        images.reserveCapacity(parts.reduce(0) { $0 + $1.images.count })
        var labels = [Int]()
        for p in parts { images += p.images; labels += p.labels }
        return LabeledImages(features: f, classes: parts[0].classes, images: images, labels: labels)
    }

    /// Number of samples of each class.
    public var classCounts: [Int] {
        var c = [Int](repeating: 0, count: classes)
        for l in labels { c[l] += 1 }
        return c
    }
}

/// Pixel byte -> Float32 in [0, 1], exactly `Float(p) / 255`.
let pixelTable: [Float] = (0..<256).map { Float($0) / 255 }

/// Converts `n` pixel bytes starting at `src` into floats.
@inline(__always)
func convertPixels(_ src: UnsafePointer<UInt8>, _ n: Int) -> [Float] {
    [Float](unsafeUninitializedCapacity: n) { dst, initialised in
        pixelTable.withUnsafeBufferPointer { t in
            let tp = t.baseAddress!
            let d = dst.baseAddress!
            for i in 0..<n { d[i] = tp[Int(src[i])] }
        }
        initialised = n
    }
}
