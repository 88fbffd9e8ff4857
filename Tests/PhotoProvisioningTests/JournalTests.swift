import Foundation
import PhotoProvisioningTestSupport
import Testing

@testable import PhotoJournal
@testable import PhotoProvisioning

/// A journal path in its own temporary folder, removed when the test ends.
private final class JournalFolder {
    let folder: String
    var path: String { folder + "/photoprov.journal" }

    init() throws {
        folder = NSTemporaryDirectory() + "photoprov-journal-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: folder) }

    func mode(_ file: String) -> mode_t? {
        var info = stat()
        return stat(file, &info) == 0 ? info.st_mode & 0o777 : nil
    }
}

private func newItems(_ keys: [String], fingerprint: String = "fp1") -> [Journal.NewItem] {
    keys.enumerated().map { index, key in
        Journal.NewItem(
            target: .users, match: .upn, key: key, line: index + 2, sourcePath: "/photos/\(key).jpg",
            fingerprint: fingerprint)
    }
}

/// Walks an item through a successful upload as the pipeline would.
private func upload(_ journal: Journal, _ item: Journal.Item, sha: String, resolvedID: String? = nil) async throws {
    let photo = PhotoFacts(
        sourceSHA256: sha, sourceBytes: 123_456, sourceWidth: 1200, sourceHeight: 1600, sourceFormat: "jpeg",
        outputBytes: 45_678, outputWidth: 648, outputHeight: 648, outputQuality: 85, orientation: 6, cropFraction: 0.25,
        upscaleAvoided: true)
    try await journal.record(Journal.ItemUpdate(.converted, photo: photo), item: item.id)
    try await journal.record(Journal.ItemUpdate(.uploading), item: item.id)
    var uploaded = Journal.ItemUpdate(.uploaded, reply: GraphReply(httpStatus: 200, requestID: "req-\(item.key)"))
    uploaded.resolvedID = resolvedID
    try await journal.record(uploaded, item: item.id)
}

@Suite struct JournalTests {
    @Test func createsAPrivateWALJournalWithItsCompanions() async throws {
        let folder = try JournalFolder()
        let previous = umask(0)  // the loosest umask: the journal must still be 0600
        defer { umask(previous) }
        let journal = try await Journal.open(at: folder.path)
        let start = try await journal.startRun(kind: .upload, commandKey: "k", arguments: [])
        _ = try await journal.addItems(newItems(["a@contoso.com"]), run: start.run.id)
        #expect(try await journal.journalMode() == "wal")
        #expect(try await journal.schemaVersion() == JournalSchema.version)
        for file in [folder.path, folder.path + "-wal", folder.path + "-shm"] {
            #expect(folder.mode(file) == 0o600, "\(file) must be 0600")
        }
    }

    @Test func runsOnItsOwnQueueNotTheCooperativePool() async throws {
        let folder = try JournalFolder()
        let journal = try await Journal.open(at: folder.path)
        #expect(DispatchQueue.getSpecific(key: JournalExecutor.marker) == nil)
        #expect(await journal.isOnJournalQueue())
    }

    @Test func tightensALooserExistingFile() async throws {
        let folder = try JournalFolder()
        #expect(
            FileManager.default.createFile(atPath: folder.path, contents: nil, attributes: [.posixPermissions: 0o644]))
        #expect(folder.mode(folder.path) == 0o644)
        let journal = try await Journal.open(at: folder.path)
        #expect(try await journal.latestRun() == nil)
        #expect(folder.mode(folder.path) == 0o600)
        #expect(folder.mode(folder.path + "-wal") == 0o600)
    }

    @Test func statusModeDoesNotCreateAMissingJournal() async throws {
        let folder = try JournalFolder()
        await #expect(throws: JournalError.self) { try await Journal.open(at: folder.path, create: false) }
        do {
            _ = try await Journal.open(at: folder.path, create: false)
        } catch {
            #expect(error.reason == .notFound)
            #expect(error.description == "no journal at \(folder.path)")
        }
        #expect(!FileManager.default.fileExists(atPath: folder.path))
    }

