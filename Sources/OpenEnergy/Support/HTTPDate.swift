import Foundation

/// HTTP dates (RFC 9110 5.6.7): IMF-fixdate, and the obsolete RFC 850 and asctime forms recipients must accept.
public enum HTTPDate {
    private static let formats = [
        "EEE, dd MMM yyyy HH:mm:ss 'GMT'",   // IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT
        "EEEE, dd-MMM-yy HH:mm:ss 'GMT'",    // RFC 850:     Sunday, 06-Nov-94 08:49:37 GMT
        "EEE MMM d HH:mm:ss yyyy",           // asctime:     Sun Nov  6 08:49:37 1994
    ]

    public static func parse(_ value: String) -> Date? {
        // Rare (only Retry-After), so a formatter per call is fine; DateFormatter is not Sendable.
        let collapsed = value.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
        for format in formats {
            let formatter = makeFormatter(format)
            if let date = formatter.date(from: collapsed) { return date }
        }
        return nil
    }

    public static func format(_ date: Date) -> String {
        makeFormatter(formats[0]).string(from: date)
    }

    private static func makeFormatter(_ format: String) -> DateFormatter {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = format
        return formatter
    }
}
