import Foundation
import TestSupport
import Testing

@testable import PhotoGraph
@testable import PhotoProvisioning

/// Every Graph path photoprov calls is in Graph's published metadata (`../shared/graph/`), checked by
/// `scripts/graph-contract`; every path is built by `GraphPath` from a `GraphRoute`, and nowhere else.
@Suite struct GraphPathContractTests {
    private static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// `$PHOTOPROV_GRAPH_METADATA`, else `../shared/graph` beside the checkout (where `scripts/graph-contract` looks).
    private static var metadata: URL {
        if let path = ProcessInfo.processInfo.environment["PHOTOPROV_GRAPH_METADATA"], !path.isEmpty {
            return URL(fileURLWithPath: path)
        }
        return root.deletingLastPathComponent().appendingPathComponent("shared/graph")
    }

    private static var metadataPresent: Bool {
        FileManager.default.fileExists(atPath: metadata.appendingPathComponent("v1.0-metadata.xml").path)
    }

    /// Runs `scripts/graph-contract` on `paths` (one per line on stdin).
    private func contract(_ paths: [String]) async throws -> ChildProcess.Output {
        try await ChildProcess.run(
            Self.root.appendingPathComponent("scripts/graph-contract"), ["--metadata", Self.metadata.path],
            input: Data(paths.joined(separator: "\n").utf8))
    }

    @Test func everyRoutePhotoprovCallsResolvesInGraphsMetadata() async throws {
        guard Self.metadataPresent else { return print("SKIP: Graph's metadata is not at \(Self.metadata.path)") }
        let templates = GraphRoute.templates
        #expect(templates.count > GraphRoute.allCases.count, "the users('{user}') forms are checked too")
        let run = try await contract(templates)
        #expect(run.status == 0, "paths Graph does not have:\n\(run.stdoutText)\(run.stderrText)")
        #expect(run.stderrText.contains("\(templates.count) paths, 0 do not resolve"), "\(run.stderrText)")
    }

    @Test func theContractNamesAPathGraphDoesNotHave() async throws {
        guard Self.metadataPresent else { return print("SKIP: Graph's metadata is not at \(Self.metadata.path)") }
        let invented = ["/v1.0/users/{user}/contacts/{contact}/portrait/$value", "/v1.0/mailboxes/{user}/contacts"]
        let run = try await contract(GraphRoute.templates + invented)
        #expect(run.status == 1)
        let named = run.stdoutText.split(separator: "\n").map { String($0.split(separator: ":")[0]) }
        #expect(named == invented, "\(run.stdoutText)")
    }

