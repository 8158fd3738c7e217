import Foundation

/// Splits a time range into consecutive pieces no longer than the API allows per request.
public enum DateRangeChunker {
    /// Half-open `[from, to)` pieces that cover the range exactly, each at most `maximumLength` long.
    public static func chunks(from: Date, to: Date, maximumLength: TimeInterval) -> [Range<Date>] {
        guard from < to, maximumLength > 0 else { return [] }
        var result: [Range<Date>] = []
        var start = from
        while start < to {
            let end = min(start.addingTimeInterval(maximumLength), to)
            result.append(start..<end)
            start = end
        }
        return result
    }
}
