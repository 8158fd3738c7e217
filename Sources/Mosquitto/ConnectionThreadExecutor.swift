import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The connection thread's waiting, and the thread as a `TaskExecutor`.
///
/// The thread polls the broker socket and a wake-up pipe of its own (libmosquitto's internal wake-up
/// socket pair is not reachable, so `mosquitto_loop` cannot be used for this). Between polls it runs
/// the jobs of tasks that prefer this executor: a task publishing from here hands its message to
/// libmosquitto, and its completion resumes it on the same thread, with no hand-off between threads
/// per message.
///
/// libmosquitto still writes a byte to its internal socket pair for every queued packet. Nobody reads
/// it any more, so once that socket's buffer is full (a few hundred writes, at most the default socket
/// buffer of kernel memory) the writes fail at once, which libmosquitto ignores by design.
///
/// Jobs run only while the thread runs. Before `start()` and after the thread has ended, jobs are
/// passed on to the global concurrent executor, so that a task preferring this executor never waits
/// for a thread that is not there.
final class ConnectionThreadExecutor: TaskExecutor, Sendable {
    private struct Queue {
        var jobs: [UnownedJob] = []
        /// The connection thread runs and will run what is queued.
        var isServing = false
        /// The connection thread is in (or about to enter) `poll` with an empty queue.
        var isSleeping = false
        /// A byte is in the pipe already; more writes would only fill it.
        var isWoken = false

        /// Whether the caller should write to the pipe: only once per sleep.
        mutating func takeWakeUp() -> Bool {
            guard isSleeping, !isWoken else { return false }
            isWoken = true
            return true
        }
    }

    struct Readiness {
        var readable = false
        var writable = false
    }

    private let queue = Mutex(Queue())
    /// The jobs being run, swapped with `Queue.jobs` so that neither array is reallocated per round.
    /// Connection thread only (hence `nonisolated(unsafe)`).
    nonisolated(unsafe) private var running: [UnownedJob] = []
    /// `Queue.isSleeping`, readable without the lock: `wake()` runs once per publication.
    private let mightSleep = Atomic<Bool>(false)
    private let wakeReader: Int32
    private let wakeWriter: Int32

    init() throws(MQTTError) {
        var descriptors: [Int32] = [-1, -1]
        guard pipe(&descriptors) == 0 else {
            throw .library(operation: "pipe", code: Int(errno), reason: String(cString: strerror(errno)))
        }
        for descriptor in descriptors {
            _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
            _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
        }
        wakeReader = descriptors[0]
        wakeWriter = descriptors[1]
    }

    deinit {
        close(wakeReader)
        close(wakeWriter)
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let (accepted, wake) = queue.withLock { queue -> (Bool, Bool) in
            guard queue.isServing else { return (false, false) }
            queue.jobs.append(job)
            return (true, queue.takeWakeUp())
        }
        if wake { signalPipe() }
        if !accepted { globalConcurrentExecutor.enqueue(ExecutorJob(job)) }
    }

    /// Wakes the thread if it waits in `poll`: after handing libmosquitto a packet from another thread,
    /// or to stop it. Costs no system call while the thread is busy.
    func wake() {
        // Set before the thread looks at libmosquitto's queue (under libmosquitto's lock), so a packet
        // queued before this load is seen by the thread, and one queued later finds the flag set.
        guard mightSleep.load(ordering: .sequentiallyConsistent) else { return }
        if queue.withLock({ $0.takeWakeUp() }) { signalPipe() }
    }

    /// Called on the connection thread when it starts serving.
    func beginServing() {
        queue.withLock { $0.isServing = true }
    }

    /// Called on the connection thread when it ends: what is still queued, and everything enqueued
    /// from now on, runs on the global concurrent executor.
    func endServing() {
        let leftovers = queue.withLock { queue in
            queue.isServing = false
            defer { queue.jobs.removeAll() }
            return queue.jobs
        }
        for job in leftovers { globalConcurrentExecutor.enqueue(ExecutorJob(job)) }
    }

    /// Runs the jobs queued so far (not the ones they enqueue, which wait for the next round, so that
    /// the socket is serviced in between).
    func runQueuedJobs() {
        queue.withLock { queue in
            if !queue.jobs.isEmpty { swap(&queue.jobs, &running) }
        }
        guard !running.isEmpty else { return }
        let executor = asUnownedTaskExecutor()
        for job in running { job.runSynchronously(on: executor) }
        running.removeAll(keepingCapacity: true)
    }

    /// Waits until the socket (if any) is ready, a job or a wake-up arrives, or the timeout passes.
    /// Returns at once when jobs are queued or `isInterrupted` is true. `wantsWrite` and
    /// `isInterrupted` are asked only after the thread is marked sleeping: a packet queued or a
    /// shutdown requested by another thread before its `wake()` either shows up in them or wakes the poll.
    func wait(
        socket: Int32?, wantsWrite: () -> Bool, isInterrupted: () -> Bool, timeoutMilliseconds: Int32
    ) -> Readiness {
        let hasJobs = queue.withLock { queue -> Bool in
            if !queue.jobs.isEmpty { return true }
            queue.isSleeping = true
            mightSleep.store(true, ordering: .sequentiallyConsistent)
            return false
        }
        // A tuple, not an array: this runs once or twice per message under load.
        var descriptors = (
            pollfd(fd: wakeReader, events: Int16(POLLIN), revents: 0),
            pollfd(fd: socket ?? -1, events: 0, revents: 0))
        if socket != nil {
            descriptors.1.events = Int16(Int32(POLLIN) | (wantsWrite() ? Int32(POLLOUT) : 0))
        }
        let timeout = hasJobs || isInterrupted() ? 0 : timeoutMilliseconds
        let count = withUnsafeMutableBytes(of: &descriptors) { buffer in
            poll(buffer.baseAddress!.assumingMemoryBound(to: pollfd.self), socket == nil ? 1 : 2, timeout)
        }
        if hasJobs == false {
            queue.withLock { queue in
                queue.isSleeping = false
                queue.isWoken = false
                mightSleep.store(false, ordering: .relaxed)
            }
        }
        if count > 0 && descriptors.0.revents != 0 { drainPipe() }
        guard count > 0, socket != nil else { return Readiness() }
        let events = Int32(descriptors.1.revents)
        // An error or hang-up is found out by reading.
        return Readiness(
            readable: events & (Int32(POLLIN) | Int32(POLLERR) | Int32(POLLHUP)) != 0,
            writable: events & Int32(POLLOUT) != 0)
    }

    private func signalPipe() {
        var byte: UInt8 = 1
        _ = write(wakeWriter, &byte, 1)
    }

    private func drainPipe() {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 64) { buffer in
            while read(wakeReader, buffer.baseAddress, buffer.count) > 0 {}
        }
    }
}
