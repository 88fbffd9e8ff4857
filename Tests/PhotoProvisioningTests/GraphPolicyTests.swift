import Foundation
import TestSupport
import Testing

@testable import PhotoProvisioning

/// The photo policy preflight: each verdict from the rules alone, then against the emulator; and changing it.
@Suite struct GraphPolicyTests {
    private func identity(roles: [String] = [], scopes: [String] = [], wids: [String] = [], upn: String? = nil)
        -> SignedInIdentity
    {
        var claims = AccessTokenClaims(roles: roles, scopes: scopes, wids: wids)
        claims.userPrincipalName = upn
        claims.identityType = scopes.isEmpty ? "app" : "user"
        return SignedInIdentity(claims: claims, credential: scopes.isEmpty ? .managedIdentity : .deviceCode)
    }

    private let appWriter = ["ProfilePhoto.ReadWrite.All", "User.Read.All", "PeopleSettings.Read.All"]

    @Test func verdictRules() {
        let cloud = PhotoUpdateSettings(source: "cloud", allowedRoles: [])
        #expect(
            PolicyReport.evaluate(settings: cloud, settingsError: nil, identity: identity(roles: appWriter)).verdict
                == .allowed)

        let onPremises = PolicyReport.evaluate(
            settings: PhotoUpdateSettings(source: "onPremises", allowedRoles: []), settingsError: nil,
            identity: identity(roles: appWriter))
        #expect(onPremises.verdict == .blocked)
        #expect(onPremises.explanation.first?.contains("on-premises") == true)

