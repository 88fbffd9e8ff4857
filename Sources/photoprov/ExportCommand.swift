import Foundation
import PhotoProvisioning

extension Command {
    static let export = Command(
        name: "export",
        summary: "Download people's current photos into a folder, <upn>.jpg each, for a manual backup.",
        usage: "export --out DIR (--csv FILE | --dir DIR | --all-users) [source options] [sign-in options]",
        options: [
            .value("out", "DIR", "folder the photos are written to (created if missing; files mode 0600)"),
            .value("csv", "FILE", "whose photos: the people of an upload CSV"),
            .value("dir", "DIR", "whose photos: the people a folder of photos names"),
            .flag("all-users", "whose photos: every user of the tenant (needs User.Read.All)"),
            .value("upn-column", "NAME", "the CSV's key column, as for upload"),
            .value("photo-column", "NAME", "the CSV's photo column, as for upload"),
            .value("domain", "DOMAIN", "folder sources: files named <alias>.<ext> mean alias@DOMAIN"),
            .value("match", "KEY", "what the keys are: upn (default), mail, employeeId or id; contacts: email or id"),
            .value("target", "KIND", "users (default), groups or teams (files named by id), contacts (with --mailbox)"),
        ] + contactsOptions + [
            .flag("allow-outside", "accept photo paths that leave the source folder, as for upload"),
            .flag("quiet", "print only failures and the summary"),
        ] + graphOptions
    ) { arguments in
        guard arguments.positionals.isEmpty else {
            throw UsageError("export takes no positional arguments, got '\(arguments.positionals[0])'")
        }
        guard let out = arguments.value("out") else { throw UsageError("export needs --out DIR") }
        let people: ExportJob.People
        let options = try sourceOptions(from: arguments)
        switch (arguments.value("csv"), arguments.value("dir"), arguments.has("all-users")) {
        case (nil, nil, true): people = .allUsers
        case (let csv?, nil, false): people = .source(.csv(csv), options)
        case (nil, let dir?, false): people = .source(.folder(dir), options)
        case (nil, nil, false): throw UsageError("export needs --csv FILE, --dir DIR or --all-users")
        default: throw UsageError("give one of --csv FILE, --dir DIR and --all-users")
        }
        let settings = ExportJob.Settings(
            people: people, directory: out,
            concurrency: try arguments.integer("concurrency", default: 8, in: 1...256),
            mailbox: try contactsMailbox(from: arguments, target: options.target))
        let quiet = arguments.has("quiet")
        let job = ExportJob(settings: settings, graph: try GraphClient(settings: try graphSettings(from: arguments))) {
            event in
            guard !quiet || event.outcome == .failed else { return }
            let what = event.file.map { "\($0) (\(event.detail))" } ?? event.detail
            print("\(event.outcome.rawValue) \(event.key): \(what)")
        }
        let summary = try await job.run()
        print(
            "export: \(summary.exported) photo(s) written to \(out) (\(ByteCount.format(summary.bytes))), "
                + "\(summary.noPhoto) without a photo, \(summary.failed) failed")
        return summary.failed > 0 ? .someFailed : .success
    }
}
