// scripts/bench-transport: photo PUTs per second and client CPU per request against scripts/graph-emulator, through
// photoprov's HTTPTransport (libcurl on Linux) and through URLSession configured as HTTPTransport configures it on
// macOS, alternating in one process so both see the same machine. Prints figures; asserts nothing.
import Foundation
import PhotoGraph
import TestSupport

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

let arguments = CommandLine.arguments.dropFirst()
func option(_ name: String, _ fallback: Int) -> Int {
    guard let index = arguments.firstIndex(of: name), index + 1 < arguments.endIndex else { return fallback }
    return Int(arguments[index + 1]) ?? fallback
}
let requests = option("--requests", 400)
let concurrency = option("--concurrency", 8)
let rounds = option("--rounds", 5)
let bytes = option("--bytes", 50_000)

/// A body the emulator accepts as a JPEG (it reads only the SOF0 header), padded to `size` bytes.
func photo(size: Int) -> Data {
    var data: [UInt8] = [0xFF, 0xD8, 0xFF, 0xC0, 0x00, 0x11, 0x08, 0x02, 0x00, 0x02, 0x00, 0x03]
    data += [0x01, 0x22, 0x00, 0x02, 0x11, 0x01, 0x03, 0x11, 0x01]
    data += [UInt8](repeating: 0, count: max(0, size - data.count - 2)) + [0xFF, 0xD9]
    return Data(data)
}

/// Seconds of CPU this process has used (user + system).
func cpuSeconds() -> Double {
    var usage = rusage()
    #if os(Linux)
        getrusage(RUSAGE_SELF.rawValue, &usage)
    #else
        getrusage(RUSAGE_SELF, &usage)
    #endif
    func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
    return seconds(usage.ru_utime) + seconds(usage.ru_stime)
}

/// `requests` PUTs, `concurrency` at a time, each through `send` (which returns the HTTP status).
func measure(_ send: @escaping @Sendable (URLRequest) async throws -> Int, _ request: URLRequest) async throws
    -> (perSecond: Double, cpuMs: Double)
{
    let started = Date()
    let cpu = cpuSeconds()
    try await withThrowingTaskGroup(of: Int.self) { group in
        var next = 0
        func add() {
            next += 1
            group.addTask { try await send(request) }
        }
        for _ in 0..<min(concurrency, requests) { add() }
        while let status = try await group.next() {
            guard status == 200 else { throw Emulator.Failure(description: "PUT answered \(status)") }
            if next < requests { add() }
        }
    }
    let wall = Date().timeIntervalSince(started)
    return (Double(requests) / wall, (cpuSeconds() - cpu) * 1000 / Double(requests))
}

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    let middle = sorted.count / 2
    return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

let emulator = try await Emulator.start()
let photoURL = emulator.baseURL.absoluteString + "/v1.0/users/adele.vance@contoso.example/photo/$value"
var request = URLRequest(url: URL(string: photoURL)!)
request.httpMethod = "PUT"
request.httpBody = photo(size: bytes)
request.setValue("image/jpeg", forHTTPHeaderField: "Content-Type")
request.setValue("Bearer " + (try await emulator.appToken()), forHTTPHeaderField: "Authorization")

let transport = HTTPTransport(timeout: 60, maxConnections: concurrency, trace: nil)
let configuration = URLSessionConfiguration.ephemeral
configuration.timeoutIntervalForRequest = 60
configuration.httpMaximumConnectionsPerHost = concurrency
configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
configuration.urlCache = nil
configuration.httpCookieStorage = nil
let session = URLSession(configuration: configuration)

let engines: [(name: String, send: @Sendable (URLRequest) async throws -> Int)] = [
    ("HTTPTransport", { try await transport.send($0).status }),
    ("URLSession", { ((try await session.data(for: $0)).1 as? HTTPURLResponse)?.statusCode ?? 0 }),
]
let load =
    (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").prefix(3)
    .joined(separator: " ") ?? "?"
print("transport benchmark: \(requests) PUTs of \(bytes) bytes, \(concurrency) in flight, \(rounds) rounds")
print("load before: \(load)")
_ = try await measure(engines[0].send, request)  // warm-up: connections, token, page cache
_ = try await measure(engines[1].send, request)
var results: [String: [(perSecond: Double, cpuMs: Double)]] = [:]
for round in 0..<rounds {
    // Alternate which goes first, so neither always meets the machine's quieter or busier moment.
    for engine in round % 2 == 0 ? engines : engines.reversed() {
        let result = try await measure(engine.send, request)
        results[engine.name, default: []].append(result)
        let name = engine.name.padding(toLength: 13, withPad: " ", startingAt: 0)
        let figures = String(format: "%7.1f PUT/s  %.2f ms CPU per PUT", result.perSecond, result.cpuMs)
        print("  round \(round + 1) \(name)\(figures)")
    }
}
let curl = results["HTTPTransport"]!, foundation = results["URLSession"]!
let rate = (median(curl.map(\.perSecond)), median(foundation.map(\.perSecond)))
let cpu = (median(curl.map(\.cpuMs)), median(foundation.map(\.cpuMs)))
print(String(format: "median: HTTPTransport %.1f PUT/s, %.2f ms CPU/PUT", rate.0, cpu.0))
print(String(format: "median: URLSession    %.1f PUT/s, %.2f ms CPU/PUT", rate.1, cpu.1))
print(
    String(
        format: "ratio HTTPTransport/URLSession: throughput %.2f, CPU per PUT %.2f", rate.0 / rate.1,
        cpu.0 / cpu.1))
let after =
    (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").prefix(3)
    .joined(separator: " ") ?? "?"
print("load after: \(after)")
emulator.stop()