    /// Each builder follows the route it names: the same segments as the template, keys where it has `{…}`.
    @Test func everyPathFollowsItsRoute() {
        let targets: [PhotoTarget] = [
            .user("ada@contoso.com"), .user("$admin@contoso.com"), .user("guest_x.com#EXT#@contoso.com"),
            PhotoTarget(.groups, "g1"), PhotoTarget(.teams, "t1"),
            .contact("AAMkAG+/=", mailbox: "ada@contoso.com"),
            .contact("AAMkAG-_=", mailbox: "$admin@contoso.com", folderID: "AAMkFolder=="),
        ]
        var paths: [GraphPath] = [.batch, .photoUpdateSettings]
        for target in targets {
            paths += [.object(target), .object(target, select: ["id"]), .photo(target), .photoValue(target)]
        }
        paths += [
            .users(where: "mail", equals: "o'brien@contoso.com", select: ["id"]),
            .contacts(of: "ada@contoso.com", folderID: nil, withAddress: "a@b.example", select: ["id"], top: 5),
            .contacts(of: "ada@contoso.com", folderID: "F=", withAddress: "a@b.example", select: ["id"], top: 5),
            .anyContact(of: "ada@contoso.com"), .contactFolders(of: "ada@contoso.com", top: 100),
            .contactFolders(of: "ada@contoso.com", in: "F=", top: 100), .contactFolder(of: "ada@contoso.com", id: "F="),
        ]
        var routes = Set<GraphRoute>()
        for path in paths {
            routes.insert(path.route)
            let segments = path.value.split(separator: "?")[0].split(separator: "/", omittingEmptySubsequences: false)
            let forms = [
                path.route.rawValue,
                path.route.rawValue.replacingOccurrences(of: "users/{user}", with: "users('{user}')"),
            ]
            let follows = forms.contains { form in
                let template = form.split(separator: "/", omittingEmptySubsequences: false)
                return template.count == segments.count
                    && zip(template, segments).allSatisfy { part, segment in
                        part.contains("{") ? segment.hasPrefix(part.prefix { $0 != "{" }) : part == segment
                    }
            }
            #expect(follows, "\(path.value) does not follow \(path.route.rawValue)")
        }
        #expect(
            routes == Set(GraphRoute.allCases),
            "every route has a builder: \(Set(GraphRoute.allCases).subtracting(routes))")
    }

    @Test func keysAreEncodedSoTheyCannotChangeThePath() {
        #expect(
            GraphPath.photoValue(.contact("AAMkAG+/=", mailbox: "ada@contoso.com")).value
                == "/v1.0/users/ada@contoso.com/contacts/AAMkAG%2B%2F%3D/photo/$value")
        #expect(
            GraphPath.photoValue(.contact("C1", mailbox: "$admin@contoso.com", folderID: "F/1")).value
                == "/v1.0/users('%24admin@contoso.com')/contactFolders/F%2F1/contacts/C1/photo/$value")
        #expect(
            GraphPath.contacts(
                of: "ada@contoso.com", folderID: nil, withAddress: "o'brien@x.example",
                select: ["id", "emailAddresses"], top: 25
            ).value
                == "/v1.0/users/ada@contoso.com/contacts?$filter="
                + "emailAddresses%2Fany%28a%3Aa%2Faddress%20eq%20%27o%27%27brien%40x.example%27%29"
                + "&$select=id,emailAddresses&$top=25"
        )
        #expect(
            GraphPath.object(.contact("C1", mailbox: "ada@contoso.com")).relative
                == "/users/ada@contoso.com/contacts/C1")
    }

    @Test func aNextLinkIsFollowedOnlyOnTheSameRouteAndHost() {
        let base = URL(string: "http://127.0.0.1:8400")!
        let first = GraphPath.contactFolders(of: "ada@contoso.com", top: 100)
        let next = GraphPath.nextPage(
            "http://127.0.0.1:8400/v1.0/users/ada@contoso.com/contactFolders?$top=100&$skip=100", of: first, base: base)
        #expect(next?.route == .contactFolders)
        #expect(next?.value == "/v1.0/users/ada@contoso.com/contactFolders?$top=100&$skip=100")
        #expect(
            GraphPath.nextPage("https://evil.example/v1.0/users/ada@contoso.com/contactFolders", of: first, base: base)
                == nil)
        #expect(
            GraphPath.nextPage("http://127.0.0.1:8400/v1.0/users/bob@contoso.com/contactFolders", of: first, base: base)
                == nil)
    }

    /// Path-like text in string literals of every Swift source but GraphPath.swift: a Graph path built anywhere else.
    @Test func noGraphPathIsBuiltOutsideGraphPath() async throws {
        let sources = Self.root.appendingPathComponent("Sources")
        let files = try #require(FileManager.default.enumerator(atPath: sources.path)).compactMap { $0 as? String }
            .filter { $0.hasSuffix(".swift") }
        #expect(files.count > 50, "the scan reads the sources: \(files.count) files")
        let literal = try Regex(#""(?:[^"\\]|\\.)*""#)
        // A version, $batch, a photo, a query option, a collection next to a slash or a key, or "/" + interpolation.
        let pathLike = try Regex(
            [
                #"/v1\.0\b"#, #"/beta\b"#, #"/\$batch"#, #"/photo(/|\?|$)"#, #"\$value"#,
                #"\$(select|filter|top|skip)="#,
                #"/(users|groups|teams|me|contacts|contactFolders|childFolders|admin)\b"#,
                #"\b(users|groups|teams|contacts|contactFolders|childFolders)(/|\()"#, #"^/\\\("#,
            ].joined(separator: "|"))
        func offenders(in file: String) throws -> [String] {
            let text = try String(contentsOf: sources.appendingPathComponent(file), encoding: .utf8)
            var found: [String] = []
            for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let code = line.trimmingCharacters(in: .whitespaces)
                guard !code.hasPrefix("//") else { continue }
                for match in code.matches(of: literal) {
                    let content = String(code[match.range].dropFirst().dropLast())
                    if content.contains(pathLike) { found.append("\(file):\(number + 1): \(content)") }
                }
            }
            return found
        }
        let builder = "PhotoProvisioning/Graph/GraphPath.swift"
        #expect(files.contains(builder))
        #expect(try offenders(in: builder).count >= GraphRoute.allCases.count, "the scan recognises the routes")
        let elsewhere = try files.filter { $0 != builder }.flatMap(offenders(in:))
        #expect(elsewhere.isEmpty, "Graph paths built outside GraphPath:\n\(elsewhere.joined(separator: "\n"))")
    }
}
