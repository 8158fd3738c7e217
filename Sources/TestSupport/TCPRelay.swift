import Foundation
import Synchronization

/// A TCP relay on 127.0.0.1 in front of a server, passing bytes through unchanged, that a test can
/// cut: every connection through it is closed at once and no new one is accepted. The server then
/// sees what it sees when the kernel closes the sockets of a process that died (a broker publishes
/// the client's will), without the client saying goodbye.
///
/// The relay's threads keep it alive until `cut()`.
public final class TCPRelay: Sendable {
    /// Where clients connect instead of the server.
    public let port: Int
    private let listener: Int32
    /// The descriptors in use: changed, shut down and closed only under this lock, so that no
    /// descriptor number is touched after it was closed (and perhaps reused).
    private let open = Mutex<(isCut: Bool, listening: Bool, sockets: Set<Int32>)>((false, true, []))

    public init(toPort targetPort: Int) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestFailure("socket() failed: \(errno)") }
        var address = Self.loopback(port: 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && listen(fd, 8) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard bound else {
            Glibc.close(fd)
            throw TestFailure("the relay cannot listen on 127.0.0.1: errno \(errno)")
        }
        listener = fd
        port = Int(UInt16(bigEndian: address.sin_port))
        Thread.detachNewThread { [self] in acceptConnections(targetPort: targetPort) }
    }

    /// Closes every connection through the relay and stops accepting new ones; call it also to
    /// end a relay that is no longer needed.
    public func cut() {
        // Shutting down wakes the threads blocked in accept() and recv(); they close the descriptors.
        open.withLock { open in
            guard !open.isCut else { return }
            open.isCut = true
            if open.listening { Glibc.shutdown(listener, Int32(SHUT_RDWR)) }
            for socket in open.sockets { Glibc.shutdown(socket, Int32(SHUT_RDWR)) }
        }
    }

    private func acceptConnections(targetPort: Int) {
        defer {
            open.withLock { open in
                open.listening = false
                Glibc.close(listener)
            }
        }
        while true {
            let client = accept(listener, nil, nil)
            guard client >= 0 else { return }
            let server = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = Self.loopback(port: targetPort)
            let connected = server >= 0 && withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(server, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
            }
            let admitted = connected && open.withLock { open in
                guard !open.isCut else { return false }
                open.sockets.formUnion([client, server])
                return true
            }
            guard admitted else {
                Glibc.close(client)
                if server >= 0 { Glibc.close(server) }
                continue
            }
            let pair = (client, server)
            Thread.detachNewThread { [self] in pump(from: pair.0, to: pair.1) }
            Thread.detachNewThread { [self] in pump(from: pair.1, to: pair.0) }
        }
    }

    /// Copies bytes one way until either side ends; then ends both, and the last of the two pumps
    /// closes the descriptors.
    private func pump(from source: Int32, to destination: Int32) {
        var buffer = [UInt8](repeating: 0, count: 16_384)
        copying: while true {
            let received = buffer.withUnsafeMutableBytes { recv(source, $0.baseAddress, $0.count, 0) }
            guard received > 0 else { break }
            var sent = 0
            while sent < received {
                let written = buffer.withUnsafeBytes { send(destination, $0.baseAddress! + sent, received - sent, Int32(MSG_NOSIGNAL)) }
                guard written > 0 else { break copying }
                sent += written
            }
        }
        open.withLock { open in
            // The first pump to end ends both directions and forgets both descriptors; the second
            // finds them forgotten and closes them.
            if open.sockets.remove(source) != nil {
                open.sockets.remove(destination)
                Glibc.shutdown(source, Int32(SHUT_RDWR))
                Glibc.shutdown(destination, Int32(SHUT_RDWR))
            } else {
                Glibc.close(source)
                Glibc.close(destination)
            }
        }
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }
}
