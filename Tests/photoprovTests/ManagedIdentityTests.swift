import Foundation
import TestSupport
import Testing

/// `--auth managed-identity` end to end through the built binary: App Service's IDENTITY_ENDPOINT/IDENTITY_HEADER
/// and the instance metadata service (AZURE_POD_IDENTITY_AUTHORITY_HOST names its base), each with the host's
/// system-assigned identity and with a user-assigned one chosen by AZURE_CLIENT_ID. No secret variable is set.
@Suite struct ManagedIdentityTests {
    enum Endpoint: String, CaseIterable { case appService, imds }

    @Test(arguments: Endpoint.allCases, [nil, Emulator.userAssignedIdentity])
    func signsInAndUploadsWithoutASecret(_ endpoint: Endpoint, userAssigned: String?) async throws {
        let batch = try await Batch.make(count: 2)
        let emulator = try await Emulator.start(["--users-csv", batch.csv])
        var environment = SignInFixtures.cleanEnvironment.merging([
            "PHOTOPROV_GRAPH_URL": emulator.baseURL.absoluteString, "AZURE_CLIENT_ID": userAssigned ?? "",
        ]) { _, new in new }
        switch endpoint {
        case .appService: environment.merge(emulator.appServiceIdentityEnvironment) { _, new in new }
        case .imds: environment["AZURE_POD_IDENTITY_AUTHORITY_HOST"] = emulator.baseURL.absoluteString
        }
        let identity = userAssigned ?? Emulator.systemAssignedIdentity

        // App Service is recognised by its variables; IMDS has none, so it is asked for.
        let auth = endpoint == .imds ? ["--auth", "managed-identity"] : []
        let policy = try await PhotoprovProcess.run(["policy"] + auth, environment: environment)
        #expect(policy.status == 0, "\(policy.stderr)")
        #expect(policy.stdout.contains("signed in as app"), "\(policy.stdout)")
        #expect(policy.stdout.contains("\(identity) (managed-identity)"), "\(policy.stdout)")

        let upload = try await PhotoprovProcess.run(
            ["upload", "--csv", batch.csv, "--journal", batch.journal] + auth, environment: environment)
        #expect(upload.status == 0, "\(upload.stdout) \(upload.stderr)")
        for upn in batch.upns {
            #expect((try await emulator.user(upn)["uploads"] as? NSNumber)?.intValue == 1, "\(upn)")
        }
    }
}
