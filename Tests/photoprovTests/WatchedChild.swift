import Foundation
import TestSupport
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A photoprov child whose output is watched as it arrives and whose exit is awaited, without polling or blocking
/// a thread of the cooperative pool.
final class WatchedChild: @unchecked Sendable {
    // @unchecked Sendable: `output`, `watchers`, `status` and `exitWaiter` are only touched under `lock`.
    let process = Process()
    private let lock = NSLock()
    private var output = Data()
    private var watchers: [(text: String, continuation: CheckedContinuation<Void, Never>)] = []
    private var status: Int32?
    private var exitWaiter: CheckedContinuation<Int32, Never>?

    init(_ arguments: [String], environment: [String: String]) throws {
        process.executableURL = PhotoprovProcess.binary
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        pipe.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            if data.isEmpty { handle.readabilityHandler = nil }
            self?.received(data)
        }
        process.terminationHandler = { [weak self] process in self?.exited(process.terminationStatus) }
        try process.run()
    }

    var text: String { lock.withLock { String(decoding: output, as: UTF8.self) } }

    /// Returns once the child's output contains `text`.
    func output(containing text: String) async {
        await withCheckedContinuation { continuation in
            let ready = lock.withLock { () -> Bool in
                if String(decoding: output, as: UTF8.self).contains(text) { return true }
                watchers.append((text, continuation))
                return false
            }
            if ready { continuation.resume() }
        }
    }

    /// The exit status, once the child has exited.
    func exitStatus() async -> Int32 {
        await withCheckedContinuation { continuation in
            let done = lock.withLock { () -> Int32? in
                if status == nil { exitWaiter = continuation }
                return status
            }
            if let done { continuation.resume(returning: done) }
        }
    }

    private func received(_ data: Data) {
        let ready = lock.withLock { () -> [CheckedContinuation<Void, Never>] in
            output.append(data)
            let text = String(decoding: output, as: UTF8.self)
            var ready: [CheckedContinuation<Void, Never>] = []
            watchers.removeAll { watcher in
                guard text.contains(watcher.text) else { return false }
                ready.append(watcher.continuation)
                return true
            }
            return ready
        }
        for continuation in ready { continuation.resume() }
    }

    private func exited(_ code: Int32) {
        let waiter = lock.withLock { () -> CheckedContinuation<Int32, Never>? in
            status = code
            defer { exitWaiter = nil }
            return exitWaiter
        }
        waiter?.resume(returning: code)
    }
}

extension Emulator {
    /// Returns once the emulator has seen `count` Graph requests of `method` (its `/_emulator/wait` hook).
    func waitFor(arrived count: Int, _ method: String) async throws {
        var components = URLComponents(
            url: baseURL.appendingPathComponent("_emulator/wait"), resolvingAgainstBaseURL: false)!
        components.queryItems = [
            URLQueryItem(name: "arrived", value: "\(count)"), URLQueryItem(name: "method", value: method),
            URLQueryItem(name: "timeout", value: "120"),
        ]
        var request = URLRequest(url: components.url!)
        request.timeoutInterval = 130
        let (_, response) = try await URLSession.shared.data(for: request)
        #expect((response as? HTTPURLResponse)?.statusCode == 200, "\(count) \(method) requests arrived")
    }
}
