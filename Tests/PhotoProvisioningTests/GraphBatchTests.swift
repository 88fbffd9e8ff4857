import Foundation
import PhotoProvisioningTestSupport
import TestSupport
import Testing

@testable import PhotoProvisioning

/// User lookups and dry-run target checks through `$batch`.
@Suite struct GraphBatchTests {
    private func client(_ emulator: Emulator) throws -> GraphClient {
        try GraphClient(settings: try emulator.settings(app: TestTenant.fullApp, secret: TestTenant.fullSecret))
    }

    @Test func resolvesByEveryKeyKind() async throws {
        let emulator = try await Emulator.start(seed: TestTenant.seed())
        let client = try client(emulator)
        let byUPN = try await client.resolveUsers(
            keys: [TestTenant.upn("ada"), TestTenant.upn("o'brien"), TestTenant.upn("nobody"), TestTenant.upn("ada")],
            by: .upn)
        #expect(byUPN.count == 3)
        guard case .found(let ada) = byUPN[TestTenant.upn("ada")] else {
            Issue.record("ada not found: \(String(describing: byUPN[TestTenant.upn("ada")]))")
            return
        }
        #expect(ada.userPrincipalName == TestTenant.upn("ada"))
        #expect(ada.employeeId == "E1")
        #expect(ada.accountEnabled == true)
        if case .found = byUPN[TestTenant.upn("o'brien")] {
        } else {
            Issue.record("o'brien: \(String(describing: byUPN[TestTenant.upn("o'brien")]))")
        }
        #expect(byUPN[TestTenant.upn("nobody")] == .notFound)

        let byEmployee = try await client.resolveUsers(keys: ["E1", "E9", "E404"], by: .employeeId)
        #expect(byEmployee["E1"] == .found(ada))
        guard case .ambiguous(let twins) = byEmployee["E9"] else {
            Issue.record("E9 should be ambiguous: \(String(describing: byEmployee["E9"]))")
            return
        }
        #expect(Set(twins.map(\.userPrincipalName)) == [TestTenant.upn("carol"), TestTenant.upn("dave")])
        #expect(byEmployee["E404"] == .notFound)

        let byMail = try await client.resolveUsers(keys: [TestTenant.upn("bob"), "ghost@elsewhere.example"], by: .mail)
        if case .found(let bob) = byMail[TestTenant.upn("bob")] {
            #expect(bob.mail == TestTenant.upn("bob"))
        } else {
            Issue.record("bob by mail: \(String(describing: byMail[TestTenant.upn("bob")]))")
        }
        #expect(byMail["ghost@elsewhere.example"] == .notFound)

        let byID = try await client.resolveUsers(keys: [ada.id, "00000000-0000-4000-8000-0000000000ff"], by: .id)
        #expect(byID[ada.id] == .found(ada))
        #expect(byID["00000000-0000-4000-8000-0000000000ff"] == .notFound)
    }

    @Test func manyKeysGoTwentyPerBatch() async throws {
        let emulator = try await Emulator.start(seed: TestTenant.seed())
        let trace = LineSink()
        let client = try GraphClient(
            settings: try emulator.settings(.clientSecret(Secret(TestTenant.fullSecret)), clientID: TestTenant.fullApp)
            {
                $0.trace = trace.handler
            })
        let keys =
            (0..<45).map { $0 % 3 == 0 ? TestTenant.upn("bob") + "\($0)" : "missing\($0)@\(TestTenant.domain)" } + [
                TestTenant.upn("bob")
            ]
        let result = try await client.resolveUsers(keys: keys, by: .upn)
        #expect(result.count == 46)
        #expect(result.values.filter { $0 == .notFound }.count == 45)
        #expect(
            trace.lines.filter { $0.hasPrefix("-> POST") && $0.contains("$batch") }.count == 3, "46 keys: 20 + 20 + 6")
    }

