import Foundation
import Synchronization

/// The input under test, kept in memory that a signal handler may read: when the check crashes
/// (a Swift trap is SIGILL or SIGTRAP, a stack overflow SIGSEGV), the handler writes the input to
/// `fuzz-crash.bin` in the working directory with async-signal-safe calls only, then dies
/// with the signal so that the exit status still tells what happened.
final class CrashInput: Sendable {
    static let current = CrashInput()
    static let capacity = 1 << 17

    // Raw memory on purpose: the signal handler must not take locks or allocate.
    nonisolated(unsafe) private static let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
    private static let length = Atomic<Int>(0)

    func set(_ input: [UInt8]) {
        let count = min(input.count, Self.capacity)
        input.withUnsafeBufferPointer { Self.buffer.update(from: $0.baseAddress!, count: count) }
        Self.length.store(count, ordering: .releasing)
    }

    /// Installs the handlers, on an alternate stack so that a stack overflow can be reported too.
    static func installHandlers() {
        let stackSize = 1 << 16
        var stack = stack_t()
        stack.ss_sp = UnsafeMutableRawPointer.allocate(byteCount: stackSize, alignment: 16)
        stack.ss_size = stackSize
        sigaltstack(&stack, nil)
        for signal in [SIGILL, SIGTRAP, SIGSEGV, SIGBUS, SIGABRT, SIGFPE] {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { signal in
                CrashInput.writeOut()
                Foundation.signal(signal, SIG_DFL)
                raise(signal)
            }
            action.sa_flags = SA_ONSTACK | Int32(bitPattern: UInt32(SA_RESETHAND))
            sigaction(signal, &action, nil)
        }
    }

    /// Async-signal-safe: open, write, close on a fixed buffer.
    static func writeOut() {
        var name: (CChar, CChar, CChar, CChar, CChar, CChar, CChar, CChar, CChar, CChar, CChar, CChar, CChar, CChar, CChar, CChar) =
            (102, 117, 122, 122, 45, 99, 114, 97, 115, 104, 46, 98, 105, 110, 0, 0)  // "fuzz-crash.bin"
        let descriptor = withUnsafePointer(to: &name) {
            $0.withMemoryRebound(to: CChar.self, capacity: 16) { open($0, O_WRONLY | O_CREAT | O_TRUNC, 0o644) }
        }
        guard descriptor >= 0 else { return }
        _ = write(descriptor, buffer, length.load(ordering: .acquiring))
        close(descriptor)
    }
}

/// Watches the check in progress from another thread; an input that runs past `limit` is written
/// out (as a crash would be) and the process exits with status 3.
final class HangWatchdog: Sendable {
    private struct State {
        var startedAt: ContinuousClock.Instant?
        var stopped = false
    }

    private let state = Mutex(State())
    private let limit: Duration
    private let target: String

    init(limit: Duration, target: String) {
        self.limit = limit
        self.target = target
        let thread = Thread { [self] in watch() }
        thread.stackSize = 1 << 18
        thread.start()
    }

    func begin() { state.withLock { $0.startedAt = .now } }
    func end() { state.withLock { $0.startedAt = nil } }
    func stop() { state.withLock { $0.stopped = true } }

    private func watch() {
        while true {
            Thread.sleep(forTimeInterval: 0.1)
            let (stopped, startedAt) = state.withLock { ($0.stopped, $0.startedAt) }
            if stopped { return }
            if let startedAt, ContinuousClock.now - startedAt > limit {
                CrashInput.writeOut()
                FileHandle.standardError.write(Data("hang: one \(target) input ran longer than \(limit); it is in fuzz-crash.bin\n".utf8))
                exit(3)
            }
        }
    }
}
