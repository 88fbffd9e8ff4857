import Foundation
import PhotoCodec
import PhotoGraph
import PhotoJournal
import PhotoModel

extension UploadJob {
    /// The step before every PUT or DELETE: reads the target's photo (`GET …/photo/$value`; 404 ImageNotFound means
    /// it has none), asks `rule` whether to write, and keeps the photo's exact bytes, content type and ETag in the
    /// journal, committed before this returns `true`. Nothing is written without a backup: a read that fails ends
    /// the item `failed` and unchanged.
    ///
    /// An item backed up before a kill keeps that backup and goes straight to its write: read again, the photo
    /// could be the one its own first attempt left.
    /// - Returns: whether the write may go ahead; `false` when the item is finished (kept, failed, nothing to do)
    ///   or the run is being cancelled (the item stays where it was and resumes next run).
    func backUp(
        _ item: Journal.Item, context: ItemContext,
        rule: @Sendable (CurrentPhoto) async throws -> WriteDecision
    ) async throws -> Bool {
        if try await context.journal.backup(item: item.id) != nil { return true }
        let read = await graph.readPhoto(target(of: item))
        if read.outcome.failure == .cancelled { return false }
        guard read.outcome.succeeded else {
            let reason = "left unchanged: its current photo could not be backed up first (\(read.outcome))"
            let update = Journal.ItemUpdate(
                .failed, failure: read.outcome.failure, reason: reason, reply: GraphReply(read.outcome))
            try await finish(item, update, detail: reason, context: context)
            return false
        }
        var etag = read.photo?.etag
        if read.photo != nil, etag == nil {
            // profilephoto-get documents the ETag as the metadata's `@odata.mediaEtag`, not as a header of the
            // `$value` answer (https://learn.microsoft.com/graph/api/profilephoto-get): without the header, ask there.
            let metadata = await graph.photoMetadata(target(of: item))
            if metadata.outcome.failure == .cancelled { return false }
            etag = metadata.metadata?.etag
        }
        switch try await rule(CurrentPhoto(hasPhoto: read.photo != nil, etag: etag)) {
        case .skip(let state, let reason):
            try await finish(item, Journal.ItemUpdate(state, reason: reason), detail: reason, context: context)
            return false
        case .write:
            let photo = read.photo.map { Journal.BackupPhoto(bytes: $0.bytes, contentType: $0.contentType, etag: etag) }
            try await context.journal.recordBackup(item: item.id, photo: photo)
            if settings.keepPreviews, let photo {
                try await storePreview(of: photo.bytes, sha256: photo.sha256, context)
            }
            return true
        }
    }

    /// Ends a PUT that Graph accepted: records that (`verifying`, with Graph's reply), so a kill from here on never
    /// sends the photo again, then reads the photo's metadata once, which checks that Graph holds a photo of the size
    /// sent and gives the ETag it has now (it changes at every upload, even of the same bytes), recorded for later
    /// runs and restores to compare. A photo missing or of another size fails the item, with its ETag kept.
    /// - Parameter outcome: the PUT's; `nil` for an item resumed in `verifying`, whose reply is recorded already.
    func finishPut(
        _ item: Journal.Item, _ outcome: GraphOutcome?, sentWidth: Int?, sentHeight: Int?, state: ItemState,
        detail: String, warning: String? = nil, context: ItemContext
    ) async throws {
        if let outcome {
            try await context.journal.record(Journal.ItemUpdate(.verifying, reply: GraphReply(outcome)), item: item.id)
        }
        let read = await graph.photoMetadata(target(of: item))
        if read.outcome.failure == .cancelled { return }  // stays `verifying`: read back on resume
        var update = Journal.ItemUpdate(state, reason: warning)  // a conversion's warning stays the reason
        guard read.outcome.succeeded else {
            update.reason =
                ([warning].compactMap { $0 } + ["sent, but it could not be read back to verify (\(read.outcome))"])
                .joined(separator: "; ")
            try await finish(item, update, detail: detail + "; " + update.reason!, context: context)
            return
        }
        let problem: String?
        if let stored = read.metadata {
            update.etag = stored.etag
            problem = sentWidth.flatMap { width in
                sentHeight.flatMap { WriteRules.mismatch(stored: stored, sentWidth: width, sentHeight: $0) }
            }
        } else {
            problem = "graph holds no photo after the upload"
        }
        if let problem {
            var failed = Journal.ItemUpdate(.failed, failure: .verificationFailed, reason: problem)
            failed.etag = update.etag
            try await finish(item, failed, detail: problem, context: context)
            return
        }
        try await finish(
            item, update, detail: ([detail] + [warning].compactMap { $0 }).joined(separator: "; "), context: context)
    }

    /// An item whose PUT Graph accepted before the run was stopped or killed: only the read back is left. The size
    /// sent is the one recorded with the item (the converted photo's, or for a restore the backed-up photo's).
    func verifyAccepted(_ item: Journal.Item, context: ItemContext) async throws {
        try await finishPut(
            item, nil, sentWidth: item.photo.outputWidth, sentHeight: item.photo.outputHeight,
            state: item.restoresBackup == nil ? .uploaded : .restored,
            detail: "sent before the run was interrupted; read back now", context: context)
    }

    /// The last upload of `item`'s key, for the rules (read even under `--force`, which only skips the sync check).
    func lastUpload(of item: Journal.Item, context: ItemContext) async throws -> Journal.LastUpload? {
        try await context.journal.lastUpload(
            target: item.target, match: item.match, mailbox: item.mailbox, key: item.key)
    }

    /// Keeps a small preview of a backed-up photo for reports ("previous" beside the source and the upload).
    func storePreview(of bytes: Data, sha256: String, _ context: ItemContext) async throws {
        guard try await !context.journal.hasPreviews(sourceSHA256: sha256, fingerprint: "").original else { return }
        let side = Self.previewSide
        let preview = try? await context.pool.run {
            try PhotoCodec.convert([UInt8](bytes), options: ConvertOptions(maxSide: side, crop: .none, quality: 75))
                .jpeg
        }
        if let preview { try await context.journal.storeOriginalPreview(Data(preview), sourceSHA256: sha256) }
    }
}
