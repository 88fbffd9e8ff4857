import Foundation
import TestSupport
import Testing

@testable import PhotoProvisioning

/// Every sign-in mode against the emulator, and the messages of failed sign-ins.
@Suite struct GraphSignInTests {
    /// Signs in, uploads one photo to `upn`, and returns the identity and outcome.
    private func signInAndUpload(_ settings: GraphSettings, upn: String = "adele.vance@contoso.example") async throws
        -> (SignedInIdentity, GraphOutcome)
    {
        let client = try GraphClient(settings: settings)
        let identity = try await client.signIn()
        let outcome = await client.putPhoto(.user(upn), jpeg: TestImage.jpeg(width: 96, height: 96))
        return (identity, outcome)
    }

    @Test func clientSecretSignsInAndUploads() async throws {
        let emulator = try await Emulator.start()
        let (identity, outcome) = try await signInAndUpload(try emulator.settings())
        #expect(identity.claims?.roles.contains("ProfilePhoto.ReadWrite.All") == true)
        #expect(identity.claims?.isDelegated == false)
        #expect(outcome.succeeded, "\(outcome)")
        #expect(outcome.attempts == 1)
        #expect(outcome.requestID?.isEmpty == false)
        #expect(try await emulator.user("adele.vance@contoso.example")["uploads"] as? Int == 1)
    }

    @Test func wrongSecretNamesTheAADSTSCodeAndTheFix() async throws {
        let emulator = try await Emulator.start()
        let client = try GraphClient(settings: try emulator.settings(.clientSecret(Secret("not-the-secret"))))
        let error = await #expect(throws: GraphError.self) { try await client.signIn() }
        #expect(error?.kind == .signIn)
        #expect(error?.code == "AADSTS7000215")
        #expect(error?.description.contains("AADSTS7000215") == true)
        #expect(error?.description.contains("fix:") == true)
        #expect(error?.description.contains("not-the-secret") == false)
        // A per-item call after a failed sign-in is a classified outcome, not a crash or a throw.
        let outcome = await client.putPhoto(
            .user("adele.vance@contoso.example"), jpeg: TestImage.jpeg(width: 96, height: 96))
        #expect(outcome.failure == .signInFailed)
    }

    @Test func unknownTenantAndUnknownAppAreExplained() async throws {
        let emulator = try await Emulator.start()
        let tenant = try GraphClient(settings: try emulator.settings { $0.tenantID = "no-such-tenant.example" })
        let tenantError = await #expect(throws: GraphError.self) { try await tenant.signIn() }
        #expect(tenantError?.code == "AADSTS90002")
        #expect(tenantError?.message.contains("AZURE_TENANT_ID") == true)
        let app = try GraphClient(settings: try emulator.settings(clientID: "00000000-0000-4000-8000-00000000dead"))
        let appError = await #expect(throws: GraphError.self) { try await app.signIn() }
        #expect(appError?.code == "AADSTS700016")
        #expect(appError?.message.contains("AZURE_CLIENT_ID") == true)
    }

    @Test func certificateSignsAClientAssertion() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("photoprov-cert-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let certificate = try await Shell.makeCertificate(in: directory)
        let emulator = try await Emulator.start(seed: TestTenant.seed(certificatePEM: certificate.certificate))
        let notices = LineSink()
        let combined = try emulator.settings(
            .certificate(certificatePath: certificate.combined, keyPath: nil, password: nil),
            clientID: TestTenant.fullApp
        ) { $0.notice = notices.handler }
        let (identity, outcome) = try await signInAndUpload(combined, upn: TestTenant.upn("ada"))
        #expect(identity.mode == "certificate")
        #expect(outcome.succeeded, "\(outcome)")
        #expect(notices.lines.isEmpty, "a 0600 key file draws no warning: \(notices.lines)")

        // Separate certificate and key files work too; a second sign-in uses a fresh jti (the emulator refuses reuse).
        let split = try emulator.settings(
            .certificate(
                certificatePath: directory.appendingPathComponent("app-cert.pem").path,
                keyPath: certificate.key, password: nil), clientID: TestTenant.fullApp)
        let (_, second) = try await signInAndUpload(split, upn: TestTenant.upn("bob"))
        #expect(second.succeeded, "\(second)")
    }

