import Foundation
import PhotoModel

extension GraphClient {
    /// Most contact folders the preflight reads while looking for `--contact-folder NAME`.
    static let folderSearchLimit = 200

    /// For `--target contacts`: Contacts.ReadWrite in the token, and whether the mailbox exists, has a mailbox and
    /// holds the folder; resolves a folder named by display name to its id. Never throws.
    ///
    /// The mailbox is probed through the contacts API itself (`GET /users/{id}/contacts?$top=1`,
    /// https://learn.microsoft.com/graph/api/user-list-contacts), so no directory permission is needed: Graph answers
    /// 404 `ErrorInvalidUser` for an unknown user and `MailboxNotEnabledForRESTAPI` for one without a mailbox. The
    /// tenant's photoUpdateSettings govern users' profile photos, not Outlook contacts, so they are not read.
    public func preflightContacts(in mailbox: Mailbox) async -> PolicyReport {
        let identity: SignedInIdentity
        do {
            identity = try await signIn()
        } catch {
            let unknown = SignedInIdentity(claims: nil, credential: settings.credential)
            return PolicyReport.evaluateContacts(
                identity: unknown, check: ContactFolderCheck(mailbox: mailbox, found: nil),
                problem: .unknown(error.description))
        }
        // Without the permission every probe would only be refused.
        if let claims = identity.claims, !PolicyReport.grantsContactsWrite(claims) {
            return PolicyReport.evaluateContacts(
                identity: identity, check: ContactFolderCheck(mailbox: mailbox, found: nil), problem: nil)
        }
        let (check, problem) = await checkMailbox(mailbox)
        return PolicyReport.evaluateContacts(identity: identity, check: check, problem: problem)
    }

    /// Finds, for each of `addresses`, the contacts of `user`'s mailbox (its default Contacts folder, or the folder
    /// with id `folderID`) that have it among their `emailAddresses`, 20 addresses per `$batch`.
    ///
    /// Graph filters with `emailAddresses/any(a:a/address eq '…')` (user-list-contacts); the answer is checked again
    /// here, ignoring case, so only a contact holding that very address counts. At most 25 contacts are listed per
    /// address: enough to tell one from several.
    ///
    /// - Throws: `GraphError` when look-ups are impossible: sign-in failed, Contacts.ReadWrite missing (`.blocked`),
    ///   Graph unreachable (`.network`).
    public func resolveContacts(
        addresses: [String], mailbox user: String, folderID: String?
    ) async throws(GraphError) -> [String: ContactLookup] {
        try await lookUp(
            addresses, need: TargetKind.contacts.writePermission, unanswered: .failed("no answer in the batch"),
            url: { address in
                .contacts(
                    of: user, folderID: folderID, withAddress: address,
                    select: ["id", "displayName", "emailAddresses"],
                    top: 25)
            }
        ) { address, answer throws(GraphError) -> ContactLookup in
            switch answer.status {
            case 200:
                let contacts = (answer.body["value"] as? [Any] ?? []).compactMap {
                    ($0 as? [String: any Sendable]).flatMap(Self.contact(from:))
                }.filter { $0.emailAddresses.contains { $0.lowercased() == address.lowercased() } }
                switch contacts.count {
                case 0: return .notFound
                case 1: return .found(contacts[0])
                default: return .ambiguous(contacts)
                }
            case 403:
                throw GraphError(
                    .blocked,
                    "looking up contacts of mailbox \(user) was refused: missing permission; grant "
                        + TargetKind.contacts.writePermission, httpStatus: 403, code: answer.code)
            default: return .failed(answer.problem)
            }
        }
    }

    private static func contact(from object: [String: any Sendable]) -> MailboxContact? {
        guard let id = object["id"] as? String else { return nil }
        let addresses = (object["emailAddresses"] as? [Any] ?? []).compactMap {
            ($0 as? [String: any Sendable])?["address"] as? String
        }
        return MailboxContact(id: id, displayName: object["displayName"] as? String, emailAddresses: addresses)
    }

    // MARK: - Mailbox and folder

    /// Probes the mailbox, then finds the folder; the problem is what stops a run (blocked) or leaves it unjudged.
    private func checkMailbox(_ mailbox: Mailbox) async -> (ContactFolderCheck, PolicyReport.ContactsProblem?) {
        var check = ContactFolderCheck(mailbox: mailbox, found: false)
        switch await getJSON(.anyContact(of: mailbox.user)) {
        case .failure(let problem):
            return (check, mailboxProblem(problem, user: mailbox.user))
        case .success:
            break
        }
        guard let folder = mailbox.folder else {
            check.found = true
            return (check, nil)
        }
        switch await findFolder(folder, user: mailbox.user) {
        case .found(let id, let name):
            check.found = true
            check.folderID = id
            check.folderName = name
            return (check, nil)
        case .none(let seen):
            let listed = seen.isEmpty ? "it has none" : "its folders: " + seen.prefix(20).joined(separator: ", ")
            return (check, .blocked("no contact folder '\(folder)' in mailbox \(mailbox.user) (\(listed))"))
        case .several(let ids):
            return (
                check,
                .blocked(
                    "\(ids.count) contact folders in mailbox \(mailbox.user) are named '\(folder)': ids "
                        + ids.joined(separator: ", ") + "; give --contact-folder the id")
            )
        case .failed(let problem):
            return (check, mailboxProblem(problem, user: mailbox.user))
        }
    }

