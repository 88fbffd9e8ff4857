import PhotoCodec
import PhotoProvisioning
import Testing

@testable import photoprov

/// Every error the library throws has its documented exit code (README "Exit codes").
@Suite struct ExitCodeTests {
    private func code(_ error: any Error) -> ExitCode { CommandLine.exitCode(classifying: error) }

    @Test func argumentAndSourceErrorsAreUsageErrors() {
        #expect(code(UsageError("--jobs must be a whole number")) == .usage)
        #expect(code(SourceError("cannot read source people.csv: no such file")) == .usage)
        #expect(code(JournalError(.notFound, path: "j", detail: "")) == .usage)
        #expect(code(GraphError(.configuration, "plain http to a remote host")) == .usage)
    }

    @Test func graphErrorsBySignInPolicyAndInfrastructure() {
        #expect(code(GraphError(.signIn, "sign-in failed: AADSTS7000215")) == .signInFailed)
        #expect(code(GraphError(.blocked, "looking up users was refused; grant User.Read.All")) == .blocked)
        #expect(code(GraphError(.request, "$batch answer is not JSON")) == .infrastructure)
        #expect(code(GraphError(.network, "batch lookup failed")) == .infrastructure)
    }

    @Test(arguments: [
        JournalError.Reason.busy(pid: 42), .newerSchema(9), .sqlite(266), .fileSystem, .unknownRecord,
    ])
    func journalErrorsHaveTheirOwnCode(_ reason: JournalError.Reason) {
        #expect(code(JournalError(reason, path: "photoprov.journal", detail: "disk I/O error")) == .journal)
    }

    @Test func reportCodecAndPipelineErrorsAreInfrastructure() {
        #expect(code(ReportError(.cannotWrite, path: "r/report.html", "no space left on device")) == .infrastructure)
        #expect(code(ReportError(.cannotCreateDirectory, path: "r", "permission denied")) == .infrastructure)
        #expect(code(CodecError(.failed, "out of memory")) == .infrastructure)
        #expect(code(PipelineError(unfinished: 3)) == .infrastructure)
    }

    @Test func aFailedRunIsClassifiedByWhatStoppedIt() {
        let journal = JournalError(.sqlite(13), path: "j", detail: "database or disk is full")
        #expect(code(RunFailure(runID: 7, cause: journal, unrecorded: "database or disk is full")) == .journal)
        #expect(code(RunFailure(runID: 7, cause: GraphError(.blocked, "grant User.Read.All"))) == .blocked)
        #expect(code(RunFailure(runID: 7, cause: GraphError(.signIn, "sign-in failed"))) == .signInFailed)
        #expect(code(RunFailure(runID: 7, cause: PipelineError(unfinished: 1))) == .infrastructure)
        let text = RunFailure(runID: 7, cause: PipelineError(unfinished: 1)).description
        #expect(text.hasPrefix("run 7 stopped: 1 item(s) were left unfinished"))
        #expect(text.contains("recorded as failed") && text.contains("run the same command again"))
    }

    @Test func anythingElseIsNeverSuccessOrSomeFailed() {
        struct Unexpected: Error {}
        #expect(code(Unexpected()) == .infrastructure)
        #expect(ExitCode.infrastructure.rawValue == 5 && ExitCode.journal.rawValue == 6)
    }
}
