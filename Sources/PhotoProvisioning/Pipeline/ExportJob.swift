import Foundation
import PhotoGraph
import PhotoModel
import PhotoSources

/// `photoprov export`: downloads the photos people have now into a folder, `<upn>.jpg` each (the extension from
/// the content type Graph gives), for a manual backup. Nothing in the tenant changes and no journal is kept.
public struct ExportJob: Sendable {
    /// Whose photos.
    public enum People: Sendable {
        /// The people (groups, teams) a source names, read as `upload` reads it.
        case source(UploadJob.Settings.Source, SourceOptions)
        /// Every user of the tenant.
        case allUsers
    }

    /// What to export and where.
    public struct Settings: Sendable {
        public var people: People
        /// The folder the photos are written to (created if missing).
        public var directory: String
        /// Downloads at once (the Graph client's limiter adapts below it).
        public var concurrency: Int
        /// `--target contacts`: whose contacts (`--mailbox`), in which folder (`--contact-folder`).
        public var mailbox: Mailbox?

        /// Creates settings.
        public init(people: People, directory: String, concurrency: Int = 8, mailbox: Mailbox? = nil) {
            self.people = people
            self.directory = directory
            self.concurrency = max(1, concurrency)
            self.mailbox = mailbox
        }
    }

    /// How one person's export ended.
    public struct Event: Sendable {
        public enum Outcome: String, Sendable {
            /// The photo was written to `file`.
            case exported
            /// They have no photo (404 ImageNotFound): nothing written.
            case noPhoto = "no-photo"
            /// Reading or writing failed, or the source row was refused (`detail` says why).
            case failed
        }

        public var key: String
        public var outcome: Outcome
        /// The file written, for `exported`.
        public var file: String?
        public var detail: String
    }

    /// Counts at the end.
    public struct Summary: Sendable, Equatable {
        public var exported = 0
        public var noPhoto = 0
        public var failed = 0
        /// Bytes written.
        public var bytes = 0
    }

    public let settings: Settings
    public let graph: any GraphService
    public let events: @Sendable (Event) -> Void

    /// Creates an export; nothing runs until `run`.
    public init(settings: Settings, graph: any GraphService, events: @escaping @Sendable (Event) -> Void = { _ in }) {
        self.settings = settings
        self.graph = graph
        self.events = events
    }

    /// One photo to fetch: whose, and the file name (without extension) it goes to.
    private struct Target: Sendable {
        var key: String
        var target: PhotoTarget
        var name: String
    }

    /// Exports every photo.
    ///
    /// - Throws: `SourceError` (unreadable source), `GraphError` (sign-in; listing or looking users up refused),
    ///   `SourceError` also when the folder cannot be made. One person's failure is an event and a count instead.
    public func run() async throws -> Summary {
        do {
            try FileManager.default.createDirectory(atPath: settings.directory, withIntermediateDirectories: true)
        } catch {
            throw SourceError("cannot create \(settings.directory): \((error as NSError).localizedDescription)")
        }
        let pool = BlockingPool(threads: 2)
        try await graph.signIn()
        var summary = Summary()
        let targets = try await self.targets(pool: pool, summary: &summary)
        let window = settings.concurrency
        try await withThrowingTaskGroup(of: (Event, Int).self) { group in
            var next = targets.makeIterator()
            var running = 0
            func add() {
                while running < window, let target = next.next() {
                    group.addTask { try await self.export(target, pool: pool) }
                    running += 1
                }
            }
            add()
            while let (event, bytes) = try await group.next() {
                running -= 1
                switch event.outcome {
                case .exported: summary.exported += 1
                case .noPhoto: summary.noPhoto += 1
                case .failed: summary.failed += 1
                }
                summary.bytes += bytes
                events(event)
                add()
            }
        }
        return summary
    }

    /// Who to export: the source's valid rows (refused ones are reported as failed), their keys resolved to UPNs
    /// for file names; or every user.
    private func targets(pool: BlockingPool, summary: inout Summary) async throws -> [Target] {
        let source: UploadJob.Settings.Source
        let options: SourceOptions
        switch settings.people {
        case .allUsers:
            return try await graph.listUsers().map {
                Target(key: $0.userPrincipalName, target: .user($0.id), name: $0.userPrincipalName)
            }
        case .source(let given, let given2):
            (source, options) = (given, given2)
        }
        let plan = try await pool.run { () throws -> SourcePlan in
            switch source {
            case .csv(let path): try SourceReader.readCSV(at: path, options: options)
            case .folder(let path): try SourceReader.readFolder(at: path, options: options)
            case .backups: throw SourceError("export reads a source (--csv, --dir) or --all-users")
            }
        }
        for problem in plan.problems {
            summary.failed += 1
            events(Event(key: problem.key ?? problem.location, outcome: .failed, file: nil, detail: problem.detail))
        }
        let keys = plan.items.map(\.key)
        if options.target == .contacts, let mailbox = settings.mailbox {
            return try await contactTargets(keys, match: options.keyKind, in: mailbox, summary: &summary)
        }
        guard options.target == .users, options.keyKind != .upn else {
            return keys.map { Target(key: $0, target: PhotoTarget(options.target, $0), name: $0) }
        }
        var found: [Target] = []
        for start in stride(from: 0, to: keys.count, by: 200) {
            let chunk = Array(keys[start..<min(start + 200, keys.count)])
            let users = try await graph.resolveUsers(keys: chunk, by: options.keyKind)
            for key in chunk {
                guard case .found(let user)? = users[key] else {
                    summary.failed += 1
                    events(
                        Event(
                            key: key, outcome: .failed, file: nil,
                            detail: "no single user has \(options.keyKind.rawValue) '\(key)'"))
                    continue
                }
                found.append(Target(key: key, target: .user(user.id), name: user.userPrincipalName))
            }
        }
        return found
    }

