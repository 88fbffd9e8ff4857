import Foundation
import PhotoProvisioning
import TestSupport
import Testing

/// Hands off photos someone else set, `--only-missing`, `--remove-missing` with its backups, `export`, dry runs and
/// the journal's bookkeeping of backups: the built binary against the emulator.
@Suite struct HandsOffTests {
    @Test func photosChangedOutsidePhotoprovAreKeptUntilOverwriteOthersReplacesThemWithABackup() async throws {
        let tenant = try await BackupTenant.make(count: 6, withPhotos: 3)
        #expect(try await tenant.upload().status == 0)
        let changed = [tenant.batch.upns[1], tenant.batch.upns[4]]
        var theirs: [String: String] = [:]
        for (index, upn) in changed.enumerated() {
            theirs[upn] = try await tenant.changeOutside(upn, seed: 500 + index)
        }

        // --force: every photo would be uploaded again, but the two changed ones are someone else's now.
        let report = tenant.batch.path("kept-report")
        let second = try await tenant.upload(["--force", "--report", report])
        #expect(second.status == 0, "kept is not a failure: \(second.stdout) \(second.stderr)")
        #expect(second.stdout.contains("4 uploaded") && second.stdout.contains("2 kept"), "\(second.stdout)")
        let photos = try await tenant.photos()
        for upn in changed {
            #expect(photos[upn] == theirs[upn], "\(upn) keeps the photo they set")
            #expect(try await tenant.uploads(upn) == 1, "\(upn) was not uploaded again")
        }
        let (items, counts) = try tenant.report(report)
        #expect(counts["kept"] == 2)
        let reason = items[changed[0]]?["reason"] as? String ?? ""
        #expect(reason.contains("changed outside photoprov") && reason.contains("--overwrite-others"), "\(reason)")
        let csv = try String(contentsOfFile: report + "/report.csv", encoding: .utf8)
        #expect(csv.split(separator: "\r\n").filter { $0.contains(",kept,") }.count == 2)
        let journal = try await tenant.batch.openJournal()
        let status = try await tenant.run(["status", "--journal", tenant.batch.journal, "--json"])
        let object = try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any] ?? [:]
        #expect((object["counts"] as? [String: Any])?["kept"] as? Int == 2, "\(status.stdout)")

