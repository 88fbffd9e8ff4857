import Testing

@testable import PhotoProvisioning

extension UploadJob {
    /// Runs the job and returns the `RunFailure` it must throw; a run that ends is recorded as an issue.
    func failure() async throws -> RunFailure {
        do {
            let summary = try await run()
            Issue.record("the run must fail, not end with \(summary.counts.byState)")
            throw PipelineError(unfinished: -1)
        } catch let failure as RunFailure {
            return failure
        }
    }
}
