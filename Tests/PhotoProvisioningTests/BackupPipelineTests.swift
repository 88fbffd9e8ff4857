import Foundation
import PhotoProvisioningTestSupport
import Testing

@testable import PhotoGraph
@testable import PhotoJournal
@testable import PhotoProvisioning

/// The step before every write, in process against a scripted Graph: the order of reads and writes, what a failing
/// backup stops, verification after the upload, and the rules that keep photoprov's hands off.
@Suite struct BackupPipelineTests {
    private static let theirs = Data(ReportSamples.sources[1])

    @Test func eachWriteFollowsItsBackupAndIsReadBackAfterwards() async throws {
        let people = keys(4)
        let source = try PipelineSource(keys: people)
        let graph = ScriptedGraph(photos: [people[0]: Self.theirs])
        let summary = try await UploadJob(settings: source.settings(), graph: graph).run()
        #expect(summary.counts[.uploaded] == 4)
        for key in people {
            let calls = graph.calls.filter { [.read(key), .put(key), .metadata(key)].contains($0) }
            #expect(calls == [.read(key), .put(key), .metadata(key)], "\(key): backup, write, verification")
        }
        let journal = try await Journal.open(at: source.journal, create: false)
        let backups = try await journal.backups(run: summary.runID)
        #expect(backups.map(\.key).sorted() == people.sorted())
        let first = try #require(backups.first { $0.key == people[0] })
        #expect(first.hadPhoto && first.contentType == "image/jpeg" && first.etag != nil)
        #expect(try await journal.backupPhoto(sha256: first.sha256!) == Self.theirs, "the exact bytes")
        #expect(backups.filter { !$0.hadPhoto }.count == 3, "the others had none")
        for item in try await journal.items(run: summary.runID) {
            #expect(item.etag == graph.photo(item.key)?.etag, "the ETag after the upload is recorded")
            #expect(try await journal.lastUpload(target: .users, match: .upn, key: item.key)?.etag == item.etag)
        }
    }

    @Test func aBackupThatCannotBeStoredStopsTheRunBeforeAnyWrite() async throws {
        let source = try PipelineSource(keys: keys(3))
        do {
            let journal = try await Journal.open(at: source.journal)
            try await journal.executeForTest(
                """
                CREATE TRIGGER refuse_backups BEFORE INSERT ON backups \
                BEGIN SELECT RAISE(ABORT, 'disk is full (planted by the test)'); END
                """)
        }
        let graph = ScriptedGraph(photos: [keys(3)[1]: Self.theirs])
        do {
            _ = try await UploadJob(settings: source.settings(), graph: graph).run()
            Issue.record("a backup that cannot be stored must stop the run")
        } catch let failure as RunFailure {
            #expect((failure.cause as? JournalError)?.detail.contains("disk is full") == true, "\(failure)")
        }
        #expect(!graph.calls.contains { $0.isWrite }, "no write without its backup: \(graph.calls)")
        #expect(try await source.items(run: 1).allSatisfy { $0.state.needsWork })
    }

    @Test func aPhotoChangedSinceOurUploadIsKeptEvenWhenTheReadGivesNoETag() async throws {
        let people = keys(2)
        let source = try PipelineSource(keys: people)
        let graph = ScriptedGraph(readsCarryETag: false)
        _ = try await UploadJob(settings: source.settings(), graph: graph).run()
        // Someone else sets people[0]'s photo (a new ETag), then the run is forced to upload everyone again.
        _ = await graph.putPhoto(.user(people[0]), jpeg: Self.theirs)
        var again = source.settings()
        again.force = true
        let summary = try await UploadJob(settings: again, graph: graph).run()
        #expect(summary.counts[.kept] == 1 && summary.counts[.uploaded] == 1)
        #expect(graph.photo(people[0])?.bytes == Self.theirs, "theirs stays")
        let items = try await source.items(run: summary.runID)
        #expect(items.first { $0.key == people[0] }?.reason?.contains("changed outside photoprov") == true)
        // people[1]: read back after the first upload; then, having a photo, its ETag asked of the metadata before
        // the second upload, and read back after it.
        #expect(graph.calls.filter { $0 == .metadata(people[1]) }.count == 3, "\(graph.calls)")
    }