        let third = try await tenant.upload(["--force", "--overwrite-others"])
        #expect(third.status == 0 && third.stdout.contains("6 uploaded"), "\(third.stdout)")
        for upn in changed {
            #expect(try await tenant.uploads(upn) == 2)
            let backup = try await journal.backups(run: 3).first { $0.key == upn }
            #expect(backup?.sha256 == theirs[upn], "their photo was backed up before it was replaced")
        }
    }

    @Test func onlyMissingTouchesOnlyPeopleWithoutAPhoto() async throws {
        let tenant = try await BackupTenant.make(count: 8, withPhotos: 5)
        let run = try await tenant.upload(["--only-missing"])
        #expect(run.status == 0, "\(run.stdout) \(run.stderr)")
        #expect(run.stdout.contains("3 uploaded") && run.stdout.contains("5 kept"), "\(run.stdout)")
        let photos = try await tenant.photos()
        for (index, upn) in tenant.batch.upns.enumerated() {
            if index < 5 {
                #expect(photos[upn] == tenant.seeded[upn], "\(upn) keeps its photo")
                #expect(try await tenant.uploads(upn) == 0)
            } else {
                #expect(try await tenant.uploads(upn) == 1, "\(upn) had none and got one")
            }
        }
    }

    @Test func removeMissingBacksUpBeforeEachDeleteAndRestorePutsThePhotosBack() async throws {
        let tenant = try await BackupTenant.make(count: 4, withPhotos: 0)
        #expect(try await tenant.upload().status == 0)
        let before = try await tenant.photos()
        try tenant.batch.write("people.csv", "upn,photo\nuser0001@contoso.example,user0001.jpg\n")
        // Three of the four photos this source set: allowed explicitly, above the default --max-removals 10%.
        let removal = try await tenant.upload(["--remove-missing", "--max-removals", "3"])
        #expect(removal.status == 0 && removal.stdout.contains("3 removed"), "\(removal.stdout)")
        let journal = try await tenant.batch.openJournal()
        let backups = try await journal.backups(run: 2)
        #expect(Set(backups.map(\.key)) == Set(tenant.batch.upns.dropFirst()))
        for backup in backups {
            #expect(backup.sha256 == before[backup.key] ?? nil, "\(backup.key) was backed up before the DELETE")
            #expect(try await journal.backupPhoto(sha256: backup.sha256 ?? "").map(Digest.sha256Hex) == backup.sha256)
        }
        #expect(try await tenant.photos()[tenant.batch.upns[2]] == .some(nil), "the photo is gone")

        let restore = try await tenant.restore(2)
        #expect(restore.status == 0 && restore.stdout.contains("3 restored"), "\(restore.stdout)")
        let after = try await tenant.photos()
        for upn in tenant.batch.upns { #expect(after[upn] == before[upn], "\(upn) has its photo back") }
    }

    @Test func exportWritesTheExactBytesNamedByUPNAndContentType() async throws {
        let tenant = try await BackupTenant.make(count: 4, withPhotos: 3)
        let out = tenant.batch.path("export")
        let run = try await tenant.run(["export", "--csv", tenant.batch.csv, "--out", out])
        #expect(run.status == 0, "\(run.stdout) \(run.stderr)")
        #expect(run.stdout.contains("3 photo(s) written") && run.stdout.contains("1 without a photo"), "\(run.stdout)")
        for (upn, sha) in tenant.seeded {
            let data = try Data(contentsOf: URL(fileURLWithPath: out + "/\(upn).jpg"))
            #expect(Digest.sha256Hex(data) == sha, "\(upn).jpg holds exactly what Graph holds")
        }
        #expect(!FileManager.default.fileExists(atPath: out + "/\(tenant.batch.upns[3]).jpg"))
        let all = try await tenant.run(["export", "--all-users", "--out", tenant.batch.path("all")])
        #expect(all.status == 0 && all.stdout.contains("3 photo(s) written"), "\(all.stdout) \(all.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: tenant.batch.path("all")).count == 3)
        #expect(try await tenant.emulator.arrived(method: "PUT") == 0, "an export changes nothing")
    }

    @Test func aDryRunTellsWouldReplaceFromWouldAddAndTheEmulatorSeesNoWrite() async throws {
        let tenant = try await BackupTenant.make(count: 7, withPhotos: 4)
        let report = tenant.batch.path("dry")
        let run = try await tenant.upload(["--dry-run", "--report", report])
        #expect(run.status == 0, "\(run.stdout) \(run.stderr)")
        let (items, counts) = try tenant.report(report)
        #expect(counts["would-replace"] == 4 && counts["would-add"] == 3 && counts["would-upload"] == 0, "\(counts)")
        #expect(items[tenant.batch.upns[0]]?["outcome"] as? String == "would-replace")
        #expect(items[tenant.batch.upns[6]]?["outcome"] as? String == "would-add")
        let csv = try String(contentsOfFile: report + "/report.csv", encoding: .utf8)
        #expect(csv.split(separator: "\r\n").filter { $0.contains(",would-replace,") }.count == 4)
        #expect(csv.split(separator: "\r\n").filter { $0.contains(",would-add,") }.count == 3)
        let html = try String(contentsOfFile: report + "/report.html", encoding: .utf8)
        #expect(html.contains("\"outcome\":\"would-replace\"") && html.contains("\"outcome\":\"would-add\""))
        let status = try await tenant.run(["status", "--journal", tenant.batch.journal, "--json"])
        let latest = try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any] ?? [:]
        let statusCounts = latest["counts"] as? [String: Any] ?? [:]
        #expect(statusCounts["would_replace"] as? Int == 4, "\(status.stdout)")
        #expect(statusCounts["would_add"] as? Int == 3, "\(status.stdout)")
        for method in ["PUT", "PATCH", "DELETE"] {
            #expect(try await tenant.emulator.arrived(method: method) == 0, "no \(method)")
        }
        #expect(try await tenant.photos().filter { $0.value != nil }.count == 4)
    }

    @Test func aRestoreKeepsPhotosChangedAfterTheRunUnlessForced() async throws {
        let tenant = try await BackupTenant.make(count: 3, withPhotos: 3)
        #expect(try await tenant.upload().status == 0)
        let upn = tenant.batch.upns[0]
        let theirs = try await tenant.changeOutside(upn, seed: 700)
        let dry = try await tenant.restore(1, ["--dry-run"])
        #expect(dry.stdout.contains("kept \(upn)"), "\(dry.stdout)")
        let restore = try await tenant.restore(1)
        #expect(
            restore.status == 0 && restore.stdout.contains("2 restored") && restore.stdout.contains("1 kept"),
            "\(restore.stdout)")
        #expect(restore.stdout.contains("changed outside photoprov after run 1"), "\(restore.stdout)")
        #expect(try await tenant.photos()[upn] == theirs, "the later change is not lost")
        let forced = try await tenant.restore(1, ["--force", "--only", upn.uppercased()])
        #expect(forced.status == 0 && forced.stdout.contains("1 restored"), "\(forced.stdout) \(forced.stderr)")
        #expect(try await tenant.photos()[upn] == tenant.seeded[upn])
        let unknown = try await tenant.restore(1, ["--only", "nobody@contoso.example"])
        #expect(unknown.status == 2 && unknown.stderr.contains("nobody@contoso.example"), "\(unknown.stderr)")
    }

    @Test func aPhotoThatCannotBeBackedUpIsNeverReplaced() async throws {
        let noMailbox = "lee.gu@contoso.example"
        let tenant = try await BackupTenant.make(
            count: 1, withPhotos: 1, extraUsers: [["userPrincipalName": noMailbox, "hasMailbox": false]])
        try tenant.batch.write(
            "people.csv", "upn,photo\n\(tenant.batch.upns[0]),user0001.jpg\n\(noMailbox),user0001.jpg\n")
        let run = try await tenant.upload()
        #expect(run.status == 1, "\(run.stdout) \(run.stderr)")
        #expect(run.stdout.contains("could not be backed up first"), "\(run.stdout)")
        #expect(
            try await tenant.emulator.arrived(method: "PUT") == 1, "only the person whose photo was backed up got a PUT"
        )
        let second = try await tenant.upload()
        #expect(second.stdout.contains("1 unchanged") && second.stdout.contains("1 failed"), "\(second.stdout)")
        #expect(
            try await tenant.emulator.arrived(method: "PUT") == 1, "tried again, it is read again and still not written"
        )
    }

    @Test func unchangedPhotosCostNoRequestAndBackupsArePrunedByAge() async throws {
        let tenant = try await BackupTenant.make(count: 5, withPhotos: 5)
        #expect(try await tenant.upload().status == 0)
        let requests = try await tenant.emulator.arrived()
        let sync = try await tenant.upload()
        #expect(sync.stdout.contains("5 unchanged"), "\(sync.stdout)")
        #expect(try await tenant.emulator.arrived() - requests == 1, "only the policy preflight: \(sync.stdout)")

        let status = try await tenant.run(["status", "--journal", tenant.batch.journal])
        #expect(status.stdout.contains("backups: 5 held (5 photo(s), 5 distinct"), "\(status.stdout)")
        // The bytes held are the seeded photos' own, each once.
        let seededBytes = try (0..<5).reduce(0) { total, index in
            total + (try Data(contentsOf: URL(fileURLWithPath: tenant.batch.path("seeded-\(index).jpg")))).count
        }
        let json = try await tenant.run(["status", "--journal", tenant.batch.journal, "--json"])
        let totals = (try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])?["totals"]
        let held = totals as? [String: Any] ?? [:]
        #expect(held["backups"] as? Int == 5 && held["backup_bytes"] as? Int == seededBytes, "\(json.stdout)")
        let young = try await tenant.run(["backups", "prune", "--older-than", "90d", "--journal", tenant.batch.journal])
        #expect(young.status == 0 && young.stdout.contains("dropped 0 backup(s)"), "\(young.stdout)")
        let dry = try await tenant.run(
            ["backups", "prune", "--older-than", "1s", "--dry-run", "--journal", tenant.batch.journal])
        #expect(dry.stdout.contains("would drop 5 backup(s) and 5 photo(s)"), "\(dry.stdout)")
        let journal = try await tenant.batch.openJournal()
        #expect(try await journal.totals().backups.count == 5, "a dry run drops nothing")
        // Everything is at least a second old once a backup taken now is younger than the cut.
        _ = try await journal.pruneBackups(olderThan: Date(timeIntervalSinceNow: 3600))
        #expect(try await journal.totals().backups == Journal.BackupTotals())
        #expect(try await journal.integrityCheck() == "ok")
        let restore = try await tenant.restore(1)
        #expect(restore.status == 2 && restore.stderr.contains("pruned"), "\(restore.stderr)")
    }
}
