import Foundation
import TestSupport
import Testing

@testable import PhotoProvisioning

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// HTTPTransport itself against the emulator: keep-alive reuse and the answer's headers.
@Suite struct HTTPTransportTests {
    /// The client ports of every TCP connection to 127.0.0.1:`port` the kernel still knows, open or in TIME_WAIT
    /// (which outlives a closed connection by a minute), read from /proc/net/tcp; nil where that table does not show
    /// the emulator's listening socket (no /proc, another network namespace).
    private func clientPorts(of port: Int) -> Set<Int>? {
        // Read to the end: /proc files report a size of 0, which String(contentsOfFile:) takes at its word.
        guard let handle = FileHandle(forReadingAtPath: "/proc/net/tcp"), let data = try? handle.readToEnd() else {
            return nil
        }
        let table = String(decoding: data, as: UTF8.self)
        var ports: Set<Int> = []
        var listening = false
        for line in table.split(separator: "\n").dropFirst() {
            let fields = line.split(separator: " ")
            guard fields.count > 3 else { continue }
            let local = Int(fields[1].split(separator: ":")[1], radix: 16)
            let remote = Int(fields[2].split(separator: ":")[1], radix: 16)
            if fields[3] == "0A" {  // a listening socket
                listening = listening || local == port
            } else if local == port, let remote {
                ports.insert(remote)
            } else if remote == port, let local {
                ports.insert(local)
            }
        }
        return listening ? ports : nil
    }

    @Test func requestsReuseOneKeptAliveConnection() async throws {
        let emulator = try await Emulator.start()
        guard let port = emulator.baseURL.port, clientPorts(of: port) != nil else {
            print("SKIP: /proc/net/tcp is not readable here")
            return
        }
        let transport = HTTPTransport(timeout: 30, maxConnections: 4, trace: nil)
        let token = try await emulator.appToken()
        let photoURL = emulator.baseURL.absoluteString + "/v1.0/users/adele.vance@contoso.example/photo/$value"
        var upload = URLRequest(url: URL(string: photoURL)!)
        upload.httpMethod = "PUT"
        upload.httpBody = TestImage.jpeg(width: 96, height: 96)
        upload.setValue("image/jpeg", forHTTPHeaderField: "Content-Type")
        upload.setValue("Bearer " + token, forHTTPHeaderField: "Authorization")
        var download = URLRequest(url: upload.url!)
        download.setValue("Bearer " + token, forHTTPHeaderField: "Authorization")
        let before = clientPorts(of: port) ?? []  // the harness's own token request
        var etags: [String] = []
        for _ in 0..<10 {
            #expect(try await transport.send(upload).status == 200)
            let photo = try await transport.send(download)
            #expect(photo.status == 200)
            #expect(photo.body.count > 0)
            etags.append(try #require(photo.header("ETag"), "the answer's headers are kept: \(photo.headers)"))
        }
        let made = (clientPorts(of: port) ?? []).subtracting(before)
        #expect(made.count == 1, "20 requests one after another, one connection: \(made.sorted())")
        #expect(Set(etags).count == 10, "Graph changes the ETag at every upload: \(etags)")
    }

    @Test(.timeLimit(.minutes(5))) func requestCancelledInFlightEndsAtOnce() async throws {
        // Every answer held back two minutes: the request is cancelled once the emulator has it, mid-exchange. A
        // cancel that did not end the exchange would get the emulator's 200 after those two minutes (or the
        // transport's timeout), never `.cancelled`, so the outcome proves it without timing it; the time limit
        // only ends a hang, and is wide because a full parallel run can keep this test's task off the machine's
        // two cooperative threads for a minute.
        let emulator = try await Emulator.start(["--slow-rate", "1", "--slow-ms", "120000"])
        let transport = HTTPTransport(timeout: 300, maxConnections: 4, trace: nil)
        let request = URLRequest(url: emulator.baseURL.appendingPathComponent("v1.0/users"))
        let attempt = Task { try await transport.send(request) }
        try await emulator.waitUntil(arrived: 1)
        attempt.cancel()
        let result = await attempt.result
        #expect(throws: URLError.self) { try result.get() }
        #expect((result.failure as? URLError)?.code == .cancelled, "\(result)")
    }
}

extension Result {
    fileprivate var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
