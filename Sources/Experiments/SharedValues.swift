/// Values computed on first use and kept, by key, for parallel runs to share (the measurement
/// batches' Gram factors, phi's direction norms). A value depends on its key only, so when two
/// runs compute one at once they get the same value, and the first stored is kept.
final class SharedValues<Key: Hashable, Value>: Sendable {
    private let values = Locked([Key: Value]())

    /// The value of `key`, from `compute` (outside the lock) if it is not there yet.
    func value(_ key: Key, compute: () -> Value) -> Value {
        if let known = values.withLock({ $0[key] }) { return known }
        let computed = compute()
        return values.withLock { stored in
            if let known = stored[key] { return known }
            stored[key] = computed
            return computed
        }
    }
}
