import Foundation
import Testing

@testable import PhotoProvisioning

/// The CSV's display-name column, and the image formats folder sources take (issue 15).
@Suite struct DisplayNameSourceTests {
    /// A folder with `files` (empty photo stand-ins) and `csv` as people.csv; removed when the test ends.
    private final class Folder {
        let path = NSTemporaryDirectory() + "photoprov-names-\(UUID().uuidString)"

        init(files: [String], csv: String? = nil) throws {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            for name in files { try Data("a photo".utf8).write(to: URL(fileURLWithPath: path + "/" + name)) }
            if let csv { try Data(csv.utf8).write(to: URL(fileURLWithPath: self.csv)) }
        }

        deinit { try? FileManager.default.removeItem(atPath: path) }

        var csv: String { path + "/people.csv" }
    }

    @Test(arguments: ["displayName", "Display Name", "name", "full_name"])
    func readsTheNameColumnByItsUsualNames(header: String) throws {
        let folder = try Folder(
            files: ["a.jpg", "b.jpg"],
            csv: "upn,photo,\(header)\na@contoso.com,a.jpg,  Adele Vance \nb@contoso.com,b.jpg,\n")
        let plan = try SourceReader.readCSV(at: folder.csv, options: SourceOptions())
        #expect(plan.items.map(\.displayName) == ["Adele Vance", nil], "trimmed; empty is none")
    }

    @Test func theNameColumnCanBeNamedAndANamedOneMustExist() throws {
        let folder = try Folder(
            files: ["a.jpg"], csv: "upn,photo,name,Preferred\na@contoso.com,a.jpg,Adele Vance,Addie\n")
        let named = try SourceReader.readCSV(at: folder.csv, options: SourceOptions(nameColumn: "Preferred"))
        #expect(named.items.map(\.displayName) == ["Addie"])
        let error = #expect(throws: SourceError.self) {
            try SourceReader.readCSV(at: folder.csv, options: SourceOptions(nameColumn: "Nickname"))
        }
        #expect(
            error?.description.contains("no column 'Nickname' (--name-column)") == true, "\(String(describing: error))")
    }

    @Test func aCSVWithoutANameColumnOrWhoseNameIsTheKeyHasNoNames() throws {
        let none = try Folder(files: ["a.jpg"], csv: "upn,photo\na@contoso.com,a.jpg\n")
        #expect(try SourceReader.readCSV(at: none.csv, options: SourceOptions()).items.map(\.displayName) == [nil])
        // The key column called "name" is the key, not a display name.
        let keyed = try Folder(files: ["a.jpg"], csv: "name,photo\na@contoso.com,a.jpg\n")
        let plan = try SourceReader.readCSV(at: keyed.csv, options: SourceOptions(keyColumn: "name"))
        #expect(plan.items.map(\.key) == ["a@contoso.com"] && plan.items.map(\.displayName) == [nil])
    }

    @Test func refusedRowsAndJournalItemsKeepTheName() throws {
        let folder = try Folder(
            files: ["a.jpg"], csv: "upn,photo,displayName\nnot-a-upn,a.jpg,Refused Person\na@contoso.com,a.jpg,Adele\n")
        let plan = try SourceReader.readCSV(at: folder.csv, options: SourceOptions())
        #expect(plan.problems.map(\.displayName) == ["Refused Person"])
        let items = plan.journalItems(options: SourceOptions(), fingerprint: "f")
        #expect(items.map(\.displayName) == ["Refused Person", "Adele"])
        #expect(items.map(\.state) == [.invalid, .pending])
    }

    @Test func foldersTakeEveryFormatTheCodecReadsInAnyCase() throws {
        let images = [
            "a@contoso.com.heic", "b@contoso.com.HEIF", "c@contoso.com.avif", "d@contoso.com.WebP",
            "e@contoso.com.jpg", "f@contoso.com.PNG", "g@contoso.com.jpeg",
        ]
        let folder = try Folder(files: images + ["h@contoso.com.gif", "notes.txt"])
        let plan = try SourceReader.readFolder(at: folder.path, options: SourceOptions())
        #expect(plan.items.map(\.key) == ["a", "b", "c", "d", "e", "f", "g"].map { "\($0)@contoso.com" })
        #expect(plan.ignored.sorted() == ["h@contoso.com.gif", "notes.txt"])
    }
}
