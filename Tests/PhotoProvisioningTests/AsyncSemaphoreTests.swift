import Synchronization
import Testing

@testable import PhotoProvisioning

/// Shared counters for the tasks under test; the Mutex makes it safe to share.
private final class Counters: Sendable {
    private let state = Mutex((current: 0, peak: 0))
    func withLock<T>(_ body: (inout (current: Int, peak: Int)) -> T) -> T { state.withLock { body(&$0) } }
}

@Suite struct AsyncSemaphoreTests {
    @Test func neverLetsMoreThanTheLimitIn() async {
        let semaphore = AsyncSemaphore(limit: 3)
        let counters = Counters()
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<40 {
                group.addTask {
                    await semaphore.withPermit {
                        counters.withLock { $0.current += 1; $0.peak = max($0.peak, $0.current) }
                        try? await Task.sleep(for: .milliseconds(2))
                        counters.withLock { $0.current -= 1 }
                    }
                }
            }
        }
        let peak = counters.withLock { $0.peak }
        #expect(peak == 3)
        #expect(counters.withLock { $0.current } == 0)
    }
}