    /// The contacts of `mailbox` (and its folder) the keys name, files named by the key (an address or contact id).
    /// The mailbox is checked as an upload checks it, which also finds the folder's id.
    ///
    /// - Throws: `GraphError` (`.blocked`) when the mailbox or folder cannot be used, or Contacts.ReadWrite is missing.
    private func contactTargets(
        _ keys: [String], match: MatchKey, in mailbox: Mailbox, summary: inout Summary
    ) async throws -> [Target] {
        let check = await graph.preflightContacts(in: mailbox)
        if check.verdict == .blocked {
            throw GraphError(.blocked, check.explanation.first ?? "the mailbox \(mailbox) cannot be read")
        }
        let folderID = check.contacts?.folderID ?? mailbox.folder
        func target(_ key: String, id: String) -> Target {
            Target(key: key, target: .contact(id, mailbox: mailbox.user, folderID: folderID), name: key)
        }
        guard match == .email else { return keys.map { target($0, id: $0) } }
        let found = try await graph.resolveContacts(addresses: keys, mailbox: mailbox.user, folderID: folderID)
        var targets: [Target] = []
        for key in keys {
            guard case .found(let contact)? = found[key] else {
                summary.failed += 1
                let detail = "no single contact has email \(key) in \(mailbox)"
                events(Event(key: key, outcome: .failed, file: nil, detail: detail))
                continue
            }
            targets.append(target(key, id: contact.id))
        }
        return targets
    }

    /// Downloads one photo and writes its exact bytes.
    private func export(_ target: Target, pool: BlockingPool) async throws -> (Event, Int) {
        let read = await graph.readPhoto(target.target)
        guard read.outcome.succeeded else {
            return (Event(key: target.key, outcome: .failed, file: nil, detail: read.outcome.description), 0)
        }
        guard let photo = read.photo else {
            return (Event(key: target.key, outcome: .noPhoto, file: nil, detail: "has no photo"), 0)
        }
        let path = (settings.directory as NSString).appendingPathComponent(
            Self.fileName(target.name) + "." + Self.fileExtension(photo.contentType))
        let bytes = photo.bytes
        do {
            try await pool.run { try Self.write(bytes, to: path) }
        } catch {
            let detail = "cannot write \(path): \((error as NSError).localizedDescription)"
            return (Event(key: target.key, outcome: .failed, file: nil, detail: detail), 0)
        }
        let detail = "\(ByteCount.format(bytes.count)) \(photo.contentType ?? "unknown type")"
        return (Event(key: target.key, outcome: .exported, file: path, detail: detail), bytes.count)
    }

    /// A UPN (or id) as a file name: `/` and NUL, which no file name may hold, become `_`; so does a leading `.`.
    static func fileName(_ name: String) -> String {
        var safe = name.map { $0 == "/" || $0 == "\0" ? "_" : $0 }
        if safe.first == "." { safe[0] = "_" }
        return safe.isEmpty ? "_" : String(safe)
    }

    /// The extension for a photo's content type: `jpg`, `png`, `gif`, `bmp`; `bin` for anything else.
    static func fileExtension(_ contentType: String?) -> String {
        let type = (contentType ?? "").split(separator: ";").first.map {
            $0.trimmingCharacters(in: .whitespaces).lowercased()
        }
        switch type {
        case "image/jpeg", "image/jpg", "image/pjpeg": return "jpg"
        case "image/png": return "png"
        case "image/gif": return "gif"
        case "image/bmp": return "bmp"
        default: return "bin"
        }
    }

    /// Writes `bytes` to a temporary file beside `path` (mode 0600: photos are personal data) and renames it over.
    @available(*, noasync, message: "blocking file I/O: run it on the BlockingPool")
    private static func write(_ bytes: Data, to path: String) throws {
        let temporary = path + ".tmp-\(getpid())-\(UUID().uuidString.prefix(8))"
        guard FileManager.default.createFile(atPath: temporary, contents: bytes, attributes: [.posixPermissions: 0o600])
        else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: SystemError.last])
        }
        guard rename(temporary, path) == 0 else {
            let reason = SystemError.last
            unlink(temporary)
            throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: reason])
        }
    }
}
