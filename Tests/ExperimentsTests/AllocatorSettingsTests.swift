#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import Experiments

/// `keepFreedMemory` takes effect: glibc accepts both settings, and afterwards two 12 MB
/// blocks allocated, written and freed 20 times fault their pages in once, not on every round.
/// (In a fresh process glibc's adaptive defaults map them anew each round; in this test
/// process earlier large frees may already have raised its thresholds, so the return value is
/// the part that fails when the settings are not applied.)
@Suite struct AllocatorSettingsTests {
    @Test func freedBlocksKeepTheirPages() throws {
        #if canImport(Glibc)
        #expect(keepFreedMemory())
        let bytes = 12 << 20, blocks = 2, rounds = 20
        func minorFaultsOfThisThread() -> Int {
            var usage = rusage()
            getrusage(.init(1), &usage)  // RUSAGE_THREAD (Linux), which the Glibc module does not name
            return usage.ru_minflt
        }
        let before = minorFaultsOfThisThread()
        for _ in 0..<rounds {
            let block = (0..<blocks).map { _ in UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 16) }
            for p in block { p.initializeMemory(as: UInt8.self, repeating: 1, count: bytes) }
            for p in block { p.deallocate() }
        }
        let faults = minorFaultsOfThisThread() - before
        let everyRound = rounds * blocks * bytes / 4096
        #expect(faults < everyRound / 4, "\(faults) page faults; faulting every round would be \(everyRound)")
        #endif
    }
}
