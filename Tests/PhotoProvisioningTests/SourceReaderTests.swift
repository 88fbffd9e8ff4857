import Foundation
import PhotoProvisioningTestSupport
import TestSupport
import Testing

@testable import PhotoProvisioning

/// A temporary folder for one test, removed when the test ends.
private final class Scratch: Sendable {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "photoprov-source-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { remove() }

    /// Removes the folder now (a test with thousands of files does it off the cooperative pool); safe to repeat.
    func remove() { try? FileManager.default.removeItem(atPath: path) }

    /// Writes `text` (or `bytes`) to `name` inside the folder, creating subfolders; returns its path.
    @discardableResult
    func write(_ name: String, _ text: String = "not really a jpeg") throws -> String {
        try write(name, bytes: Array(text.utf8))
    }

    @discardableResult
    func write(_ name: String, bytes: [UInt8]) throws -> String {
        let file = path + "/" + name
        try FileManager.default.createDirectory(
            atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(bytes).write(to: URL(fileURLWithPath: file))
        return file
    }

    func link(_ name: String, to target: String) throws {
        try FileManager.default.createSymbolicLink(atPath: path + "/" + name, withDestinationPath: target)
    }
}

/// Runs work with the file permissions of an ordinary user, so permission tests test something under root (CI).
///
/// Linux keeps a file-system user id per thread (setfsuid(2)); changing it away from 0 drops the capabilities
/// that let root read any file, for that thread only. Call ``run(provingWith:_:)`` on a thread of its own
/// (``onWorkerThread(_:)``): what it runs must open files on that same thread — SourceReader checks each photo
/// with open(2) where it is called.
enum WithoutFilePrivileges {
    struct Failure: Error, CustomStringConvertible { let description: String }

    /// Runs `work` as user `nobody` (65534) for file access, after proving with `unreadable` (a mode 000 file)
    /// that open(2) now fails; restores the thread's identity afterwards. Without root it just runs `work`.
    static func run<T>(provingWith unreadable: String, _ work: () throws -> T) throws -> T {
        guard getuid() == 0 else { return try work() }
        #if os(Linux)
            // setfsuid is in glibc but not in Swift's Glibc module.
            guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "setfsuid") else {
                throw Failure(description: "setfsuid not found")
            }
            let setfsuid = unsafeBitCast(symbol, to: (@convention(c) (UInt32) -> Int32).self)
            _ = setfsuid(65534)
            defer { _ = setfsuid(0) }
            let fd = open(unreadable, O_RDONLY)
            guard fd < 0, errno == EACCES else {
                if fd >= 0 { close(fd) }
                throw Failure(description: "could not drop root's file access on this thread (no CAP_SETUID?)")
            }
            return try work()
        #else
            throw Failure(description: "dropping root's file access is only implemented on Linux")
        #endif
    }
}

@Suite struct SourceReaderTests {
    private func photos(_ scratch: Scratch, _ names: String...) throws {
        for name in names { try scratch.write(name) }
    }

    @Test(arguments: [",", ";", "\t"])
    func readsEachDelimiterWithBOMAndCRLF(delimiter: String) throws {
        let scratch = try Scratch()
        try photos(scratch, "photos/alice.jpg", "photos/bob.png")
        let csv =
            [
                "UserPrincipalName\(delimiter)Photo", "Alice@Contoso.com\(delimiter)photos/alice.jpg",
                "bob@contoso.com\(delimiter) photos/bob.png ",
            ].joined(separator: "\r\n") + "\r\n"
        let file = try scratch.write("people.csv", bytes: [0xEF, 0xBB, 0xBF] + Array(csv.utf8))
        let plan = try SourceReader.readCSV(at: file, options: SourceOptions())
        #expect(plan.problems == [])
        #expect(plan.items.map(\.key) == ["alice@contoso.com", "bob@contoso.com"])
        #expect(plan.items.map(\.line) == [2, 3])
        #expect(plan.items.map(\.photoPath) == [scratch.path + "/photos/alice.jpg", scratch.path + "/photos/bob.png"])
        #expect(plan.items.map(\.writtenPath) == ["photos/alice.jpg", "photos/bob.png"])
    }

