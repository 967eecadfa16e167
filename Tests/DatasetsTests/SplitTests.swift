import Datasets
import Testing

@Suite("Seeded train/validation split")
struct SplitTests {
    @Test func splitMixMatchesReference() {
        var g = SplitMix64(seed: 0)
        #expect(g.next() == 0xe220_a839_7b1d_cdaf)
        #expect(g.next() == 0x6e78_9e6a_a1b9_65f4)
        #expect(g.next() == 0x06c4_5d18_8009_454f)
    }

    @Test func uniformStaysInRange() {
        var g = SplitMix64(seed: 42)
        var seen = Set<UInt64>()
        for _ in 0..<2000 {
            let v = g.uniform(below: 7)
            #expect(v < 7)
            seen.insert(v)
        }
        #expect(seen.count == 7)
    }

    @Test func deterministicPartition() {
        let a = trainValidationIndices(count: 60_000, seed: 1, trainCount: 50_000)
        let b = trainValidationIndices(count: 60_000, seed: 1, trainCount: 50_000)
        let c = trainValidationIndices(count: 60_000, seed: 2, trainCount: 50_000)
        #expect(a.train == b.train && a.validation == b.validation)
        #expect(a.validation != c.validation)
        #expect(a.train.count == 50_000 && a.validation.count == 10_000)
        #expect(Set(a.train).isDisjoint(with: a.validation))
        #expect((a.train + a.validation).sorted() == Array(0..<60_000))
        #expect(a.train == a.train.sorted() && a.validation == a.validation.sorted())
    }

    @Test func edgeCases() {
        #expect(trainValidationIndices(count: 0, seed: 3, trainCount: 0) == ([], []))
        #expect(trainValidationIndices(count: 5, seed: 3, trainCount: 5).train == [0, 1, 2, 3, 4])
        #expect(trainValidationIndices(count: 5, seed: 3, trainCount: 0).validation == [0, 1, 2, 3, 4])
    }

    /// The split keeps each image with its label.
    @Test func splitKeepsRowsTogether() {
        let n = 100, f = 3
        let images = (0..<(n * f)).map { Float($0 / f) }  // row i is all i
        let labels = (0..<n).map { $0 % 10 }
        let set = LabeledImages(features: f, images: images, labels: labels)
        let (train, validation) = set.trainValidationSplit(seed: 9, trainCount: 80)
        #expect(train.count == 80 && validation.count == 20)
        for part in [train, validation] {
            for i in 0..<part.count {
                let row = Int(part.image(i).first!)
                #expect(part.image(i).allSatisfy { Int($0) == row })
                #expect(part.labels[i] == row % 10)
            }
        }
        let rows = (0..<80).map { Int(train.image($0).first!) } + (0..<20).map { Int(validation.image($0).first!) }
        #expect(rows.sorted() == Array(0..<n))
    }
}
