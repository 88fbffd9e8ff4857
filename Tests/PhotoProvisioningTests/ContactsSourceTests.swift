import Foundation
import Testing

@testable import PhotoProvisioning

/// Sources for `--target contacts`: email keys (any case, lower-cased) or Outlook ids (kept exactly).
@Suite struct ContactsSourceTests {
    private static func source(_ csv: String) throws -> (folder: URL, csv: String) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "photoprov-contacts-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Data("jpeg".utf8).write(to: folder.appendingPathComponent("a.jpg"))
        try Data("jpeg".utf8).write(to: folder.appendingPathComponent("b.jpg"))
        let path = folder.appendingPathComponent("contacts.csv").path
        try Data(csv.utf8).write(to: URL(fileURLWithPath: path))
        return (folder, path)
    }

    @Test func contactsMatchByEmailUnlessTheyAskForIds() {
        #expect(SourceOptions(target: .contacts).keyKind == .email)
        #expect(SourceOptions(match: .mail, target: .contacts).keyKind == .email)
        #expect(SourceOptions(match: .id, target: .contacts).keyKind == .contactId)
        #expect(SourceOptions(match: .id, target: .users).keyKind == .id)
    }

    @Test func emailKeysAreLowerCasedAndMustBeAddresses() throws {
        let (folder, csv) = try Self.source("Email,Photo\nOne@Fabrikam.Example,a.jpg\nnot-an-address,b.jpg\n")
        defer { try? FileManager.default.removeItem(at: folder) }
        let plan = try SourceReader.readCSV(at: csv, options: SourceOptions(target: .contacts))
        #expect(plan.items.map(\.key) == ["one@fabrikam.example"])
        #expect(plan.problems.map(\.detail) == ["'not-an-address' is not a valid email address (expected name@domain)"])
    }

    @Test func contactIdsAreKeptExactlyAndMustLookLikeOutlookIds() throws {
        let (folder, csv) = try Self.source("id,photo\nAAMkAGI2-_+/Zz==,a.jpg\nnot an id!,b.jpg\n")
        defer { try? FileManager.default.removeItem(at: folder) }
        let plan = try SourceReader.readCSV(at: csv, options: SourceOptions(match: .id, target: .contacts))
        #expect(plan.items.map(\.key) == ["AAMkAGI2-_+/Zz=="], "Outlook ids are case-sensitive")
        #expect(
            plan.problems.map(\.detail) == [
                "'not an id!' is not a valid contact id (expected an Outlook contact id such as AAMkAGI2TG93AAA=)"
            ])
    }

    @Test func theSameAddressTwiceWithDifferentPhotosIsRefusedLikeAnyKey() throws {
        let (folder, csv) = try Self.source("email,photo\na@x.example,a.jpg\nA@X.example,b.jpg\n")
        defer { try? FileManager.default.removeItem(at: folder) }
        let plan = try SourceReader.readCSV(at: csv, options: SourceOptions(target: .contacts))
        #expect(plan.items.isEmpty)
        #expect(plan.problems.map(\.line) == [2, 3])
    }
}
