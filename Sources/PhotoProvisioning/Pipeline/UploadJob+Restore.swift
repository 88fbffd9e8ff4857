import Foundation
import PhotoCodec
import PhotoGraph
import PhotoJournal
import PhotoModel
import PhotoSources

extension UploadJob {
    /// `photoprov restore --run N`: a run of its own that puts back what run N changed, from the backups it took
    /// before each write: the exact bytes, or a DELETE where the target had no photo. The same machinery as an
    /// upload (bounded concurrency, retries, the journal, the report, resume after a kill), and every write is
    /// backed up first, so a restore can itself be restored.
    ///
    /// - Throws: `JournalError` (no journal; in use), `SourceError` when run N is unknown, a dry run, or has no
    ///   backups (for `only`: none of those keys); after the run started, `RunFailure`.
    func restore(run restored: Int64, only: [String]) async throws -> UploadSummary {
        let started = Date()
        let pool = BlockingPool(threads: settings.jobs)
        let journal = try await Journal.open(at: settings.journalPath, create: false)
        let backups = try await backupsToRestore(run: restored, only: only, journal: journal)
        let wanted = Set(only.map { $0.lowercased() }).sorted()
        let start = try await journal.startRun(
            kind: settings.dryRun ? .dryRun : .upload,
            commandKey: "restore run=\(restored)" + (wanted.isEmpty ? "" : " only=" + wanted.joined(separator: ",")),
            arguments: settings.arguments, restoresRun: restored)
        let runID = start.run.id
        let target = backups.first?.target ?? .users
        var summary = UploadSummary(starting: start, target: target, journalPath: settings.journalPath)
        // A contacts run had one mailbox: the restore checks it as that run did, and finds the folder's id again.
        var restoring = settings
        if target == .contacts { restoring.mailbox = backups.first?.mailbox }
        let job = UploadJob(settings: restoring, graph: graph, stop: stop, events: events)
        do {
            guard let job = try await job.signInAndCheckPolicy(&summary, journal: journal, pool: pool) else {
                summary.seconds = Date().timeIntervalSince(started)
                return summary
            }
            // Planning again on resume adds nothing: the journal keeps an item per key once.
            _ = try await journal.addItems(backups.map(Self.restoreItem), run: runID)
            try await job.workThrough(&summary, journal: journal, pool: pool, photos: nil)
        } catch {
            throw await Self.failure(of: runID, cause: error, journal: journal)
        }
        summary.seconds = Date().timeIntervalSince(started)
        return summary
    }

    /// Run `run`'s backups, or those of the keys in `only`.
    private func backupsToRestore(run: Int64, only: [String], journal: Journal) async throws -> [Journal.Backup] {
        guard let original = try await journal.run(id: run) else {
            throw SourceError("no run \(run) in \(settings.journalPath) ('photoprov status' shows the latest)")
        }
        guard original.kind == .upload else { throw SourceError("run \(run) was a dry run: it changed no photo") }
        let backups = try await journal.backups(run: run)
        guard !backups.isEmpty else {
            throw SourceError("run \(run) holds no backups: it changed no photo, or its backups were pruned")
        }
        let wanted = Set(only.map { $0.lowercased() })
        guard !wanted.isEmpty else { return backups }
        let unknown = wanted.subtracting(backups.map { $0.key.lowercased() })
        guard unknown.isEmpty else {
            throw SourceError(
                "run \(run) changed no photo of " + unknown.sorted().joined(separator: ", ")
                    + " (or its backup was pruned)")
        }
        return backups.filter { wanted.contains($0.key.lowercased()) }
    }

    /// The item that puts `backup` back: a PUT of its photo, or a DELETE where there was none.
    private static func restoreItem(_ backup: Journal.Backup) -> Journal.NewItem {
        Journal.NewItem(
            action: backup.hadPhoto ? .upload : .remove, target: backup.target, match: backup.match, key: backup.key,
            mailbox: backup.mailbox, resolvedID: backup.resolvedID,
            photo: PhotoFacts(sourceSHA256: backup.sha256, sourceBytes: backup.bytes),
            restoresBackup: backup.id)
    }

