import Foundation
import PhotoProvisioning
import TestSupport
import Testing

/// Issue 11 end to end, the built binary against the emulator: a backup before every change, restore and the
/// restore of a restore, kills at random moments, and the journal's rules for what it holds.
@Suite struct BackupRestoreTests {
    @Test func restoreRoundTripPutsEverySeededPhotoBackAndRestoringTheRestoreReturnsTheUpload() async throws {
        let tenant = try await BackupTenant.make(count: 60, withPhotos: 50)
        let upload = try await tenant.upload(["--concurrency", "8"])
        #expect(upload.status == 0, "\(upload.stdout) \(upload.stderr)")
        let uploaded = try await tenant.photos()
        for upn in tenant.batch.upns {
            let now = uploaded[upn] ?? nil
            #expect(now != nil && now != tenant.seeded[upn], "\(upn) got the new photo")
        }

        let restore = try await tenant.restore(1, ["--report", tenant.batch.path("restore-report")])
        #expect(restore.status == 0, "\(restore.stdout) \(restore.stderr)")
        #expect(restore.stdout.contains("60 restored"), "\(restore.stdout)")
        let restored = try await tenant.photos()
        for upn in tenant.batch.upns {
            if let seed = tenant.seeded[upn] {
                #expect(restored[upn] == seed, "\(upn) has its own photo back, byte for byte")
            } else {
                #expect(restored[upn] == .some(nil), "\(upn) had no photo and has none again")
            }
        }
        let (items, counts) = try tenant.report(tenant.batch.path("restore-report"))
        #expect(counts["restored"] == 60)
        #expect(items[tenant.batch.upns[0]]?["hadPhoto"] as? Bool == true, "the restore backed up the upload first")

        let again = try await tenant.restore(2)
        #expect(again.status == 0, "\(again.stdout) \(again.stderr)")
        let reRestored = try await tenant.photos()
        for upn in tenant.batch.upns {
            #expect(reRestored[upn] == uploaded[upn], "\(upn) is back to what run 1 uploaded")
        }

        let journal = try await tenant.batch.openJournal()
        #expect(try await journal.integrityCheck() == "ok")
        #expect(try await journal.run(id: 2)?.restoresRun == 1)
        #expect(try await journal.run(id: 3)?.restoresRun == 2)
        let backups = try await journal.backups(run: 1)
        #expect(backups.count == 60)
        #expect(
            Dictionary(uniqueKeysWithValues: backups.compactMap { b in b.sha256.map { (b.key, $0) } }) == tenant.seeded)
        for suffix in ["", "-wal", "-shm"] {
            let attributes = try FileManager.default.attributesOfItem(atPath: tenant.batch.journal + suffix)
            #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600, "journal\(suffix) is private")
        }
    }

    @Test func killsAtRandomMomentsOfAnUploadAndARestoreLoseNoBackup() async throws {
        // Enough work that the kills, a few requests apart, all land before a run can finish.
        let tenant = try await BackupTenant.make(count: 90, withPhotos: 60, extra: ["--latency-ms", "30"])
        let upload = [
            "upload", "--csv", tenant.batch.csv, "--journal", tenant.batch.journal, "--concurrency", "4",
            "--quiet",
        ]
        let uploadKills = try await killRepeatedly(tenant, upload, times: 10, methods: ["PUT", "GET"])
        #expect(uploadKills >= 10, "\(uploadKills) kills struck the upload")
        let finish = try await tenant.run(upload)
        #expect(finish.status == 0, "\(finish.stdout) \(finish.stderr)")
        #expect(finish.stdout.contains("resuming"), "\(finish.stdout)")
        let journal = try await tenant.batch.openJournal()
        let backups = try await journal.backups(run: 1)
        #expect(backups.count == 90, "everyone's photo (or its absence) was kept before the change")
        #expect(
            Dictionary(uniqueKeysWithValues: backups.compactMap { b in b.sha256.map { (b.key, $0) } }) == tenant.seeded,
            "every backup holds the photo from before the run, never one the run itself left")
        let uploaded = try await tenant.photos()

        let restore = ["restore", "--run", "1", "--journal", tenant.batch.journal, "--concurrency", "4", "--quiet"]
        let restoreKills = try await killRepeatedly(tenant, restore, times: 5, methods: ["PUT", "GET"])
        #expect(restoreKills >= 5, "\(restoreKills) kills struck the restore")
        // The people who had no photo come last; one more kill among their DELETEs, when it lands in time.
        _ = try await killRepeatedly(tenant, restore, times: 1, methods: ["DELETE"])
        let done = try await tenant.run(restore)
        #expect(done.status == 0, "\(done.stdout) \(done.stderr)")
        #expect(try await journal.integrityCheck() == "ok")
        #expect(try await journal.latestRun()?.id == 2, "every start continued the one restore run")
        let restored = try await tenant.photos()
        for upn in tenant.batch.upns {
            #expect(restored[upn] == tenant.seeded[upn], "\(upn) is as before the upload")
        }
        let restoreBackups = try await journal.backups(run: 2)
        #expect(restoreBackups.count == 90)
        #expect(
            restoreBackups.allSatisfy { $0.sha256 != nil && $0.sha256 == uploaded[$0.key] ?? nil },
            "the restore backed up what the upload left, so it can be undone too")
    }

    /// Starts `arguments` again and again, each time killing it with SIGKILL when the emulator has received a
    /// random number (1…4) more requests of one of `methods`; returns how many kills struck a running process.
    private func killRepeatedly(
        _ tenant: BackupTenant, _ arguments: [String], times: Int, methods: [String]
    ) async throws -> Int {
        var struck = 0
        var starts = 0
        while struck < times, starts < times * 3 {
            starts += 1
            let method = methods[starts % methods.count]
            let target = try await tenant.emulator.arrived(method: method) + Int.random(in: 1...4)
            let process = try PhotoprovProcess.start(arguments, environment: tenant.emulator.environment)
            // Throws when the process ended first: that is seen from its ending below.
            _ = try? await tenant.emulator.signal(SIGKILL, to: process, whenArrived: target, method: method)
            let ended = await process.finished()
            guard ended.reason == .uncaughtSignal else {  // it finished first
                print("start \(starts) ended by itself (\(method) \(target)): \(ended.stdoutText.suffix(600))")
                break
            }
            struck += 1
            let journal = try await tenant.batch.openJournal()
            #expect(try await journal.integrityCheck() == "ok", "the journal is sound after kill \(struck)")
        }
        return struck
    }
}
