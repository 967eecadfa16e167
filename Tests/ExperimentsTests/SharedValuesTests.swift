import Foundation
import Testing
@testable import Experiments

/// `SharedValues`: a value is computed once per key, and callers racing on a key all get the
/// one that was stored first.
@Suite struct SharedValuesTests {
    @Test func computedOncePerKey() {
        let store = SharedValues<[Int], Int>()
        var calls = 0
        for _ in 0..<3 { #expect(store.value([1, 2]) { calls += 1; return 7 } == 7) }
        #expect(store.value([2, 1]) { calls += 1; return 8 } == 8)
        #expect(calls == 2)
    }

    @Test func racingCallersGetTheStoredValue() {
        let store = SharedValues<[Int], Int>()
        let seen = Locked([Int]())
        DispatchQueue.concurrentPerform(iterations: 64) { i in
            let v = store.value([0]) { i }
            seen.withLock { $0.append(v) }
        }
        let values = seen.withLock { $0 }
        #expect(values.count == 64 && Set(values).count == 1)
        #expect(store.value([0]) { -1 } == values[0])
    }
}