    @Test func lookupsNeedUserReadAll() async throws {
        let emulator = try await Emulator.start(seed: TestTenant.seed())
        let writer = try GraphClient(
            settings: try emulator.settings(app: TestTenant.writerApp, secret: TestTenant.writerSecret))
        let error = await #expect(throws: GraphError.self) {
            try await writer.resolveUsers(keys: ["E1"], by: .employeeId)
        }
        #expect(error?.kind == .blocked)
        #expect(error?.message.contains("User.Read.All") == true)
    }

    @Test func dryRunSeesExistenceStateAndPhotos() async throws {
        let emulator = try await Emulator.start(seed: TestTenant.seed())
        let client = try client(emulator)
        let bob = PhotoTarget.user(TestTenant.upn("bob"))
        #expect(await client.putPhoto(bob, jpeg: TestImage.jpeg(width: 64, height: 64)).succeeded)
        let targets: [PhotoTarget] = [
            .user(TestTenant.upn("ada")), bob, .user(TestTenant.upn("disabled")), .user(TestTenant.upn("nomail")),
            .user(TestTenant.upn("nobody")), PhotoTarget(.groups, TestTenant.groupID),
            PhotoTarget(.teams, TestTenant.teamID),
            PhotoTarget(.groups, "00000000-0000-4000-8000-0000000000aa"),
        ]
        let requestsBefore = try await emulator.requestCounts()
        let states = try await client.lookupTargets(targets)
        #expect(states.count == targets.count)
        #expect(
            states[targets[0]]
                == TargetState(
                    exists: true, id: states[targets[0]]?.id, name: TestTenant.upn("ada"), accountEnabled: true,
                    hasPhoto: false))
        #expect(states[bob]?.hasPhoto == true)
        #expect(states[targets[2]]?.accountEnabled == false)
        #expect(states[targets[3]]?.exists == true)
        #expect(states[targets[3]]?.hasPhoto == nil)
        #expect(states[targets[3]]?.problem == .noMailbox(targets[3]))
        #expect(states[targets[3]]?.problem?.failsUpload == true)
        #expect(states[targets[4]]?.exists == false)
        #expect(states[targets[5]]?.exists == true)
        #expect(states[targets[5]]?.name == "All Staff")
        #expect(states[targets[5]]?.hasPhoto == false)
        #expect(states[targets[6]]?.exists == true, "\(String(describing: states[targets[6]]))")
        #expect(states[targets[7]]?.exists == false)
        // Read-only: no upload happened during the lookup.
        #expect(try await emulator.user(TestTenant.upn("ada"))["uploads"] as? Int ?? 0 == 0)
        #expect(try await emulator.user(TestTenant.upn("bob"))["uploads"] as? Int == 1)
        let requestsAfter = try await emulator.requestCounts()
        #expect(
            requestsAfter["200", default: 0] - requestsBefore["200", default: 0] <= 2,
            "one $batch (16 sub-requests), plus at most a token")
    }

    @Test func readsAPhotoAndItsMetadataAndNoPhotoIsNotAFailure() async throws {
        let emulator = try await Emulator.start(seed: TestTenant.seed())
        let client = try client(emulator)
        let bob = PhotoTarget.user(TestTenant.upn("bob"))
        let jpeg = TestImage.jpeg(width: 64, height: 80)
        #expect(await client.putPhoto(bob, jpeg: jpeg).succeeded)
        let read = await client.readPhoto(bob)
        #expect(read.outcome.succeeded)
        let photo = try #require(read.photo)
        #expect(photo.bytes == jpeg)
        #expect(photo.contentType == "image/jpeg")
        let metadata = await client.photoMetadata(bob)
        #expect(metadata.outcome.succeeded)
        #expect(metadata.metadata?.width == 64 && metadata.metadata?.height == 80)
        #expect(metadata.metadata?.etag != nil && metadata.metadata?.etag == photo.etag)

        let ada = PhotoTarget.user(TestTenant.upn("ada"))
        let none = await client.readPhoto(ada)
        #expect(none.outcome.succeeded && none.photo == nil, "404 ImageNotFound means no photo")
        #expect(none.outcome.httpStatus == 404)
        let noMetadata = await client.photoMetadata(ada)
        #expect(noMetadata.outcome.succeeded && noMetadata.metadata == nil)
        let ghost = await client.readPhoto(.user(TestTenant.upn("nobody")))
        #expect(ghost.outcome.failure == .notFound)
    }

    @Test func photoTargetPathsEncodeSafely() {
        #expect(PhotoTarget.user("ada@contoso.com").photoValuePath == "/users/ada@contoso.com/photo/$value")
        #expect(
            PhotoTarget.user("guest_gmail.com#EXT#@contoso.onmicrosoft.com").objectPath
                == "/users/guest_gmail.com%23EXT%23@contoso.onmicrosoft.com")
        #expect(PhotoTarget.user("a+b/c?d%e@x.com").objectPath == "/users/a%2Bb%2Fc%3Fd%25e@x.com")
        #expect(PhotoTarget.user("o'brien@x.com").objectPath == "/users/o%27brien@x.com")
        #expect(PhotoTarget.user("$admin@x.com").objectPath == "/users('%24admin@x.com')")
        #expect(PhotoTarget(.teams, "abc").photoValuePath == "/teams/abc/photo/$value")
        #expect(PhotoTarget(.groups, "g1").photoPath == "/groups/g1/photo")
    }

    @Test func retryAfterParsing() {
        let now = Date(timeIntervalSince1970: 1_700_000_000)
        #expect(RetryPolicy.parseRetryAfter("7", now: now) == 7)
        #expect(RetryPolicy.parseRetryAfter(" 0 ", now: now) == 0)
        #expect(RetryPolicy.parseRetryAfter("Tue, 14 Nov 2023 22:13:30 GMT", now: now) == 10)
        #expect(RetryPolicy.parseRetryAfter("Tue, 14 Nov 2023 22:00:00 GMT", now: now) == 0, "a past date means now")
        #expect(RetryPolicy.parseRetryAfter("soon", now: now) == nil)
        #expect(RetryPolicy.parseRetryAfter(nil, now: now) == nil)
        var policy = RetryPolicy(maxAttempts: 6, base: 1, cap: 60)
        policy.jitter = { $0 }
        #expect((1...8).map { policy.delay(afterAttempt: $0, retryAfter: nil) } == [1, 2, 4, 8, 16, 32, 60, 60])
        #expect(policy.delay(afterAttempt: 3, retryAfter: 2.5) == 2.5)
        let random = RetryPolicy(maxAttempts: 6, base: 1, cap: 60)
        for attempt in 1...10 {
            let wait = random.delay(afterAttempt: attempt, retryAfter: nil)
            #expect(wait >= 0 && wait <= min(60, pow(2, Double(attempt - 1))))
        }
    }
}