    @Test func refusesAJournalFromANewerPhotoprov() async throws {
        let folder = try JournalFolder()
        do {
            let connection = try SQLiteConnection(path: folder.path, create: true)
            try connection.execute("PRAGMA user_version = 99")
        }
        do {
            _ = try await Journal.open(at: folder.path)
            Issue.record("schema 99 must be refused")
        } catch {
            #expect(error.reason == .newerSchema(99))
            #expect(error.description.contains("upgrade photoprov"))
        }
    }

    @Test func aVersionOneJournalIsMigratedWithItsVerdictsReadAsValues() async throws {
        let folder = try JournalFolder()
        do {
            let old = try SQLiteConnection(path: folder.path, create: true)
            try old.execute(JournalSchema.migrations[0])
            try old.execute("PRAGMA user_version = 1")
            for (id, verdict) in [
                (1, "allowed"), (2, "blocked: photo source is onPremises: Microsoft 365 refuses photo changes"),
                (3, "unknown: cannot read the photo update settings"), (4, "not checked (offline)"),
                (5, "not checked (--skip-policy-check)"),
            ] {
                try old.execute(
                    """
                    INSERT INTO runs (id, kind, command_key, arguments, verdict, started_at, status) \
                    VALUES (\(id), 'upload', 'k\(id)', '[]', '\(verdict)', '2026-11-22T06:00:00.000Z', 'completed')
                    """)
            }
            try old.execute(
                """
                INSERT INTO items (run_id, action, target, match, key, state, http_status, reason, created_at, \
                updated_at) VALUES (2, 'upload', 'users', 'upn', 'a@x.com', 'failed', 403, 'blocked by policy', \
                '2026-11-22T06:00:00.000Z', '2026-11-22T06:00:00.000Z')
                """)
        }
        let journal = try await Journal.open(at: folder.path)
        #expect(try await journal.schemaVersion() == JournalSchema.version)
        let runs = try await journal.runs().sorted { $0.id < $1.id }
        #expect(runs.map(\.verdict) == [.allowed, .blocked, .unknown, .notChecked, .notChecked])
        #expect(
            runs.map(\.verdictDetail) == [
                nil, "photo source is onPremises: Microsoft 365 refuses photo changes",
                "cannot read the photo update settings", "offline", "--skip-policy-check",
            ])
        #expect(
            runs.map(\.verdictText) == [
                "allowed", "blocked: photo source is onPremises: Microsoft 365 refuses photo changes",
                "unknown: cannot read the photo update settings", "not checked (offline)",
                "not checked (--skip-policy-check)",
            ])
        let item = try #require(try await journal.items(run: 2).first)
        #expect(item.state == .failed && item.reply.httpStatus == 403 && item.failure == nil)
        #expect(item.reason == "blocked by policy")
        // The migrated journal takes new records as usual.
        try await journal.record(Journal.ItemUpdate(.failed, failure: .blockedByPolicy), item: item.id)
        #expect(try await journal.item(id: item.id)?.failure == .blockedByPolicy)
    }

    @Test func resumesAnAbandonedRunWithoutOfferingUploadedItemsAgain() async throws {
        let folder = try JournalFolder()
        let keys = ["a@contoso.com", "b@contoso.com", "c@contoso.com", "d@contoso.com"]
        var runID: Int64 = 0
        do {
            let journal = try await Journal.open(at: folder.path)
            let start = try await journal.startRun(
                kind: .upload, commandKey: "csv:people.csv|users|upn|fp1", arguments: ["upload"])
            #expect(!start.resumed)
            #expect(start.items.isEmpty)
            runID = start.run.id
            let items = try await journal.addItems(newItems(keys), run: runID)
            try await upload(journal, items[0], sha: "sha-a")
            try await journal.record(Journal.ItemUpdate(.converted), item: items[1].id)
            try await journal.record(Journal.ItemUpdate(.uploading), item: items[1].id)
            try await journal.record(Journal.ItemUpdate(.converted), item: items[2].id)
            // Abandoned here, as if the process were killed: no finishRun.
        }
        let journal = try await Journal.open(at: folder.path)
        #expect(try await journal.latestRun()?.status == .running)
        let other = try await journal.startRun(kind: .dryRun, commandKey: "csv:people.csv|users|upn|fp1", arguments: [])
        #expect(!other.resumed, "a dry run never continues an upload run")
        try await journal.finishRun(other.run.id, status: .completed)

        let start = try await journal.startRun(
            kind: .upload, commandKey: "csv:people.csv|users|upn|fp1", arguments: ["upload"])
        #expect(start.resumed)
        #expect(start.run.id == runID)
        #expect(start.run.status == .running)
        #expect(start.items.map(\.state) == [.uploaded, .uploading, .converted, .pending])
        // Planning the same source again keeps what is recorded.
        let replanned = try await journal.addItems(newItems(keys), run: runID)
        #expect(replanned.map(\.id) == start.items.map(\.id))
        #expect(replanned.map(\.state) == [.uploaded, .uploading, .converted, .pending])
        let offered = replanned.filter(\.state.needsWork).map(\.key)
        #expect(offered == ["b@contoso.com", "c@contoso.com", "d@contoso.com"])
        #expect(replanned[1].attempts == 1)
        for item in replanned where item.state.needsWork { try await upload(journal, item, sha: "sha-\(item.key)") }
        #expect(try await journal.item(id: replanned[1].id)?.attempts == 2)
        #expect(try await journal.item(id: replanned[0].id)?.attempts == 1)
        try await journal.finishRun(runID, status: .completed)
        let finished = try await journal.run(id: runID)
        #expect(finished?.status == .completed)
        #expect(finished?.endedAt != nil)

        let next = try await journal.startRun(
            kind: .upload, commandKey: "csv:people.csv|users|upn|fp1", arguments: ["upload"])
        #expect(!next.resumed, "a completed run is never resumed")
        #expect(next.run.id != runID)
        #expect(try await journal.runs().map(\.id) == [next.run.id, runID, other.run.id].sorted(by: >))
    }

    @Test func anOverlappingRunIsRefusedUntilTheFirstFinishes() async throws {
        let folder = try JournalFolder()
        let first = try await Journal.open(at: folder.path)
        let second = try await Journal.open(at: folder.path)
        let run = try await first.startRun(kind: .upload, commandKey: "nightly", arguments: [])
        do {
            _ = try await second.startRun(kind: .upload, commandKey: "nightly", arguments: [])
            Issue.record("a second run on a busy journal must be refused")
        } catch {
            #expect(error.reason == .busy(pid: getpid()))
            #expect(error.description.contains("is in use by another photoprov run (pid \(getpid()))"))
        }
        #expect(folder.mode(folder.path + "-lock") == 0o600)
        try await first.finishRun(run.run.id, status: .completed)
        let next = try await second.startRun(kind: .upload, commandKey: "nightly", arguments: [])
        #expect(!next.resumed)
    }

    @Test func invalidRowsAreAllKeptAndNotDuplicatedOnResume() async throws {
        let folder = try JournalFolder()
        let journal = try await Journal.open(at: folder.path)
        let run = try await journal.startRun(kind: .upload, commandKey: "k", arguments: []).run
        func invalid(_ key: String, line: Int, reason: String) -> Journal.NewItem {
            Journal.NewItem(target: .users, match: .upn, key: key, line: line, state: .invalid, reason: reason)
        }
        let plan =
            [
                invalid("dup@x.com", line: 2, reason: "duplicate user: also at line 3"),
                invalid("dup@x.com", line: 3, reason: "duplicate user: also at line 2"),
                invalid("", line: 4, reason: "no UPN"),
                invalid("", line: 5, reason: "no UPN"),
            ] + newItems(["ok@x.com"])
        let first = try await journal.addItems(plan, run: run.id)
        #expect(Set(first.map(\.id)).count == 5)
        #expect(first.map(\.line) == [2, 3, 4, 5, 2])
        #expect(first.prefix(4).allSatisfy { $0.state == .invalid && !$0.state.needsWork })
        #expect(first[1].reason == "duplicate user: also at line 2")
        let again = try await journal.addItems(plan, run: run.id)
        #expect(again.map(\.id) == first.map(\.id))
        #expect(try await journal.counts(run: run.id)[.invalid] == 4)
        #expect(try await journal.items(run: run.id).count == 5)
    }

    @Test func interruptedAndFailedRunsResumeToo() async throws {
        let folder = try JournalFolder()
        let journal = try await Journal.open(at: folder.path)
        for status in [Journal.RunStatus.interrupted, .failed] {
            let first = try await journal.startRun(kind: .upload, commandKey: "key-\(status)", arguments: [])
            try await journal.finishRun(first.run.id, status: status)
            let again = try await journal.startRun(kind: .upload, commandKey: "key-\(status)", arguments: [])
            #expect(again.resumed)
            #expect(again.run.id == first.run.id)
            #expect(again.run.endedAt == nil)
        }
    }

    @Test func recordsEveryItemFactAndTheLastUploadForSync() async throws {
        let folder = try JournalFolder()
        let journal = try await Journal.open(at: folder.path)
        let run = try await journal.startRun(kind: .upload, commandKey: "k", arguments: []).run
        let item = try await journal.addItems(newItems(["alice@contoso.com"]), run: run.id)[0]
        #expect(item.state == .pending)
        #expect(item.line == 2)
        #expect(item.sourcePath == "/photos/alice@contoso.com.jpg")
        let failed = Journal.ItemUpdate(
            .failed, failure: .throttled, reason: "throttled too long",
            reply: GraphReply(httpStatus: 429, graphCode: "TooManyRequests"))
        try await journal.record(Journal.ItemUpdate(.uploading), item: item.id)
        try await journal.record(failed, item: item.id)
        let afterFailure = try #require(try await journal.item(id: item.id))
        #expect(afterFailure.reason == "throttled too long")
        #expect(afterFailure.failure == .throttled)
        #expect(afterFailure.reply.graphCode == "TooManyRequests")
        #expect(try await journal.lastUpload(target: .users, match: .upn, key: "alice@contoso.com") == nil)

        try await upload(journal, item, sha: "sha-1", resolvedID: "11111111-2222-3333-4444-555555555555")
        let stored = try #require(try await journal.item(id: item.id))
        #expect(stored.state == .uploaded)
        #expect(stored.attempts == 2)
        #expect(stored.reason == nil)
        #expect(stored.failure == nil, "success clears the earlier failure")
        #expect(stored.reply.graphCode == nil)
        #expect(stored.reply.httpStatus == 200)
        #expect(stored.reply.requestID == "req-alice@contoso.com")
        #expect(stored.photo.sourceSHA256 == "sha-1")
        #expect(stored.photo.sourceBytes == 123_456)
        #expect(stored.photo.sourceFormat == "jpeg")
        #expect(stored.photo.outputWidth == 648)
        #expect(stored.photo.outputQuality == 85)
        #expect(stored.photo.orientation == 6)
        #expect(stored.photo.cropFraction == 0.25)
        #expect(stored.photo.upscaleAvoided && !stored.photo.qualityLowered && !stored.photo.dimensionsLowered)
        #expect(stored.updatedAt >= stored.createdAt)
        #expect(abs(stored.updatedAt.timeIntervalSinceNow) < 60)

        let last = try #require(try await journal.lastUpload(target: .users, match: .upn, key: "alice@contoso.com"))
        #expect(last.resolvedID == "11111111-2222-3333-4444-555555555555")
        #expect(last.runID == run.id)
        #expect(last.itemID == item.id)
        #expect(last.matches(sourceSHA256: "sha-1", fingerprint: "fp1"))
        #expect(!last.matches(sourceSHA256: "sha-2", fingerprint: "fp1"), "a changed photo is uploaded again")
        #expect(!last.matches(sourceSHA256: "sha-1", fingerprint: "fp2"), "changed settings upload again")
        #expect(try await journal.lastUpload(target: .users, match: .mail, key: "alice@contoso.com") == nil)
        #expect(try await journal.lastUpload(target: .groups, match: .upn, key: "alice@contoso.com") == nil)

        // The next sync run finds it unchanged; a later upload of a new photo replaces the record.
        try await journal.finishRun(run.id, status: .completed)
        let sync = try await journal.startRun(kind: .upload, commandKey: "k", arguments: []).run
        let again = try await journal.addItems(newItems(["alice@contoso.com"]), run: sync.id)[0]
        #expect(again.id != item.id)
        try await journal.record(Journal.ItemUpdate(.unchanged), item: again.id)
        #expect(try await journal.lastUpload(target: .users, match: .upn, key: "alice@contoso.com")?.runID == run.id)
        let third = try await journal.startRun(kind: .upload, commandKey: "k2", arguments: []).run
        let changed = try await journal.addItems(newItems(["alice@contoso.com"]), run: third.id)[0]
        try await upload(journal, changed, sha: "sha-2")
        let replaced = try await journal.lastUpload(target: .users, match: .upn, key: "alice@contoso.com")
        #expect(replaced?.sourceSHA256 == "sha-2")
        #expect(replaced?.runID == third.id)
    }

    @Test func listsKeysWithPhotosForRemoveMissing() async throws {
        let folder = try JournalFolder()
        let journal = try await Journal.open(at: folder.path)
        let run = try await journal.startRun(kind: .upload, commandKey: "k", arguments: []).run
        let items = try await journal.addItems(newItems(["c@x.com", "a@x.com", "b@x.com"]), run: run.id)
        for item in items { try await upload(journal, item, sha: "sha-\(item.key)", resolvedID: "id-\(item.key)") }
        var groupItem = Journal.NewItem(target: .groups, match: .id, key: "0000-group", fingerprint: "fp1")
        groupItem.sourcePath = "/g.jpg"
        try await upload(journal, try await journal.addItems([groupItem], run: run.id)[0], sha: "sha-g")
        #expect(
            try await journal.keysWithPhotos(target: .users, match: .upn).map(\.key) == [
                "a@x.com", "b@x.com", "c@x.com",
            ])
        #expect(try await journal.keysWithPhotos(target: .users, match: .employeeId).isEmpty)
        try await journal.finishRun(run.id, status: .completed)

        // The source now lists only a and c: b is missing; --remove-missing deletes it.
        // a is a valid row again; c's row is refused (an invalid item still means c is in the source).
        let sync = try await journal.startRun(kind: .upload, commandKey: "k", arguments: []).run
        _ = try await journal.addItems(newItems(["a@x.com"]), run: sync.id)
        _ = try await journal.addItems(
            [Journal.NewItem(target: .users, match: .upn, key: "c@x.com", line: 3, state: .invalid, reason: "no file")],
            run: sync.id)
        let missing = try await journal.keysWithPhotos(target: .users, match: .upn, notIn: sync.id)
        #expect(missing.map(\.key) == ["b@x.com"])
        #expect(try await journal.keysWithPhotos(target: .users, match: .upn, notIn: run.id).isEmpty)
        #expect(missing.first?.resolvedID == "id-b@x.com")
        let removal = try await journal.addItems(
            missing.map {
                Journal.NewItem(
                    action: .remove, target: $0.target, match: $0.match, key: $0.key, resolvedID: $0.resolvedID)
            },
            run: sync.id)[0]
        #expect(removal.action == .remove)
        #expect(removal.state.needsWork)
        try await journal.record(Journal.ItemUpdate(.removing), item: removal.id)
        try await journal.record(Journal.ItemUpdate(.removed), item: removal.id)
        #expect(try await journal.keysWithPhotos(target: .users, match: .upn).map(\.key) == ["a@x.com", "c@x.com"])
        #expect(try await journal.item(id: removal.id)?.attempts == 1)
        let totals = try await journal.totals()
        #expect(totals.runs == 2)
        #expect(totals.withPhotos == [.users: 2, .groups: 1])
    }

    @Test func previewsAreStoredOncePerSourceAndSettings() async throws {
        let folder = try JournalFolder()
        let journal = try await Journal.open(at: folder.path)
        let run = try await journal.startRun(kind: .dryRun, commandKey: "k", arguments: []).run
        let items = try await journal.addItems(
            newItems(["a@x.com", "b@x.com"]) + newItems(["c@x.com"], fingerprint: "fp2") + newItems(["d@x.com"]),
            run: run.id)
        for item in items.prefix(3) {
            try await journal.record(
                Journal.ItemUpdate(.wouldUpload, photo: PhotoFacts(sourceSHA256: "same-photo")), item: item.id)
        }
        #expect(try await journal.hasPreviews(sourceSHA256: "same-photo", fingerprint: "fp1") == (false, false))
        try await journal.storeOriginalPreview(Data([1, 2, 3]), sourceSHA256: "same-photo")
        try await journal.storeOriginalPreview(Data([9, 9, 9]), sourceSHA256: "same-photo")  // ignored: deduplicated
        try await journal.storeOutputPreview(Data([4, 5]), sourceSHA256: "same-photo", fingerprint: "fp1")
        try await journal.storeOutputPreview(Data([6, 7]), sourceSHA256: "same-photo", fingerprint: "fp2")
        #expect(try await journal.hasPreviews(sourceSHA256: "same-photo", fingerprint: "fp1") == (true, true))
        #expect(
            try await journal.previews(item: items[0].id)
                == Journal.Previews(original: Data([1, 2, 3]), output: Data([4, 5])))
        #expect(
            try await journal.previews(item: items[1].id)
                == Journal.Previews(original: Data([1, 2, 3]), output: Data([4, 5])))
        #expect(
            try await journal.previews(item: items[2].id)
                == Journal.Previews(original: Data([1, 2, 3]), output: Data([6, 7])))
        #expect(try await journal.previews(item: items[3].id) == Journal.Previews(original: nil, output: nil))
        await #expect(throws: JournalError.self) { try await journal.previews(item: 9999) }
    }

    @Test func countsMapStatesToStatusNames() async throws {
        let folder = try JournalFolder()
        let journal = try await Journal.open(at: folder.path)
        let run = try await journal.startRun(kind: .upload, commandKey: "k", arguments: []).run
        let states: [Journal.ItemState] = [
            .uploaded, .uploaded, .unchanged, .failed, .pending, .converted, .uploading, .invalid, .skipped, .skipped,
            .removed,
        ]
        var planned = newItems(states.indices.map { "u\($0)@x.com" })
        planned[7].state = .invalid
        planned[7].reason = "photo file not found"
        let items = try await journal.addItems(planned, run: run.id)
        #expect(items[7].state == .invalid)
        #expect(items[7].reason == "photo file not found")
        for (item, state) in zip(items, states) where state != .pending && state != .invalid {
            try await journal.record(Journal.ItemUpdate(state), item: item.id)
        }
        let counts = try await journal.counts(run: run.id)
        #expect(counts[.uploaded] == 2)
        #expect(counts[.skipped] == 2)
        #expect(counts.total == states.count)
        let summary = Dictionary(uniqueKeysWithValues: counts.summary.map { ($0.name, $0.count) })
        #expect(
            summary == [
                "uploaded": 2, "unchanged": 1, "failed": 1, "pending": 3, "skipped_invalid": 3, "removed": 1,
                "would_upload": 0, "would_remove": 0, "kept": 0, "restored": 0, "would_replace": 0, "would_add": 0,
                "total": 11,
            ])
        await #expect(throws: JournalError.self) {
            try await journal.record(Journal.ItemUpdate(.failed), item: 424_242)
        }
        await #expect(throws: JournalError.self) { try await journal.finishRun(424_242, status: .completed) }
    }

    @Test func redactsSecretValuesInArguments() async throws {
        let arguments = [
            "upload", "--csv", "people.csv", "--client-secret", "s3cr3t", "--token=abc", "--cert-password", "pw",
            "--client-assertion", "eyJ", "--Access-Token", "--quiet", "--tenant", "contoso",
        ]
        let redacted = Redaction.arguments(arguments)
        #expect(
            redacted == [
                "upload", "--csv", "people.csv", "--client-secret", "***", "--token=***",
                "--cert-password",
                "***", "--client-assertion", "***", "--Access-Token", "--quiet", "--tenant", "contoso",
            ])
        let folder = try JournalFolder()
        let journal = try await Journal.open(at: folder.path)
        let run = try await journal.startRun(kind: .upload, commandKey: "k", arguments: arguments).run
        #expect(run.arguments == redacted)
        let raw =
            try Data(contentsOf: URL(fileURLWithPath: folder.path))
            + (try Data(contentsOf: URL(fileURLWithPath: folder.path + "-wal")))
        #expect(raw.range(of: Data("s3cr3t".utf8)) == nil, "the secret must not reach the file")
    }
}