    /// A failed probe of `user`'s mailbox in words, reported as for users: not found, no mailbox, refused.
    private func mailboxProblem(_ problem: JSONProblem, user: String) -> PolicyReport.ContactsProblem {
        guard case .answered(let status, let code, let message, let requestID) = problem else {
            if case .unreachable(let detail) = problem { return .unknown("mailbox \(user): \(detail)") }
            return .unknown("mailbox \(user): no answer")
        }
        let facts = " (HTTP \(status)\(code.map { ", \($0)" } ?? "")\(requestID.map { ", request-id \($0)" } ?? ""))"
        switch Self.classify(status: status, code: code, message: message) {
        case .notFound: return .blocked("user \(user) not found (--mailbox)" + facts)
        case .noMailbox:
            return .blocked("user \(user) has no Exchange Online mailbox, which Graph needs to store contacts" + facts)
        case .missingPermission, .blockedByPolicy:
            return .blocked(
                "reading the contacts of mailbox \(user) was refused: missing permission; grant "
                    + TargetKind.contacts.writePermission + (message.map { " (\($0))" } ?? "") + facts)
        default:
            return .unknown("mailbox \(user): \(message ?? "unexpected answer")" + facts)
        }
    }

    /// How looking for a folder by name (or id) ended.
    enum FolderSearch: Equatable {
        case found(id: String, name: String?)
        /// No folder has the name; the names seen.
        case none([String])
        /// Several folders have the name; their ids.
        case several([String])
        case failed(JSONProblem)

        /// The folder among `folders` (every folder read, in order) whose display name is `name`, ignoring case.
        static func pick(_ name: String, among folders: [(id: String, name: String)]) -> FolderSearch {
            let matches = folders.filter { $0.name.lowercased() == name.lowercased() }
            switch matches.count {
            case 0: return .none(folders.map(\.name))
            case 1: return .found(id: matches[0].id, name: matches[0].name)
            default: return .several(matches.map(\.id))
            }
        }
    }

    /// The folder `name` of `user`'s mailbox: by id when it looks like an Outlook id and Graph knows it, else by
    /// display name (ignoring case) among every folder below the default Contacts folder, breadth first.
    private func findFolder(_ name: String, user: String) async -> FolderSearch {
        let base64 = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-_")
        if name.count >= 20, name.unicodeScalars.allSatisfy(base64.contains) {
            switch await getJSON(.contactFolder(of: user, id: name)) {
            case .success(let object):
                return .found(id: object["id"] as? String ?? name, name: object["displayName"] as? String)
            case .failure(.answered(let status, _, _, _)) where status == 400 || status == 404:
                break  // not an id Graph knows: look for a folder of that name
            case .failure(let problem):
                return .failed(problem)
            }
        }
        var parents: [String?] = [nil]
        var folders: [(id: String, name: String)] = []
        while !parents.isEmpty, folders.count < Self.folderSearchLimit {
            let parent = parents.removeFirst()
            let first = GraphPath.contactFolders(of: user, in: parent, top: 100)
            var page: GraphPath? = first
            while let path = page, folders.count < Self.folderSearchLimit {
                let object: [String: Any]
                switch await getJSON(path) {
                case .success(let answer): object = answer
                case .failure(let problem): return .failed(problem)
                }
                for folder in object["value"] as? [[String: Any]] ?? [] {
                    guard let id = folder["id"] as? String else { continue }
                    folders.append((id, folder["displayName"] as? String ?? ""))
                    parents.append(id)
                }
                page = (object["@odata.nextLink"] as? String).flatMap {
                    GraphPath.nextPage($0, of: first, base: settings.graphURL)
                }
            }
        }
        return .pick(name, among: folders)
    }

    /// Why a JSON GET gave no object.
    enum JSONProblem: Error, Equatable {
        case answered(status: Int, code: String?, message: String?, requestID: String?)
        case unreachable(String)
    }

    /// GETs `path` with retries and returns its JSON object, or why there is none.
    private func getJSON(_ path: GraphPath) async -> Result<[String: Any], JSONProblem> {
        var request = GraphRequest(method: "GET", path: path)
        request.headers["Accept"] = "application/json"
        let result = await perform(request)
        if let error = result.signInError { return .failure(.unreachable(error.description)) }
        guard let response = result.response else {
            return .failure(.unreachable(result.networkError ?? "no response after \(result.attempts) attempts"))
        }
        guard (200..<300).contains(response.status) else {
            let error = GraphErrorBody(response.body)
            return .failure(
                .answered(
                    status: response.status, code: error?.code, message: error?.message,
                    requestID: response.header("request-id")))
        }
        guard let object = (try? JSONSerialization.jsonObject(with: response.body)) as? [String: Any] else {
            return .failure(.unreachable("GET \(path): the answer is not JSON"))
        }
        return .success(object)
    }
}