    @Test func certificateProblemsAreClearAndWarnAboutReadableKeys() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("photoprov-cert-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let registered = try await Shell.makeCertificate(in: directory, name: "registered")
        let other = try await Shell.makeCertificate(in: directory, name: "other")
        let emulator = try await Emulator.start(seed: TestTenant.seed(certificatePEM: registered.certificate))

        // A certificate the app does not know: Entra's AADSTS code and the fix.
        _ = chmod(other.combined, 0o644)
        let notices = LineSink()
        let client = try GraphClient(
            settings: try emulator.settings(
                .certificate(certificatePath: other.combined, keyPath: nil, password: nil), clientID: TestTenant.fullApp
            ) { $0.notice = notices.handler })
        #expect(notices.text.contains("readable by everyone"), "\(notices.lines)")
        #expect(notices.text.contains("chmod 600"))
        let error = await #expect(throws: GraphError.self) { try await client.signIn() }
        #expect(error?.kind == .signIn)
        #expect(error?.code?.hasPrefix("AADSTS7000") == true, "\(String(describing: error))")
        #expect(error?.message.contains("fix:") == true)

        // A key that does not match the certificate is refused before any request.
        let mismatch = #expect(throws: GraphError.self) {
            try GraphClient(
                settings: try emulator.settings(
                    .certificate(
                        certificatePath: directory.appendingPathComponent("registered-cert.pem").path,
                        keyPath: other.key, password: nil)))
        }
        #expect(mismatch?.message.contains("does not match") == true)
        #expect(mismatch?.message.contains("PRIVATE KEY") == false)