        // No seniority: a Global Administrator is not a People Administrator.
        let peopleOnly = PhotoUpdateSettings(source: "cloud", allowedRoles: [DirectoryRole.peopleAdministrator])
        let global = PolicyReport.evaluate(
            settings: peopleOnly, settingsError: nil,
            identity: identity(
                scopes: ["ProfilePhoto.ReadWrite.All"], wids: [DirectoryRole.globalAdministrator], upn: "g@x"))
        #expect(global.verdict == .blocked)
        #expect(global.explanation.first?.contains("People Administrator") == true)
        #expect(global.explanation.first?.contains("Global Administrator is not implied") == true)
        let people = PolicyReport.evaluate(
            settings: peopleOnly, settingsError: nil,
            identity: identity(scopes: ["ProfilePhoto.ReadWrite.All"], wids: [DirectoryRole.peopleAdministrator]))
        #expect(people.verdict == .allowed)
        // allowedRoles restricts users, not an app's own permission.
        #expect(
            PolicyReport.evaluate(settings: peopleOnly, settingsError: nil, identity: identity(roles: appWriter))
                .verdict == .allowed)

        let unreadable = PolicyReport.evaluate(
            settings: nil, settingsError: "missing permission; grant PeopleSettings.Read.All",
            identity: identity(roles: appWriter))
        #expect(unreadable.verdict == .unknown)
        #expect(unreadable.explanation.first?.contains("PeopleSettings.Read.All") == true)

        let noWrite = PolicyReport.evaluate(
            settings: cloud, settingsError: nil, identity: identity(roles: ["User.Read.All"]))
        #expect(noWrite.verdict == .blocked)
        #expect(noWrite.permissions.first { $0.need == "write photos" }?.granted == false)
        #expect(noWrite.explanation.joined().contains("ProfilePhoto.ReadWrite.All"))

        let ownOnly = PolicyReport.evaluate(
            settings: cloud, settingsError: nil,
            identity: identity(scopes: ["User.ReadWrite"], wids: [DirectoryRole.userAdministrator]))
        #expect(ownOnly.verdict == .blocked)
        #expect(ownOnly.explanation.joined().contains("own"))
    }

    @Test func allowedRolesParsing() throws {
        #expect(
            try DirectoryRole.parse("people-admin, global-admin").get() == [
                DirectoryRole.peopleAdministrator, DirectoryRole.globalAdministrator,
            ])
        #expect(try DirectoryRole.parse("none").get() == [])
        #expect(
            try DirectoryRole.parse("FE930BE7-5E62-47DB-91AF-98C3A49A38B1").get() == [DirectoryRole.userAdministrator])
        #expect(throws: DirectoryRole.ParseFailure.self) { try DirectoryRole.parse("people-admin,admins").get() }
    }

    @Test func emulatorVerdictsForApps() async throws {
        let open = try await Emulator.start()
        let allowed = await (try GraphClient(settings: try open.settings())).preflight()
        #expect(allowed.verdict == .allowed)
        #expect(allowed.settings == PhotoUpdateSettings(source: "cloud", allowedRoles: []))

        let onPremises = try await Emulator.start(["--policy-source", "onPremises"])
        let blocked = await (try GraphClient(settings: try onPremises.settings())).preflight()
        #expect(blocked.verdict == .blocked)
        #expect(blocked.settings?.source == "onPremises")

        let tenant = try await Emulator.start(seed: TestTenant.seed())
        let writer = await
            (try GraphClient(settings: try tenant.settings(app: TestTenant.writerApp, secret: TestTenant.writerSecret)))
            .preflight()
        #expect(writer.verdict == .unknown, "\(writer.explanation)")
        #expect(writer.settingsError?.contains("PeopleSettings.Read.All") == true)
        #expect(writer.settingsError?.contains("403") == true)
        let reader = await
            (try GraphClient(settings: try tenant.settings(app: TestTenant.readerApp, secret: TestTenant.readerSecret)))
            .preflight()
        #expect(reader.verdict == .blocked, "a missing write permission blocks even when the settings are unreadable")
        #expect(reader.explanation.first?.contains("ProfilePhoto.ReadWrite.All") == true)
    }

    @Test func emulatorVerdictsForDelegatedAdmins() async throws {
        for (user, verdict) in [
            ("people.admin", Verdict.allowed), ("global.admin", .blocked), ("user.admin", .blocked),
        ] {
            let emulator = try await Emulator.start([
                "--policy-roles", "PeopleAdministrator", "--approve-device-codes", "\(user)@contoso.example",
            ])
            let client = try GraphClient(settings: try emulator.settings(.deviceCode, clock: SystemClock()))
            let report = await client.preflight()
            #expect(report.verdict == verdict, "\(user): \(report.explanation)")
            #expect(report.settings?.allowedRoleNames == ["People Administrator"])
            // The verdict matches what Graph does with an upload.
            let outcome = await client.putPhoto(
                .user("megan.bowen@contoso.example"), jpeg: TestImage.jpeg(width: 64, height: 64))
            #expect(outcome.succeeded == (verdict == .allowed), "\(user): \(outcome)")
            if verdict == .blocked { #expect(outcome.failure == .blockedByPolicy) }
        }
    }

    @Test func updatingThePolicyReturnsBeforeAndAfter() async throws {
        let emulator = try await Emulator.start()
        let client = try GraphClient(settings: try emulator.settings())
        let change = try await client.updatePhotoPolicy(
            source: "cloud", allowedRoles: [DirectoryRole.peopleAdministrator, DirectoryRole.userAdministrator])
        #expect(change.before == PhotoUpdateSettings(source: "cloud", allowedRoles: []))
        #expect(change.after.allowedRoleNames == ["People Administrator", "User Administrator"])
        let recorded = try await emulator.state()["policy"] as? [String: Any]
        #expect(
            recorded?["allowedRoles"] as? [String] == [
                DirectoryRole.peopleAdministrator, DirectoryRole.userAdministrator,
            ])

        let back = try await client.updatePhotoPolicy(source: "onPremises", allowedRoles: [])
        #expect(back.after == PhotoUpdateSettings(source: "onPremises", allowedRoles: []))
        #expect((try await client.readPhotoPolicy()).source == "onPremises")

        let tenant = try await Emulator.start(seed: TestTenant.seed())
        let reader = try GraphClient(
            settings: try tenant.settings(app: TestTenant.readerApp, secret: TestTenant.readerSecret))
        let error = await #expect(throws: GraphError.self) {
            try await reader.updatePhotoPolicy(source: "cloud", allowedRoles: nil)
        }
        #expect(error?.kind == .blocked)
        #expect(error?.message.contains("PeopleSettings") == true)
    }
}
