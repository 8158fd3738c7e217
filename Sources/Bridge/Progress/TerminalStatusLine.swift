#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// The last line of an interactive terminal, kept for progress: reporters show their text there
/// (several at once side by side), and every other line (log lines) is written above it, so the
/// two never end up on one line.
public final class TerminalStatusLine: Sendable {
    /// Standard error; interactive only when it is a terminal.
    public static let standardError = TerminalStatusLine(
        interactive: isatty(STDERR_FILENO) == 1, width: { terminalWidth(of: STDERR_FILENO) },
        write: { writeAll($0, to: STDERR_FILENO) })

    /// Whether the line may be redrawn in place. When not, `show` and `complete` write nothing.
    public let isInteractive: Bool
    private let width: @Sendable () -> Int?
    private let write: @Sendable (String) -> Void
    /// The texts shown, by reporter, in the order they first appeared.
    private let entries = Mutex<[(key: String, text: String)]>([])

    /// - Parameters:
    ///   - width: the terminal's columns (`nil` when unknown); longer status lines are cut, since a
    ///     wrapped line can no longer be redrawn in place.
    ///   - write: writes the bytes in one piece.
    public init(interactive: Bool, width: @escaping @Sendable () -> Int? = { nil }, write: @escaping @Sendable (String) -> Void) {
        self.isInteractive = interactive
        self.width = width
        self.write = write
    }

    /// Shows `text` as `key`'s entry, replacing what `key` showed before.
    public func show(_ text: String, for key: String) {
        guard isInteractive else { return }
        entries.withLock { entries in
            if let index = entries.firstIndex(where: { $0.key == key }) {
                entries[index].text = text
            } else {
                entries.append((key, text))
            }
            write(Self.clear + rendered(entries))
        }
    }

    /// Removes `key`'s entry and leaves `text` behind as a line of its own.
    public func complete(_ text: String, for key: String) {
        guard isInteractive else { return }
        entries.withLock { entries in
            entries.removeAll { $0.key == key }
            write(Self.clear + text + "\n" + rendered(entries))
        }
    }

    /// Writes `line` (without its newline) above the status line.
    public func print(_ line: String) {
        entries.withLock { entries in
            if isInteractive, !entries.isEmpty {
                write(Self.clear + line + "\n" + rendered(entries))
            } else {
                write(line + "\n")
            }
        }
    }

    /// `\r` back to the line start, `ESC[K` clears what a longer previous text left.
    static let clear = "\r\u{1B}[K"

    private func rendered(_ entries: [(key: String, text: String)]) -> String {
        let line = entries.map(\.text).joined(separator: " | ")
        // One column stays free: a character in the last column makes some terminals wrap early.
        guard let columns = width(), columns > 1, line.count >= columns else { return line }
        return String(line.prefix(columns - 2)) + "…"
    }

    private static func terminalWidth(of descriptor: Int32) -> Int? {
        var size = winsize()
        guard ioctl(descriptor, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return nil }
        return Int(size.ws_col)
    }
}

/// Writes all of `text`, retrying after interruptions; gives up silently when the descriptor fails
/// (nowhere left to report that).
private func writeAll(_ text: String, to descriptor: Int32) {
    var bytes = Array(text.utf8)[...]
    while !bytes.isEmpty {
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        if written < 0, errno == EINTR { continue }
        guard written > 0 else { return }
        bytes = bytes.dropFirst(written)
    }
}