    @Test func aPhotoOfAnotherSizeAfterTheUploadFailsWithItsReason() async throws {
        let people = keys(2)
        let source = try PipelineSource(keys: people)
        let graph = ScriptedGraph(storedSizes: [people[1]: (width: 48, height: 48)])
        let summary = try await UploadJob(settings: source.settings(), graph: graph).run()
        #expect(summary.counts[.uploaded] == 1 && summary.counts[.failed] == 1)
        let items = try await source.items(run: summary.runID)
        let bad = try #require(items.first { $0.key == people[1] })
        #expect(bad.failure == .verificationFailed)
        let sent = "\(bad.photo.outputWidth ?? 0)×\(bad.photo.outputHeight ?? 0)"
        let expected = "graph holds a 48×48 photo after the upload, not the \(sent) one sent"
        #expect(bad.reason == expected, "\(bad.reason ?? "")")
        #expect(bad.etag != nil, "its ETag is kept, so a restore can still tell whether it changed since")
    }

    @Test func theReportShowsThePreviousPhotoBesideTheSourceAndTheUpload() async throws {
        let people = keys(2)
        let source = try PipelineSource(keys: people)
        var settings = source.settings()
        settings.reportDirectory = source.folder + "/report"
        settings.keepPreviews = true
        let graph = ScriptedGraph(photos: [people[0]: Self.theirs])
        let summary = try await UploadJob(settings: settings, graph: graph).run()
        let files = try #require(summary.report)
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: files.json)))
        let items = (json as? [String: Any])?["items"] as? [[String: Any]] ?? []
        let replaced = try #require(items.first { $0["key"] as? String == people[0] })
        #expect(replaced["hadPhoto"] as? Bool == true && replaced["previousBytes"] as? Int == Self.theirs.count)
        let added = try #require(items.first { $0["key"] as? String == people[1] })
        #expect(added["hadPhoto"] as? Bool == false && added["previousBytes"] is NSNull)
        let csv = try String(contentsOfFile: files.csv, encoding: .utf8).split(separator: "\r\n")
        #expect(csv[0].contains(",hadPhoto,previousBytes,"))  // the face framing's columns follow
        #expect(csv.contains { $0.contains(people[0]) && $0.contains(",true,\(Self.theirs.count),") })
        // report.html: one line per item in the block of backups' previews, a picture where there was a photo.
        let html = try String(contentsOfFile: files.html, encoding: .utf8)
        let block = try #require(html.range(of: "<script type=\"text/plain\" id=\"report-previous\">"))
        let lines = html[block.upperBound...].prefix { $0 != "<" }.split(
            separator: "\n", omittingEmptySubsequences: false)
        let order = items.map { $0["key"] as? String }
        #expect(lines[order.firstIndex(of: people[0])!].hasPrefix("data:image/jpeg;base64,"))
        #expect(lines[order.firstIndex(of: people[1])!].isEmpty, "had none: no picture")
        #expect(html.contains("'Previous'"), "the card labels it")
    }

    @Test func unchangedPhotosAreNeitherReadNorWritten() async throws {
        let source = try PipelineSource(keys: keys(3))
        _ = try await UploadJob(settings: source.settings(), graph: ScriptedGraph()).run()
        let graph = ScriptedGraph()
        let sync = try await UploadJob(settings: source.settings(), graph: graph).run()
        #expect(sync.counts[.unchanged] == 3)
        #expect(graph.calls == [.signIn, .preflight], "\(graph.calls)")
    }

    @Test func aPhotoGraphAcceptedBeforeAnInterruptionIsOnlyReadBackOnResume() async throws {
        let people = keys(2)
        let source = try PipelineSource(keys: people)
        let graph = ScriptedGraph()
        graph.cancelReadBacks(of: [people[0]])
        await #expect(throws: RunFailure.self, "the item left `verifying` ends the run unfinished") {
            _ = try await UploadJob(settings: source.settings(), graph: graph).run()
        }
        let left = try #require(try await source.items(run: 1).first { $0.key == people[0] })
        #expect(left.state == .verifying && left.reply.httpStatus == 200, "accepted, recorded before the read back")
        graph.cancelReadBacks(of: [])
        let resumed = try await UploadJob(settings: source.settings(), graph: graph).run()
        #expect(resumed.runID == 1 && resumed.counts[.uploaded] == 2)
        #expect(graph.puts.filter { $0 == people[0] }.count == 1, "not sent again: \(graph.calls)")
        #expect(graph.calls.filter { $0 == .metadata(people[0]) }.count == 2, "read back once more")
        let item = try #require(try await source.items(run: 1).first { $0.key == people[0] })
        #expect(item.etag != nil && item.etag == graph.photo(people[0])?.etag)
    }

    @Test func aResumedWriteKeepsTheBackupItsFirstAttemptTook() async throws {
        let people = keys(1)
        let source = try PipelineSource(keys: people)
        let journal = try await Journal.open(at: source.journal)
        let start = try await journal.startRun(kind: .upload, commandKey: "k", arguments: [])
        let item = try #require(try await journal.addItems([Journal.NewItem(key: people[0])], run: start.run.id).first)
        let before = Journal.BackupPhoto(bytes: Self.theirs, contentType: "image/jpeg", etag: "\"before\"")
        let first = try await journal.recordBackup(item: item.id, photo: before)
        let again = try await journal.recordBackup(
            item: item.id, photo: Journal.BackupPhoto(bytes: Data("ours".utf8), contentType: "image/jpeg", etag: "x"))
        #expect(again == first, "a second backup of the same item returns the first, unchanged")
        #expect(try await journal.totals().backups.distinctPhotos == 1)
    }
}