@Suite struct JournalCommandKeyTests {
    @Test func commandKeyIsAbsoluteAndNamesEverySetting() {
        let key = UploadJob.commandKey(source: "people.csv", target: .users, match: .upn, settingsFingerprint: "fp9")
        #expect(key == FileManager.default.currentDirectoryPath + "/people.csv target=users match=upn settings=fp9")
        let other = UploadJob.commandKey(
            source: "./x/../people.csv", target: .users, match: .upn, settingsFingerprint: "fp9")
        #expect(other == key)
        #expect(
            UploadJob.commandKey(source: "/a.csv", target: .groups, match: .id, settingsFingerprint: "f")
                == "/a.csv target=groups match=id settings=f")
    }
}

@Suite struct SourcePlanJournalTests {
    @Test func planBecomesPendingAndInvalidItemsInSourceOrder() async throws {
        let plan = SourcePlan(
            items: [
                SourceItem(line: 2, key: "a@x.com", photoPath: "/p/a.jpg", writtenPath: "a.jpg"),
                SourceItem(line: 5, key: "d@x.com", photoPath: "/p/d.jpg", writtenPath: "d.jpg"),
            ],
            problems: [
                SourceProblem(line: 3, key: "b", path: "b.jpg", reason: .malformedKey(.upn, "b")),
                SourceProblem(line: 4, key: nil, path: "c.jpg", reason: .missingKey(.upn)),
            ],
            merged: [SourceProblem(line: 6, key: "a@x.com", path: "a.jpg", reason: .sameAsEarlier("line 2"))])
        let items = plan.journalItems(options: SourceOptions(target: .users), fingerprint: "fp7")
        #expect(items.map(\.line) == [2, 3, 4, 5])
        #expect(items.map(\.state) == [.pending, .invalid, .invalid, .pending])
        #expect(items.map(\.key) == ["a@x.com", "b", "", "d@x.com"])
        #expect(items[1].reason == "'b' is not a valid UPN (expected name@domain)")
        #expect(items[0].fingerprint == "fp7" && items[0].sourcePath == "/p/a.jpg")
        let groups = plan.journalItems(options: SourceOptions(match: .upn, target: .groups), fingerprint: "f")
        #expect(groups.allSatisfy { $0.match == .id && $0.target == .groups })

        let folder = NSTemporaryDirectory() + "photoprov-plan-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let journal = try await Journal.open(at: folder + "/j")
        let run = try await journal.startRun(kind: .dryRun, commandKey: "k", arguments: []).run
        let stored = try await journal.addItems(items, run: run.id)
        #expect(stored.map(\.state) == [.pending, .invalid, .invalid, .pending])
        #expect(stored.filter(\.state.needsWork).map(\.key) == ["a@x.com", "d@x.com"])
    }
}