    @Test func quotedFieldsKeepDelimitersAndNewlinesAndPhysicalLineNumbers() throws {
        let scratch = try Scratch()
        try photos(scratch, "a,b.jpg", "carol.jpg", "dave \"the\" man.jpg")
        let csv = """
            note,upn,photo
            "first line
            second line",alice@contoso.com,"a,b.jpg"
            "x",nobody,"carol.jpg"
            "three
            line
            note",carol@contoso.com,carol.jpg

            ok,dave@contoso.com,"dave ""the"" man.jpg"
            """
        let file = try scratch.write("people.csv", csv)
        let plan = try SourceReader.readCSV(at: file, options: SourceOptions())
        #expect(plan.items.map(\.key) == ["alice@contoso.com", "carol@contoso.com", "dave@contoso.com"])
        #expect(plan.items.map(\.line) == [2, 5, 9])
        #expect(plan.items.last?.writtenPath == "dave \"the\" man.jpg")
        #expect(plan.problems.count == 1)
        #expect(plan.problems.first?.line == 4)
        #expect(plan.problems.first?.reason == .malformedKey(.upn, "nobody"))
        #expect(
            plan.problems.first?.description == "line 4 (nobody): 'nobody' is not a valid UPN (expected name@domain)")
    }

    @Test func explicitColumnsAndMissingColumns() throws {
        let scratch = try Scratch()
        try photos(scratch, "alice.jpg")
        let file = try scratch.write("hr.csv", "Name;Work Address;Portrait\nAlice;alice@contoso.com;alice.jpg\n")
        var options = SourceOptions()
        #expect(throws: SourceError.self) { try SourceReader.readCSV(at: file, options: options) }
        do {
            _ = try SourceReader.readCSV(at: file, options: options)
        } catch {
            #expect(error.description.contains("no UPN column (looked for upn, userPrincipalName, mail, email"))
            #expect(error.description.contains("no photo column"))
            #expect(error.description.contains("header is: Name, Work Address, Portrait"))
        }
        options.keyColumn = "work address"
        options.photoColumn = "Portrait"
        let plan = try SourceReader.readCSV(at: file, options: options)
        #expect(plan.items.map(\.key) == ["alice@contoso.com"])
        options.photoColumn = "Picture Path"
        do {
            _ = try SourceReader.readCSV(at: file, options: options)
            Issue.record("a missing explicit column must fail")
        } catch {
            #expect(error.description.contains("no column 'Picture Path' (--photo-column)"))
        }
    }

    @Test func wholeSourceErrors() throws {
        let scratch = try Scratch()
        #expect(throws: SourceError.self) { try SourceReader.readCSV(at: scratch.path + "/none.csv", options: .init()) }
        let empty = try scratch.write("empty.csv", "\r\n\r\n")
        do {
            _ = try SourceReader.readCSV(at: empty, options: .init())
            Issue.record("an empty CSV must fail")
        } catch {
            #expect(error.description == "source \(empty) has no header row")
        }
        let latin1 = try scratch.write(
            "latin1.csv",
            bytes: Array("upn,photo\n".utf8) + [0x6A, 0xE9, 0x40, 0x78, 0x2E, 0x63, 0x6F, 0x6D, 0x2C, 0x61, 0x0A])
        do {
            _ = try SourceReader.readCSV(at: latin1, options: .init())
            Issue.record("latin-1 must fail")
        } catch {
            #expect(error.description.contains("is not UTF-8 text (line 2)"))
        }
        #expect(throws: SourceError.self) { try SourceReader.readFolder(at: empty, options: .init()) }
        #expect(throws: SourceError.self) {
            try SourceReader.readFolder(at: scratch.path, options: .init(domain: "not a domain"))
        }
    }

    @Test func everyRowProblemIsReportedAndValidRowsSurvive() throws {
        let scratch = try Scratch()
        try photos(scratch, "good.jpg", "dup1.jpg", "dup2.jpg", "same.jpg", "outside-target.jpg")
        try scratch.write("empty.jpg", "")
        try FileManager.default.createDirectory(atPath: scratch.path + "/folder.jpg", withIntermediateDirectories: true)
        let outside = try Scratch()
        let secret = try outside.write("secret.jpg")
        try scratch.link("escape.jpg", to: secret)
        try scratch.link("loop.jpg", to: scratch.path + "/loop.jpg")
        try scratch.link("inside-link.jpg", to: scratch.path + "/good.jpg")
        let csv = """
            upn,photo
            good@contoso.com,good.jpg
            not-an-upn,good.jpg
            ,good.jpg
            nofile@contoso.com,
            missing@contoso.com,missing.jpg
            folder@contoso.com,folder.jpg
            empty@contoso.com,empty.jpg
            loop@contoso.com,loop.jpg
            dup@contoso.com,dup1.jpg
            DUP@contoso.com,dup2.jpg
            same@contoso.com,same.jpg
            Same@Contoso.com,./same.jpg
            dotdot@contoso.com,../\((outside.path as NSString).lastPathComponent)/secret.jpg
            symlink@contoso.com,escape.jpg
            absolute@contoso.com,\(secret)
            linked@contoso.com,inside-link.jpg
            spaces in@contoso.com,good.jpg
            """
        let file = try scratch.write("people.csv", csv)
        let plan = try SourceReader.readCSV(at: file, options: SourceOptions())
        #expect(plan.items.map(\.key) == ["good@contoso.com", "same@contoso.com", "linked@contoso.com"])
        #expect(plan.items.map(\.line) == [2, 12, 17])
        #expect(plan.merged.map(\.line) == [13])
        #expect(plan.merged.first?.reason == .sameAsEarlier("line 12"))
        let reasons = Dictionary(uniqueKeysWithValues: plan.problems.map { ($0.line!, $0.reason) })
        #expect(reasons[3] == .malformedKey(.upn, "not-an-upn"))
        #expect(reasons[4] == .missingKey(.upn))
        #expect(reasons[5] == .missingPath)
        #expect(reasons[6] == .missingFile)
        #expect(reasons[7] == .notAFile)
        #expect(reasons[8] == .emptyFile)
        if case .unreadableFile(let detail) = reasons[9] {
            #expect(detail.contains("symbolic links"))
        } else {
            Issue.record("a symlink loop is unreadable, got \(String(describing: reasons[9]))")
        }
        #expect(reasons[10] == .duplicateKey(others: ["line 11"]))
        #expect(reasons[11] == .duplicateKey(others: ["line 10"]))
        #expect(reasons[14] == .outsideSource(.dotDot))
        #expect(reasons[15] == .outsideSource(.symlink))
        #expect(reasons[16] == .outsideSource(.absolutePath))
        #expect(reasons[18] == .malformedKey(.upn, "spaces in@contoso.com"))
        #expect(plan.problems.count == 13)
        let missing = plan.problems.first { $0.line == 6 }!
        #expect(missing.description == "line 6 (missing@contoso.com): photo file not found: missing.jpg")
        let escape = plan.problems.first { $0.line == 15 }!
        #expect(escape.description.contains("leaves the source folder through a symlink (allow with --allow-outside)"))

        let allowed = try SourceReader.readCSV(at: file, options: SourceOptions(allowOutside: true))
        #expect(allowed.items.map(\.key).contains("dotdot@contoso.com"))
        #expect(allowed.items.map(\.key).contains("symlink@contoso.com"))
        #expect(allowed.items.first { $0.key == "absolute@contoso.com" }?.photoPath == secret)
    }

    @Test func windowsBackslashesAreFolderSeparators() throws {
        let scratch = try Scratch()
        try photos(scratch, "photos/alice.jpg")
        let file = try scratch.write("p.csv", "upn,photo\r\nalice@contoso.com,photos\\alice.jpg\r\n")
        let plan = try SourceReader.readCSV(at: file, options: .init())
        #expect(plan.problems == [])
        #expect(plan.items.first?.photoPath == scratch.path + "/photos/alice.jpg")
    }

    @Test func duplicateWithAnInvalidRowRejectsBoth() throws {
        let scratch = try Scratch()
        try photos(scratch, "a.jpg")
        let file = try scratch.write("p.csv", "upn,photo\na@contoso.com,a.jpg\na@contoso.com,gone.jpg\n")
        let plan = try SourceReader.readCSV(at: file, options: .init())
        #expect(plan.items.isEmpty)
        #expect(plan.problems.map(\.reason) == [.duplicateKey(others: ["line 3"]), .missingFile])
    }

    /// A long source is checked in one pass and handed out by a second: duplicates far apart are still found,
    /// the scan can be read twice, and what it yields is what the counts promise.
    @Test func scanHandsOutALongSourceInOrderWithFarApartDuplicates() async throws {
        // Rows for 1500 files (lines 2...1501), then three that refer back far: written, scanned and removed on a
        // worker thread, not on the cooperative pool.
        let count = 1500
        let last = count + 1
        let scratch = try Scratch()
        let (file, scan, first, second, plan) = try await onWorkerThread {
            try self.photos(scratch, "shared.jpg", "other.jpg")
            var rows = ["upn,photo"]
            for index in 0..<count {
                let name = String(format: "p%04d.jpg", index)
                try scratch.write(name)
                rows.append("User\(index)@Contoso.com,\(name)")
            }
            rows.append("user5@contoso.com,shared.jpg")  // line last+1: same user as line 7, another file
            rows.append(String(format: "user\(count - 1)@contoso.com,p%04d.jpg", count - 1))  // same as line last
            rows.append("bad key,other.jpg")  // line last+3
            let file = try scratch.write("people.csv", rows.joined(separator: "\r\n"))
            let scan = try SourceReader.scanCSV(at: file, options: .init())
            return (file, scan, Array(scan), Array(scan), try SourceReader.readCSV(at: file, options: .init()))
        }
        #expect(scan.itemCount == count - 1)
        #expect(first == second, "a scan reads the same items every time")
        #expect(first.count == count - 1)
        #expect(
            first.first
                == SourceItem(
                    line: 2, key: "user0@contoso.com", photoPath: scratch.path + "/p0000.jpg", writtenPath: "p0000.jpg")
        )
        #expect(first.last?.line == last)
        #expect(!first.contains { $0.key == "user5@contoso.com" })
        #expect(first.compactMap(\.line) == first.compactMap(\.line).sorted())
        #expect(scan.problems.map(\.line) == [7, last + 1, last + 3])
        #expect(scan.problems.map(\.reason)[0] == .duplicateKey(others: ["line \(last + 1)"]))
        #expect(scan.problems.map(\.reason)[1] == .duplicateKey(others: ["line 7"]))
        #expect(
            scan.merged == [
                SourceProblem(
                    line: last + 2, key: "user\(count - 1)@contoso.com", path: String(format: "p%04d.jpg", count - 1),
                    reason: .sameAsEarlier("line \(last)"))
            ])
        #expect(
            SourcePlan(items: first, problems: scan.problems, merged: scan.merged, ignored: scan.ignored) == plan,
            "readCSV gives what the scan hands out (\(file))")
        try await onWorkerThread { scratch.remove() }
    }

    @Test func unreadableFileIsReported() async throws {
        let scratch = try Scratch()
        let photo = try scratch.write("locked.jpg")
        chmod(photo, 0)
        let file = try scratch.write("p.csv", "upn,photo\na@contoso.com,locked.jpg\n")
        // Root reads any file, so the reader runs as nobody on a thread of its own (see WithoutFilePrivileges).
        let problems = try await onWorkerThread {
            try WithoutFilePrivileges.run(provingWith: photo) {
                try SourceReader.readCSV(at: file, options: .init()).problems
            }
        }
        #expect(problems.map(\.reason) == [.unreadableFile("permission denied")])
        #expect(
            problems.first?.description
                == "line 2 (a@contoso.com): photo file cannot be read: permission denied: locked.jpg")
    }

    @Test func unterminatedQuoteIsARowProblem() throws {
        let scratch = try Scratch()
        try photos(scratch, "a.jpg")
        let file = try scratch.write(
            "p.csv", "upn,photo\na@contoso.com,a.jpg\n\"b@contoso.com,b.jpg\nc@contoso.com,c.jpg\n")
        let plan = try SourceReader.readCSV(at: file, options: .init())
        #expect(plan.items.map(\.key) == ["a@contoso.com"])
        #expect(plan.problems.map(\.line) == [3])
        #expect(plan.problems.first?.reason == .unterminatedQuote)
    }

    @Test func matchKindsValidateTheirKeys() throws {
        let scratch = try Scratch()
        try photos(scratch, "a.jpg", "b.jpg", "c.jpg")
        let guid = "4F1C1B5E-8F0B-4C47-9A4E-2F6D3C1A0B9E"
        let ids = try scratch.write(
            "ids.csv", "objectId,image\n\(guid),a.jpg\n{\(guid.lowercased())x},b.jpg\n12345,c.jpg\n")
        let byID = try SourceReader.readCSV(at: ids, options: SourceOptions(match: .id))
        #expect(byID.items.map(\.key) == [guid.lowercased()])
        #expect(
            byID.problems.map(\.reason) == [
                .malformedKey(.id, "{\(guid.lowercased())x}"), .malformedKey(.id, "12345"),
            ])
        let groups = try SourceReader.readCSV(at: ids, options: SourceOptions(match: .upn, target: .groups))
        #expect(groups.items.map(\.key) == [guid.lowercased()])

        let hr = try scratch.write("hr.csv", "employee_id\tfile\n  E-0042 \ta.jpg\nE-0043\tb.jpg\n\tc.jpg\n")
        let byEmployee = try SourceReader.readCSV(at: hr, options: SourceOptions(match: .employeeId))
        #expect(byEmployee.items.map(\.key) == ["E-0042", "E-0043"])
        #expect(byEmployee.problems.map(\.reason) == [.missingKey(.employeeId)])
        #expect(byEmployee.problems.first?.description == "line 4: no employee id")

        let mail = try scratch.write("mail.csv", "Email,Photo\nbob@example.com,a.jpg\nbob@localhost,b.jpg\n")
        let byMail = try SourceReader.readCSV(at: mail, options: SourceOptions(match: .mail))
        #expect(byMail.items.map(\.key) == ["bob@example.com"])
        #expect(byMail.problems.map(\.reason) == [.malformedKey(.mail, "bob@localhost")])
    }

    @Test func folderSourceWithDomainListsIgnoredFiles() throws {
        let scratch = try Scratch()
        try photos(
            scratch, "alice.JPG", "bob@fabrikam.com.png", "carol.jpeg", "notes.txt", "README", "dave.jpg",
            "dave.png", "sub/erin.jpg")
        try scratch.write("empty.jpg", "")
        let outside = try Scratch()
        try scratch.link("mallory.jpg", to: try outside.write("m.jpg"))
        let plan = try SourceReader.readFolder(at: scratch.path, options: SourceOptions(domain: "contoso.com"))
        #expect(plan.items.map(\.key) == ["alice@contoso.com", "bob@fabrikam.com", "carol@contoso.com"])
        #expect(plan.items.allSatisfy { $0.line == nil })
        #expect(plan.items.first?.photoPath == scratch.path + "/alice.JPG")
        #expect(plan.ignored == ["README", "notes.txt", "sub"])
        let reasons = Dictionary(uniqueKeysWithValues: plan.problems.map { ($0.path!, $0.reason) })
        #expect(reasons["dave.jpg"] == .duplicateKey(others: ["dave.png"]))
        #expect(reasons["dave.png"] == .duplicateKey(others: ["dave.jpg"]))
        #expect(reasons["empty.jpg"] == .emptyFile)
        #expect(reasons["mallory.jpg"] == .outsideSource(.symlink))
        #expect(
            plan.problems.first { $0.path == "empty.jpg" }?.description
                == "empty.jpg (empty@contoso.com): photo file is empty")

        let noDomain = try SourceReader.readFolder(at: scratch.path, options: SourceOptions())
        #expect(noDomain.items.map(\.key) == ["bob@fabrikam.com"])
        #expect(noDomain.problems.contains { $0.path == "alice.JPG" && $0.reason == .malformedKey(.upn, "alice") })
    }
}