    /// One restore item: decides from the photo there now (the backup read, or a dry run's look-up), backs it up,
    /// and puts the old photo back (its size checked and ETag recorded as for an upload) or deletes the photo.
    func restore(_ item: Journal.Item, lookup: TargetState?, context: ItemContext) async throws {
        let journal = context.journal
        guard let id = item.restoresBackup, let backup = try await journal.backup(id: id) else {
            let reason = "its backup is gone (pruned), so there is nothing to put back"
            try await finish(item, Journal.ItemUpdate(.failed, reason: reason), detail: reason, context: context)
            return
        }
        if !backup.hadPhoto, !item.target.canDeletePhoto {
            // Nothing is sent: Graph's metadata marks contact and team photos `Deletable=false`
            // (../shared/graph/v1.0-metadata.xml, Annotations microsoft.graph.contact/photo and team/photo,
            // Capabilities.DeleteRestrictions), so "no photo" cannot be put back. The current photo stays.
            let reason =
                (settings.dryRun ? "would fail: " : "")
                + "had no photo before run \(backup.runID), and " + Self.undeletable(item.target)
            try await finish(
                item, Journal.ItemUpdate(.failed, failure: .unsupported, reason: reason), detail: reason,
                context: context)
            return
        }
        let original = try await journal.item(id: backup.itemID)
        let later = try await journal.laterChange(
            target: item.target, match: item.match, mailbox: item.mailbox, key: item.key, after: backup.runID,
            excluding: item.runID)
        let force = settings.force
        let rule = { @Sendable (current: CurrentPhoto) -> WriteDecision in
            WriteRules.restore(current, backup: backup, original: original, laterRun: later, force: force)
        }
        if settings.dryRun {
            let state = lookup ?? TargetState(exists: nil)
            let decision = rule(CurrentPhoto(hasPhoto: state.hasPhoto, etag: state.etag))
            let update: Journal.ItemUpdate
            switch decision {
            case .skip(let ending, let why):
                update = Journal.ItemUpdate(ending, reason: (ending == .kept ? "would keep: " : "") + why)
            case .write where backup.hadPhoto:
                update = Journal.ItemUpdate(
                    .wouldReplace, reason: "would put back the photo from before run \(backup.runID)")
            case .write:
                update = Journal.ItemUpdate(.wouldRemove, reason: "had no photo before run \(backup.runID)")
            }
            try await finish(item, update, detail: update.reason ?? "", context: context)
            return
        }
        guard try await backUp(item, context: context, rule: rule) else { return }
        let target = target(of: item)
        guard let sha = backup.sha256 else {
            try await journal.record(Journal.ItemUpdate(.removing), item: item.id)
            let outcome = await graph.deletePhoto(target)
            if outcome.failure == .cancelled { return }
            let gone = outcome.succeeded
            let update = Journal.ItemUpdate(
                gone ? .restored : .failed, failure: outcome.failure, reason: gone ? nil : outcome.description,
                reply: GraphReply(outcome))
            let detail = gone ? "photo deleted: it had none before run \(backup.runID)" : outcome.description
            try await finish(item, update, detail: detail, context: context)
            return
        }
        guard let bytes = try await journal.backupPhoto(sha256: sha) else {
            let reason = "its backed-up photo is gone (pruned), so there is nothing to put back"
            try await finish(item, Journal.ItemUpdate(.failed, reason: reason), detail: reason, context: context)
            return
        }
        // The size Graph should report afterwards: the backed-up photo's own (Graph gave those bytes).
        let size = try? await context.pool.run {
            try PhotoCodec.convert([UInt8](bytes), options: ConvertOptions(maxSide: 48, crop: .none))
        }
        if settings.keepPreviews { try await storePreview(of: bytes, sha256: sha, context) }
        // What is sent is the backed-up photo itself: its facts are the item's output, read again if a kill leaves
        // the item `verifying`.
        let (width, height) = (size?.sourceWidth, size?.sourceHeight)
        let sent = PhotoFacts(
            sourceSHA256: sha, sourceBytes: bytes.count, sourceWidth: width, sourceHeight: height,
            outputBytes: bytes.count, outputWidth: width, outputHeight: height)
        try await journal.record(Journal.ItemUpdate(.uploading, photo: sent), item: item.id)
        let outcome = await graph.putPhoto(target, bytes: bytes, contentType: backup.contentType ?? "image/jpeg")
        if outcome.failure == .cancelled { return }
        guard outcome.succeeded else {
            let update = Journal.ItemUpdate(
                .failed, failure: outcome.failure, reason: outcome.description, reply: GraphReply(outcome))
            try await finish(item, update, detail: outcome.description, context: context)
            return
        }
        try await finishPut(
            item, outcome, sentWidth: width, sentHeight: height, state: .restored,
            detail: "photo from before run \(backup.runID) put back (\(ByteCount.format(bytes.count)))",
            context: context)
    }
}