        // An encrypted key opens with AZURE_CLIENT_CERTIFICATE_PASSWORD; without it the message says so (no prompt).
        let key = directory.appendingPathComponent("locked-key.pem").path
        let cert = directory.appendingPathComponent("locked-cert.pem").path
        try await Shell.run(
            "openssl",
            [
                "req", "-x509", "-newkey", "rsa:2048", "-keyout", key, "-out", cert, "-days", "1",
                "-subj", "/CN=locked", "-passout", "pass:correct horse",
            ])
        _ = chmod(key, 0o600)
        let locked = try await Emulator.start(
            seed: TestTenant.seed(certificatePEM: try String(contentsOfFile: cert, encoding: .utf8)))
        let unlocked = try GraphClient(
            settings: try locked.settings(
                .certificate(certificatePath: cert, keyPath: key, password: Secret("correct horse")),
                clientID: TestTenant.fullApp))
        #expect(try await unlocked.signIn().mode == "certificate")
        let noPassword = #expect(throws: GraphError.self) {
            try GraphClient(
                settings: try locked.settings(
                    .certificate(certificatePath: cert, keyPath: key, password: nil), clientID: TestTenant.fullApp))
        }
        #expect(noPassword?.message.contains("AZURE_CLIENT_CERTIFICATE_PASSWORD") == true)
    }

    @Test func federatedTokenFileSignsIn() async throws {
        let emulator = try await Emulator.start(seed: TestTenant.seed())
        let now = Int(Date().timeIntervalSince1970)
        let assertion = try await Shell.hs256JWT(
            claims: [
                "iss": TestTenant.federationIssuer, "sub": TestTenant.federationSubject,
                "aud": TestTenant.federationAudience, "nbf": now - 5, "iat": now - 5, "exp": now + 300,
                "jti": UUID().uuidString,
            ], key: TestTenant.federationKey)
        let file = emulator.directory.appendingPathComponent("federated-token")
        try (assertion + "\n").write(to: file, atomically: true, encoding: .utf8)
        let (identity, outcome) = try await signInAndUpload(
            try emulator.settings(.federatedTokenFile(file.path), clientID: TestTenant.fullApp),
            upn: TestTenant.upn("ada"))
        #expect(identity.mode == "federated")
        #expect(outcome.succeeded, "\(outcome)")
    }

    @Test func managedIdentityUsesIdentityEndpointOrIMDS() async throws {
        // The emulator's own endpoints: each answers 400 without its header (X-IDENTITY-HEADER, Metadata: true),
        // api-version and resource, and picks the identity by client_id, so a token for the expected identity
        // proves photoprov sent them.
        let emulator = try await Emulator.start()
        let appService = emulator.baseURL.appendingPathComponent("msi/token")
        let imds = emulator.baseURL.appendingPathComponent("metadata/identity/oauth2/token")
        for (name, endpoint) in [("app service", appService), ("imds", imds)] {
            for identity in [nil, Emulator.userAssignedIdentity] {
                let settings = try emulator.settings(.managedIdentity) {
                    if endpoint == appService {
                        $0.identityEndpoint = (endpoint, Secret(emulator.identityHeader))
                    } else {
                        $0.imdsURL = endpoint
                    }
                    $0.clientID = identity
                }
                let (signedIn, outcome) = try await signInAndUpload(settings)
                #expect(signedIn.mode == "managed-identity")
                #expect(signedIn.claims?.appID == identity ?? Emulator.systemAssignedIdentity, "\(name)")
                #expect(outcome.succeeded, "\(name): \(outcome)")
            }
        }

        // A wrong identity header and an unknown user-assigned identity are sign-in failures that say why.
        let wrong = try GraphClient(
            settings: try emulator.settings(.managedIdentity) {
                $0.identityEndpoint = (appService, Secret("wrong-header-value"))
            })
        let error = await #expect(throws: GraphError.self) { try await wrong.signIn() }
        #expect(error?.kind == .signIn)
        #expect(error?.message.contains("wrong-header-value") == false)
        let unknown = try GraphClient(
            settings: try emulator.settings(.managedIdentity) {
                $0.imdsURL = imds
                $0.clientID = "00000000-0000-4000-8000-00000000beef"
            })
        let notFound = await #expect(throws: GraphError.self) { try await unknown.signIn() }
        #expect(notFound?.message.contains("Identity not found") == true, "\(String(describing: notFound))")
    }

    @Test func preAcquiredTokenAndTokenCommand() async throws {
        let emulator = try await Emulator.start()
        let token = try await emulator.appToken()
        let (identity, outcome) = try await signInAndUpload(try emulator.settings(.accessToken(Secret(token))))
        #expect(identity.mode == "token")
        #expect(outcome.succeeded, "\(outcome)")

        let file = emulator.directory.appendingPathComponent("token.txt")
        try token.write(to: file, atomically: true, encoding: .utf8)
        let (commandIdentity, commandOutcome) = try await signInAndUpload(
            try emulator.settings(.tokenCommand("cat '\(file.path)'")))
        #expect(commandIdentity.mode == "token-command")
        #expect(commandOutcome.succeeded, "\(commandOutcome)")

        let failing = try GraphClient(settings: try emulator.settings(.tokenCommand("echo no login >&2; exit 3")))
        let error = await #expect(throws: GraphError.self) { try await failing.signIn() }
        #expect(error?.kind == .signIn)
        #expect(error?.message.contains("status 3") == true)
        #expect(error?.message.contains("no login") == true)
    }

    @Test func rejectedPreAcquiredTokenIsUnauthorizedAfterOneAttempt() async throws {
        let emulator = try await Emulator.start()
        let client = try GraphClient(settings: try emulator.settings(.accessToken(Secret("eyJhbGciOi.not.valid"))))
        let outcome = await client.putPhoto(
            .user("adele.vance@contoso.example"), jpeg: TestImage.jpeg(width: 96, height: 96))
        #expect(outcome.failure == .unauthorized)
        #expect(outcome.httpStatus == 401)
        #expect(outcome.attempts == 1)
        #expect(outcome.graphCode == "InvalidAuthenticationToken")
    }

    @Test func deviceCodeAutoApprovedAndManuallyApproved() async throws {
        let emulator = try await Emulator.start(["--approve-device-codes", "people.admin@contoso.example"])
        let notices = LineSink()
        let clock = RecordingClock(scale: 1)
        let settings = try emulator.settings(.deviceCode, clock: clock) { $0.notice = notices.handler }
        let (identity, outcome) = try await signInAndUpload(settings)
        #expect(identity.claims?.isDelegated == true)
        #expect(identity.claims?.userPrincipalName == "people.admin@contoso.example")
        #expect(identity.claims?.wids.contains(DirectoryRole.peopleAdministrator) == true)
        #expect(outcome.succeeded, "\(outcome)")
        #expect(notices.text.contains("https://microsoft.com/devicelogin"))
        #expect(notices.text.contains("enter the code"))
        #expect(clock.sleeps.first == 1, "polls after the interval the endpoint gave: \(clock.sleeps)")

        // Without auto-approval: the code printed is the one that gets approved.
        let manual = try await Emulator.start()
        let prompts = LineSink()
        let client = try GraphClient(
            settings: try manual.settings(.deviceCode, clock: SystemClock()) {
                $0.notice = prompts.handler
            })
        async let signedIn = client.signIn()
        // The prompt is the event: approve the code it shows as soon as it is printed.
        let userCode = String(await prompts.firstMatch(#"code [A-Z0-9]+"#).dropFirst(5))
        try await manual.approveDeviceCode(userCode, as: "user.admin@contoso.example")
        let manualIdentity = try await signedIn
        #expect(manualIdentity.claims?.userPrincipalName == "user.admin@contoso.example")
    }

    @Test func declinedDeviceCodeIsASignInFailure() async throws {
        let emulator = try await Emulator.start()
        let prompts = LineSink()
        let client = try GraphClient(
            settings: try emulator.settings(.deviceCode, clock: SystemClock()) {
                $0.notice = prompts.handler
            })
        async let signedIn: SignedInIdentity = client.signIn()
        let userCode = String(await prompts.firstMatch(#"code [A-Z0-9]+"#).dropFirst(5))
        try await emulator.approveDeviceCode(userCode, as: "adele.vance@contoso.example", deny: true)
        var failure: GraphError?
        do { _ = try await signedIn } catch { failure = error as? GraphError }
        #expect(failure?.kind == .signIn)
        #expect(failure?.message.contains("declined") == true, "\(String(describing: failure))")
    }

    @Test func tokenExpiringMidRunIsRenewed() async throws {
        // The client's settable clock passes the token's expiry between two rounds of uploads (the emulator's own
        // hour-long lifetime runs in real time, so however slow the machine, the emulator never refuses the token).
        // The second round renews once, shared by every upload waiting for it, and no upload fails or meets a 401.
        // (A token the emulator itself rejects is renewed too: a401RenewsTheTokenOnceAndSucceeds.)
        let emulator = try await Emulator.start(["--token-lifetime", "3600"])
        let clock = ManualClock()
        let client = try GraphClient(settings: try emulator.settings(clock: clock))
        try await client.signIn()
        func round() async -> [GraphOutcome] {
            await client.putPhotosAtOnce(4, users: ["adele.vance", "alex.wilber", "megan.bowen", "people.admin"])
        }
        let before = await round()
        #expect(before.allSatisfy { $0.succeeded }, "\(before)")
        #expect(await client.tokenAcquisitions == 1)
        clock.advance(3600)
        let after = await round()
        #expect(after.allSatisfy { $0.succeeded }, "\(after)")
        #expect(after.allSatisfy { $0.attempts == 1 }, "renewed before sending, not after a refusal: \(after)")
        #expect(await client.tokenAcquisitions == 2, "one renewal for the whole round")
        #expect(try await emulator.requestCounts()["401"] == nil)
    }

    @Test func renewsBeforeExpiryByTheClock() async throws {
        // A settable clock and a token command: the token is replaced when its renewal time (5 minutes before the
        // token's own `exp`) passes, with no 401. The clock is set from that `exp`, so however long the machine
        // takes between issuing the token and using it, one second either side of the renewal time decides.
        let emulator = try await Emulator.start(["--token-lifetime", "3600"])
        let file = emulator.directory.appendingPathComponent("token.txt")
        let token = try await emulator.appToken()
        try token.write(to: file, atomically: true, encoding: .utf8)
        let expiry = try #require(AccessTokenClaims(token: token)?.expiresAt)
        let clock = ManualClock()
        clock.set(expiry.addingTimeInterval(-3000))
        let client = try GraphClient(settings: try emulator.settings(.tokenCommand("cat '\(file.path)'"), clock: clock))
        try await client.signIn()
        #expect(
            await client.putPhoto(.user("alex.wilber@contoso.example"), jpeg: TestImage.jpeg(width: 64, height: 64))
                .succeeded)
        #expect(await client.tokenAcquisitions == 1)
        clock.set(expiry.addingTimeInterval(-301))  // not yet
        #expect(
            await client.putPhoto(.user("alex.wilber@contoso.example"), jpeg: TestImage.jpeg(width: 64, height: 64))
                .succeeded)
        #expect(await client.tokenAcquisitions == 1)
        try await emulator.appToken().write(to: file, atomically: true, encoding: .utf8)
        clock.set(expiry.addingTimeInterval(-299))  // due: renewed before sending
        #expect(
            await client.putPhoto(.user("alex.wilber@contoso.example"), jpeg: TestImage.jpeg(width: 64, height: 64))
                .succeeded)
        #expect(await client.tokenAcquisitions == 2)
        #expect(try await emulator.requestCounts()["401"] == nil)
    }

    @Test func a401RenewsTheTokenOnceAndSucceeds() async throws {
        // The command's first token is rejected; the renewal (a second run) gets a good one.
        let emulator = try await Emulator.start()
        let good = emulator.directory.appendingPathComponent("good.txt")
        try await emulator.appToken().write(to: good, atomically: true, encoding: .utf8)
        let marker = emulator.directory.appendingPathComponent("ran-once").path
        let command = "if [ -f '\(marker)' ]; then cat '\(good.path)'; else touch '\(marker)'; echo stale-token; fi"
        let client = try GraphClient(settings: try emulator.settings(.tokenCommand(command)))
        let outcome = await client.putPhoto(
            .user("megan.bowen@contoso.example"), jpeg: TestImage.jpeg(width: 64, height: 64))
        #expect(outcome.succeeded, "\(outcome)")
        #expect(outcome.attempts == 2)
        #expect(await client.tokenAcquisitions == 2)
        #expect(try await emulator.requestCounts()["401"] == 1)

        // A 401 that survives the renewal is reported, after exactly one renewal.
        let stale = try GraphClient(settings: try emulator.settings(.tokenCommand("echo stale-token")))
        let rejected = await stale.putPhoto(
            .user("megan.bowen@contoso.example"), jpeg: TestImage.jpeg(width: 64, height: 64))
        #expect(rejected.failure == .unauthorized)
        #expect(rejected.attempts == 2)
        #expect(await stale.tokenAcquisitions == 2)
    }

    @Test func plainHTTPOnlyToLoopback() throws {
        #expect(throws: GraphError.self) {
            try GraphSettings(credential: .deviceCode, graphURL: URL(string: "http://graph.example.com")!)
        }
        #expect(throws: GraphError.self) {
            try GraphSettings(credential: .deviceCode, authorityURL: URL(string: "http://10.0.0.1:8080")!)
        }
        for url in ["http://127.0.0.1:8080", "http://localhost:1", "http://[::1]:9", "https://graph.example.com/"] {
            #expect(throws: Never.self) { try GraphSettings(credential: .deviceCode, graphURL: URL(string: url)!) }
        }
        let usgov = try GraphSettings(credential: .deviceCode, cloud: .usgovDoD)
        #expect(usgov.graphURL.absoluteString == "https://dod-graph.microsoft.us")
        #expect(usgov.authorityURL.absoluteString == "https://login.microsoftonline.us")
        #expect(usgov.resource == "https://dod-graph.microsoft.us")
        let china = try GraphSettings(credential: .deviceCode, cloud: .china)
        #expect(china.authorityURL.absoluteString == "https://login.chinacloudapi.cn")
    }

    @Test func secretsNeverPrint() throws {
        let secret = Secret("s3cr3t-value")
        #expect("\(secret)" == "[redacted]")
        #expect(String(reflecting: secret) == "[redacted]")
        let settings = try GraphSettings(credential: .clientSecret(secret), tenantID: "t", clientID: "c")
        var dumped = ""
        dump(settings, to: &dumped)
        #expect(!dumped.contains("s3cr3t-value"))
        #expect(!"\(settings)".contains("s3cr3t-value"))
    }
}
