import Foundation
import PhotoCodec

/// What every item task shares: the journal, the last uploads for sync, dry-run lookups and the codec gate.
struct ItemContext: Sendable {
    let journal: Journal
    let lastUploads: [String: Journal.LastUpload]
    let lookups: [PhotoTarget: TargetState]
    let cpu: AsyncSemaphore
}

/// A photo read, hashed and (unless unchanged) converted: the codec stage's result.
private enum Prepared: Sendable {
    case unchanged(sha256: String, bytes: Int)
    case converted(sha256: String, bytes: Int, photo: ConvertedPhoto, outputPreview: [UInt8]?)
    case failed(String)
}

extension UploadJob {
    /// Works through `work` with a sliding window of tasks until done or stopped; a stop lets uploads in flight
    /// finish for up to `gracePeriod` seconds, then cancels them (they stay `uploading` and resume next run).
    func process(_ work: [Journal.Item], context: ItemContext) async {
        let window = settings.jobs * 2 + settings.concurrency
        let processing = Task {
            await withTaskGroup(of: Void.self) { group in
                var pending = work.makeIterator()
                func addNext() {
                    guard !stop.isSet, let item = pending.next() else { return }
                    group.addTask { await self.process(item, context: context) }
                }
                for _ in 0..<window { addNext() }
                while await group.next() != nil { addNext() }
            }
        }
        let watchdog = Task {
            let deadline = settings.maxDuration.map { Date().addingTimeInterval($0) }
            while !stop.isSet {
                if let deadline, Date() >= deadline { stop.stop(.timeLimit) }
                try await Task.sleep(for: .milliseconds(100))
            }
            events(.stopping(stop.reason ?? .interrupted))
            try await Task.sleep(for: .seconds(settings.gracePeriod))
            processing.cancel()
        }
        await processing.value
        watchdog.cancel()
    }

    private func process(_ item: Journal.Item, context: ItemContext) async {
        guard !stop.isSet else { return }
        do {
            switch item.action {
            case .upload: try await upload(item, context: context)
            case .remove: try await remove(item, context: context)
            }
        } catch {
            // A journal write failed: the item keeps its last committed state and is retried on resume.
            events(.note("journal: \(error)"))
        }
    }

    private func finish(_ item: Journal.Item, _ update: Journal.ItemUpdate, detail: String, context: ItemContext)
        async throws
    {
        try await context.journal.record(update, item: item.id)
        events(.item(ItemEvent(key: item.key, location: item.line.map { "line \($0)" }, state: update.state, detail: detail)))
    }

    private func upload(_ item: Journal.Item, context: ItemContext) async throws {
        await context.cpu.acquire()
        guard !stop.isSet, let path = item.sourcePath else {
            await context.cpu.release()
            if item.sourcePath == nil {
                try await finish(item, Journal.ItemUpdate(.failed, reason: "no photo file"), detail: "no photo file",
                    context: context)
            }
            return
        }
        let last = settings.force ? nil : context.lastUploads[item.key]
        let codec = settings.codec
        let previews = settings.keepPreviews
        let prepared = await BlockingWorkers.run { () -> Result<Prepared, Never> in
            .success(Self.prepare(path: path, last: last, codec: codec, previews: previews))
        }
        await context.cpu.release()

        switch prepared {
        case .success(.failed(let reason)):
            try await finish(item, Journal.ItemUpdate(.failed, reason: reason), detail: reason, context: context)
        case .success(.unchanged(let sha, let bytes)):
            var update = Journal.ItemUpdate(.unchanged)
            update.sourceSHA256 = sha
            update.sourceBytes = bytes
            update.fingerprint = codec.fingerprint
            try await finish(item, update, detail: "same photo and settings as the last upload", context: context)
        case .success(.converted(let sha, let bytes, let photo, let outputPreview)):
            var update = Self.convertedUpdate(sha: sha, bytes: bytes, photo: photo, fingerprint: codec.fingerprint)
            try await context.journal.record(update, item: item.id)
            if previews {
                if let original = photo.preview {
                    try await context.journal.storeOriginalPreview(Data(original), sourceSHA256: sha)
                }
                if let outputPreview {
                    try await context.journal.storeOutputPreview(
                        Data(outputPreview), sourceSHA256: sha, fingerprint: codec.fingerprint)
                }
            }
            let facts = "\(ByteCount.format(photo.jpeg.count)) \(photo.width)×\(photo.height) q\(photo.quality)"
            if settings.dryRun {
                try await finishDryRun(item, facts: facts, context: context)
                return
            }
            guard let client, !Task.isCancelled else { return }
            update = Journal.ItemUpdate(.uploading)
            try await context.journal.record(update, item: item.id)
            let outcome = await client.putPhoto(target(of: item), jpeg: Data(photo.jpeg))
            if outcome.failure == .cancelled { return }  // stays `uploading`: offered again on resume
            var result = Journal.ItemUpdate(outcome.succeeded ? .uploaded : .failed)
            result.httpStatus = outcome.httpStatus
            result.graphCode = outcome.graphCode
            result.requestID = outcome.requestID
            if outcome.succeeded {
                try await finish(item, result, detail: facts, context: context)
            } else {
                result.reason = outcome.description
                try await finish(item, result, detail: outcome.description, context: context)
            }
        }
    }

