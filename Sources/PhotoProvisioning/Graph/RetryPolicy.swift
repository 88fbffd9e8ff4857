import Foundation

/// When to retry and how long to wait: `Retry-After` first, else exponential backoff with full jitter.
package struct RetryPolicy: Sendable {
    /// Most attempts, first try included.
    package var maxAttempts: Int
    /// First backoff step in seconds.
    package var base: Double
    /// Longest backoff wait in seconds.
    package var cap: Double
    /// Picks a number in `0...upper`; replaced in tests to make jitter predictable.
    package var jitter: @Sendable (Double) -> Double = { upper in upper > 0 ? Double.random(in: 0...upper) : 0 }

    package init(maxAttempts: Int, base: Double, cap: Double) {
        self.maxAttempts = maxAttempts
        self.base = base
        self.cap = cap
    }

    /// HTTP statuses worth another attempt: throttling and the gateway/outage answers Graph's own SDKs retry.
    package static func isRetryable(status: Int) -> Bool { status == 429 || status == 503 || status == 504 }

    /// The wait before attempt `attempt + 1` after `attempt` attempts failed.
    ///
    /// `Retry-After` is honoured exactly (never earlier); otherwise a random wait up to min(cap, base·2^(attempt−1)).
    package func delay(afterAttempt attempt: Int, retryAfter: Double?) -> Double {
        if let retryAfter { return max(0, retryAfter) }
        let exponent = min(Double(max(attempt - 1, 0)), 30)
        return jitter(min(cap, base * pow(2, exponent)))
    }

    /// Parses a `Retry-After` header: delta seconds (`120`) or an HTTP date, relative to `now`.
    package static func parseRetryAfter(_ value: String?, now: Date) -> Double? {
        guard let value = value?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        if let seconds = Double(value), seconds.isFinite, seconds >= 0 { return seconds }
        for format in ["EEE, dd MMM yyyy HH:mm:ss zzz", "EEEE, dd-MMM-yy HH:mm:ss zzz", "EEE MMM d HH:mm:ss yyyy"] {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "GMT")
            formatter.dateFormat = format
            if let date = formatter.date(from: value) {
                // A date in the past means "now"; round up so a whole-second date is never undercut.
                return max(0, (date.timeIntervalSince(now)).rounded(.up))
            }
        }
        return nil
    }
}
