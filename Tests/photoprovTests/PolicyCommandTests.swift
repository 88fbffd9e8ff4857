import Foundation
import TestSupport
import Testing

/// `photoprov policy` and `photoprov policy set` through the built binary against the emulator.
@Suite struct PolicyCommandTests {
    private func environment(_ emulator: Emulator) -> [String: String] {
        SignInFixtures.cleanEnvironment.merging(emulator.environment) { _, new in new }
    }

    @Test func verdictsAndExitCodes() async throws {
        let open = try await Emulator.start()
        let allowed = try await PhotoprovProcess.run(["policy"], environment: environment(open))
        #expect(allowed.status == 0, "\(allowed.stderr)")
        #expect(allowed.stdout.contains("photo update settings: source cloud, allowed roles: any"))
        #expect(allowed.stdout.contains("write photos: ok (ProfilePhoto.ReadWrite.All)"))
        #expect(allowed.stdout.contains("verdict: allowed"))

        let onPremises = try await Emulator.start(["--policy-source", "onPremises"])
        let blocked = try await PhotoprovProcess.run(["policy"], environment: environment(onPremises))
        #expect(blocked.status == 3)
        #expect(blocked.stdout.contains("verdict: blocked"))
        #expect(blocked.stdout.contains("on-premises"))

        let work = FileManager.default.temporaryDirectory.appendingPathComponent("photoprov-policy-\(UUID())")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let certificate = try await SignInFixtures.certificate(in: work)
        let tenant = try await Emulator.start(seed: SignInFixtures.seed(certificatePEM: certificate.certificate))
        var writer = environment(tenant)
        writer["AZURE_CLIENT_ID"] = SignInFixtures.writerApp
        writer["AZURE_CLIENT_SECRET"] = SignInFixtures.writerSecret
        let unknown = try await PhotoprovProcess.run(["policy"], environment: writer)
        #expect(unknown.status == 1)
        #expect(unknown.stdout.contains("verdict: unknown"))
        #expect(unknown.stdout.contains("PeopleSettings.Read.All"))

        let json = try await PhotoprovProcess.run(["policy", "--json"], environment: environment(onPremises))
        #expect(json.status == 3)
        let report = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        #expect(report?["verdict"] as? String == "blocked")
        #expect((report?["settings"] as? [String: Any])?["source"] as? String == "onPremises")
        #expect((report?["explanation"] as? [String])?.isEmpty == false)
    }

    @Test func delegatedVerdictNamesTheAllowedRoles() async throws {
        let emulator = try await Emulator.start([
            "--policy-roles", "PeopleAdministrator", "--approve-device-codes", "global.admin@contoso.example",
        ])
        let output = try await PhotoprovProcess.run(["policy", "--device-code"], environment: environment(emulator))
        #expect(output.status == 3, "\(output.stderr)")
        #expect(output.stdout.contains("user global.admin@contoso.example"))
        #expect(output.stdout.contains("only holders of People Administrator may change photos"))
        #expect(output.stdout.contains("Global Administrator is not implied"))
    }

    @Test func policySetShowsBeforeAfterAndWarns() async throws {
        let emulator = try await Emulator.start()
        let set = try await PhotoprovProcess.run(
            ["policy", "set", "--source", "cloud", "--allowed-roles", "people-admin,user-admin"],
            environment: environment(emulator))
        #expect(set.status == 0, "\(set.stderr)")
        #expect(set.stdout.contains("before: source cloud, allowed roles: any (no restriction)"))
        #expect(set.stdout.contains("after:  source cloud, allowed roles: People Administrator, User Administrator"))
        #expect(set.stderr.contains("up to 24 hours"))
        let policy = try await emulator.state()["policy"] as? [String: Any]
        #expect(
            policy?["allowedRoles"] as? [String] == [
                "024906de-61e5-49c8-8572-40335f1e0e10", "fe930be7-5e62-47db-91af-98c3a49a38b1",
            ])

        let none = try await PhotoprovProcess.run(
            ["policy", "set", "--source", "onPremises", "--allowed-roles", "none"], environment: environment(emulator))
        #expect(none.status == 0, "\(none.stderr)")
        #expect(none.stdout.contains("after:  source onPremises, allowed roles: any (no restriction)"))
        let after = try await PhotoprovProcess.run(["policy"], environment: environment(emulator))
        #expect(after.status == 3)
    }

    @Test func policySetRejectsBadCombinations() async throws {
        let emulator = try await Emulator.start()
        let env = environment(emulator)
        let onPremRoles = try await PhotoprovProcess.run(
            ["policy", "set", "--source", "onPremises", "--allowed-roles", "global-admin"], environment: env)
        #expect(onPremRoles.status == 2)
        #expect(onPremRoles.stderr.contains("cannot be combined with --source onPremises"))
        let badRole = try await PhotoprovProcess.run(
            ["policy", "set", "--source", "cloud", "--allowed-roles", "admins"], environment: env)
        #expect(badRole.status == 2)
        #expect(badRole.stderr.contains("'admins'"))
        let noSource = try await PhotoprovProcess.run(["policy", "set"], environment: env)
        #expect(noSource.status == 2)
        let wrongPlace = try await PhotoprovProcess.run(["policy", "--source", "cloud"], environment: env)
        #expect(wrongPlace.status == 2)
        // Nothing changed.
        let check = try await PhotoprovProcess.run(["policy"], environment: env)
        #expect(check.stdout.contains("source cloud, allowed roles: any"))
    }
}