    /// A dry run's verdict for a converted item: would upload, or would fail and why.
    private func finishDryRun(_ item: Journal.Item, facts: String, context: ItemContext) async throws {
        guard let state = context.lookups[target(of: item)] else {
            let note = client == nil ? "not checked against the tenant (offline)" : nil
            var update = Journal.ItemUpdate(.wouldUpload, reason: note)
            update.resolvedID = item.resolvedID
            try await finish(item, update, detail: [facts, note].compactMap { $0 }.joined(separator: "; "),
                context: context)
            return
        }
        let noun = item.target.noun
        if state.exists == false {
            let reason = "would fail: \(noun) \(item.key) not found"
            try await finish(item, Journal.ItemUpdate(.failed, reason: reason), detail: reason, context: context)
            return
        }
        if let problem = state.problem, state.exists != true || problem.contains("mailbox") {
            let reason = "would fail: \(problem)"
            try await finish(item, Journal.ItemUpdate(.failed, reason: reason), detail: reason, context: context)
            return
        }
        var notes: [String] = []
        if state.accountEnabled == false { notes.append("account disabled") }
        if state.hasPhoto == true { notes.append("replaces the current photo") }
        if state.hasPhoto == false { notes.append("no photo yet") }
        var update = Journal.ItemUpdate(.wouldUpload, reason: notes.isEmpty ? nil : notes.joined(separator: "; "))
        update.resolvedID = state.id ?? item.resolvedID
        try await finish(item, update, detail: ([facts] + notes).joined(separator: "; "), context: context)
    }

    private func remove(_ item: Journal.Item, context: ItemContext) async throws {
        if settings.dryRun {
            try await finish(item, Journal.ItemUpdate(.wouldRemove, reason: "not in the source any more"),
                detail: "would delete the photo (not in the source any more)", context: context)
            return
        }
        guard let client else { return }
        try await context.journal.record(Journal.ItemUpdate(.removing), item: item.id)
        let outcome = await client.deletePhoto(target(of: item))
        if outcome.failure == .cancelled { return }
        // A photo that is already gone is what --remove-missing wanted.
        let gone = outcome.succeeded || outcome.httpStatus == 404
        var result = Journal.ItemUpdate(gone ? .removed : .failed, reason: gone ? nil : outcome.description)
        result.httpStatus = outcome.httpStatus
        result.graphCode = outcome.graphCode
        result.requestID = outcome.requestID
        try await finish(item, result, detail: gone ? "photo deleted" : outcome.description, context: context)
    }

    /// Reads, hashes and (unless unchanged) converts one photo; blocking, so it runs on a Dispatch worker.
    private static func prepare(path: String, last: Journal.LastUpload?, codec: ConvertOptions, previews: Bool)
        -> Prepared
    {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            return .failed("cannot read \(path): \((error as NSError).localizedDescription)")
        }
        let sha = Digest.sha256Hex(data)
        if let last, last.matches(sourceSHA256: sha, fingerprint: codec.fingerprint) {
            return .unchanged(sha256: sha, bytes: data.count)
        }
        var options = codec
        if previews { options.previewSide = UploadJob.previewSide }
        do {
            let photo = try PhotoCodec.convert([UInt8](data), options: options)
            var outputPreview: [UInt8]?
            if previews {
                let small = ConvertOptions(maxSide: UploadJob.previewSide, crop: .none, quality: 75)
                outputPreview = try? PhotoCodec.convert(photo.jpeg, options: small).jpeg
            }
            return .converted(sha256: sha, bytes: data.count, photo: photo, outputPreview: outputPreview)
        } catch {
            return .failed("cannot convert \((path as NSString).lastPathComponent): \(error.message)")
        }
    }

    private static func convertedUpdate(sha: String, bytes: Int, photo: ConvertedPhoto, fingerprint: String)
        -> Journal.ItemUpdate
    {
        var update = Journal.ItemUpdate(.converted)
        update.sourceSHA256 = sha
        update.sourceBytes = bytes
        update.sourceWidth = photo.sourceWidth
        update.sourceHeight = photo.sourceHeight
        update.sourceFormat = photo.sourceFormat.rawValue
        update.fingerprint = fingerprint
        update.outputBytes = photo.jpeg.count
        update.outputWidth = photo.width
        update.outputHeight = photo.height
        update.outputQuality = photo.quality
        update.orientation = photo.orientation
        update.cropFraction = photo.cropFraction
        update.qualityLowered = photo.qualityLowered
        update.dimensionsLowered = photo.dimensionsLowered
        update.upscaleAvoided = photo.upscaleAvoided
        return update
    }
}