/// The rules as a table: what happens to a write given what the target holds and what photoprov left there.
@Suite struct WriteRulesTests {
    private func last(etag: String?) -> Journal.LastUpload {
        Journal.LastUpload(
            target: .users, match: .upn, key: "a@x", resolvedID: nil, sourceSHA256: "s", fingerprint: "f",
            uploadedAt: Date(), runID: 3, itemID: 9, etag: etag)
    }

    @Test func uploads() {
        let ours = CurrentPhoto(hasPhoto: true, etag: "\"E1\"")
        let theirs = CurrentPhoto(hasPhoto: true, etag: "\"E2\"")
        let none = CurrentPhoto(hasPhoto: false, etag: nil)
        func rule(
            _ current: CurrentPhoto, _ last: Journal.LastUpload?, onlyMissing: Bool = false, overwrite: Bool = false
        )
            -> WriteDecision
        {
            WriteRules.upload(current, last: last, onlyMissing: onlyMissing, overwriteOthers: overwrite)
        }
        #expect(rule(theirs, nil) == .write, "first contact with a photo: replace it, backed up")
        #expect(rule(ours, last(etag: "\"E1\"")) == .write, "still the photo we left")
        #expect(rule(ours, last(etag: "W/\"E1\"")) == .write, "a weak spelling of the same ETag is the same")
        guard case .skip(.kept, let reason) = rule(theirs, last(etag: "\"E1\"")) else {
            Issue.record("changed since we set it: kept")
            return
        }
        #expect(reason.contains("since run 3") && reason.contains("\"E2\""))
        #expect(rule(theirs, last(etag: "\"E1\""), overwrite: true) == .write)
        #expect(rule(none, last(etag: "\"E1\"")) == .write, "a photo that is gone is no one's")
        #expect(rule(theirs, last(etag: nil)) == .write, "no ETag recorded: nothing to compare")
        if case .skip(.kept, _) = rule(theirs, nil, onlyMissing: true) {} else { Issue.record("--only-missing keeps") }
        #expect(rule(none, nil, onlyMissing: true) == .write)
        #expect(
            WriteRules.removal(none, last: last(etag: "\"E1\""), overwriteOthers: false)
                == .skip(.removed, "had no photo any more; nothing to delete"))
        if case .skip(.kept, _) = WriteRules.removal(theirs, last: last(etag: "\"E1\""), overwriteOthers: false) {
        } else {
            Issue.record("a photo someone else set is not deleted")
        }
    }

    @Test func restores() {
        let backup = Journal.Backup(
            id: 1, runID: 4, itemID: 7, target: .users, match: .upn, key: "a@x", resolvedID: nil, sha256: "old",
            contentType: "image/jpeg", etag: "\"B\"", bytes: 10, takenAt: Date())
        let original = Journal.Item(id: 7, runID: 4, key: "a@x", state: .uploaded, etag: "\"A\"")
        func rule(
            _ etag: String?, has: Bool = true, later: Int64? = nil, force: Bool = false, item: Journal.Item? = nil
        )
            -> WriteDecision
        {
            WriteRules.restore(
                CurrentPhoto(hasPhoto: has, etag: etag), backup: backup, original: item ?? original, laterRun: later,
                force: force)
        }
        #expect(rule("\"A\"") == .write, "what run 4 left: put the old photo back")
        #expect(rule("\"B\"") == .skip(.unchanged, "already as it was before run 4"))
        if case .skip(.kept, let why) = rule("\"C\"") {
            #expect(why.contains("changed outside photoprov"))
        } else {
            Issue.record("changed after run 4: kept")
        }
        #expect(rule("\"C\"", force: true) == .write)
        if case .skip(.kept, let why) = rule("\"A\"", later: 6) {
            #expect(why.contains("run 6"))
        } else {
            Issue.record("a later run changed it: kept")
        }
        var unfinished = original
        (unfinished.state, unfinished.etag) = (.uploading, nil)
        if case .skip(.kept, _) = rule("\"C\"", item: unfinished) {} else { Issue.record("an unfinished write: kept") }
        var team = backup
        (team.target, team.sha256) = (.teams, nil)
        let decision = WriteRules.restore(
            CurrentPhoto(hasPhoto: true, etag: "\"A\""), backup: team, original: original, laterRun: nil, force: false)
        if case .skip(.skipped, let why) = decision {
            #expect(why.contains("cannot delete a team photo"))
        } else {
            Issue.record("graph cannot delete a team photo: \(decision)")
        }
    }

    @Test func verificationAcceptsTheSizeSentAndHDDownscalesOnly() {
        func stored(_ width: Int, _ height: Int) -> PhotoMetadata {
            PhotoMetadata(etag: "e", contentType: "image/jpeg", width: width, height: height)
        }
        #expect(WriteRules.mismatch(stored: stored(648, 648), sentWidth: 648, sentHeight: 648) == nil)
        #expect(WriteRules.mismatch(stored: stored(648, 648), sentWidth: 1000, sentHeight: 1000) == nil)
        #expect(WriteRules.mismatch(stored: stored(96, 96), sentWidth: 648, sentHeight: 648) != nil)
        #expect(WriteRules.mismatch(stored: stored(648, 400), sentWidth: 1000, sentHeight: 1000) != nil)
    }

    @Test func graphsPlaceholderForANeverSetPhotoIsNoPhoto() {
        // profilephoto-get: a user whose photo was never uploaded may answer 200 with a 1×1 gif and no ETag.
        let placeholder: [String: any Sendable] = [
            "@odata.mediaContentType": "image/gif", "@odata.mediaEtag": "", "id": "1x1", "width": 1, "height": 1,
        ]
        #expect(PhotoMetadata(json: placeholder) == nil)
        let real: [String: any Sendable] = [
            "@odata.mediaContentType": "image/jpeg", "@odata.mediaEtag": "\"BA09D118\"", "width": 240.0, "height": 240,
        ]
        #expect(
            PhotoMetadata(json: real)
                == PhotoMetadata(etag: "\"BA09D118\"", contentType: "image/jpeg", width: 240, height: 240))
    }
}
