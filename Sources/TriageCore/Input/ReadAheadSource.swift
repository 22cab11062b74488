#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads another source on its own thread, a few buffers ahead of the consumer.
///
/// Used for gzip: inflating on one core while the other parses makes the two
/// overlap instead of adding up. Memory is bounded: `slots` buffers of
/// `slotSize` bytes. Errors are delivered in order: every byte produced before
/// the error is handed out first, then the error is thrown.
///
/// `@unchecked Sendable`: the producer thread and the consumer share the ring
/// only under `mutex`; `base` is used by the producer thread alone.
public final class ReadAheadSource: ByteSource, @unchecked Sendable {
    private let base: ByteSource
    private let slotSize: Int
    private let slotCount: Int
    private let buffers: UnsafeMutablePointer<UInt8>
    /// Filled byte count of each slot.
    private var filled: [Int]
    /// Raw (file) bytes the base had consumed when each slot was filled.
    private var rawAtFill: [Int64]
    private var head = 0          // next slot to consume
    private var tail = 0          // next slot to fill
    private var queued = 0        // filled slots not yet consumed
    private var headOffset = 0    // bytes of the head slot already handed out
    private var isAtEnd = false
    private var failure: Error?
    private var isCancelled = false
    private var consumedRaw: Int64 = 0
    private var mutex = pthread_mutex_t()
    private var changed = pthread_cond_t()

    public init(base: ByteSource, slotSize: Int = 1 << 20, slots: Int = 4) {
        self.base = base
        self.slotSize = max(1, slotSize)
        self.slotCount = max(2, slots)
        self.buffers = .allocate(capacity: self.slotSize * self.slotCount)
        self.filled = [Int](repeating: 0, count: self.slotCount)
        self.rawAtFill = [Int64](repeating: 0, count: self.slotCount)
        pthread_mutex_init(&mutex, nil)
        pthread_cond_init(&changed, nil)
        let context = Unmanaged.passRetained(self).toOpaque()
        var handle = pthread_t()
        let started = pthread_create(&handle, nil, { context in
            guard let context else { return nil }
            let source = Unmanaged<ReadAheadSource>.fromOpaque(context).takeRetainedValue()
            source.produce()
            return nil
        }, context)
        if started == 0 {
            // Detached: it ends by itself at the end of the input or on close().
            pthread_detach(handle)
        } else {
            Unmanaged<ReadAheadSource>.fromOpaque(context).release()
            isAtEnd = true
            failure = TriageError.readFailed(path: "?", reason: "could not start the read-ahead thread")
        }
    }

    deinit {
        buffers.deallocate()
        pthread_cond_destroy(&changed)
        pthread_mutex_destroy(&mutex)
    }

    /// Stops the producer when the consumer gives up before the end.
    public func close() {
        pthread_mutex_lock(&mutex)
        isCancelled = true
        pthread_cond_broadcast(&changed)
        pthread_mutex_unlock(&mutex)
    }

    public var consumedBytes: Int64 {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        return consumedRaw
    }

    private func produce() {
        while true {
            pthread_mutex_lock(&mutex)
            while queued == slotCount && !isCancelled { pthread_cond_wait(&changed, &mutex) }
            if isCancelled {
                pthread_mutex_unlock(&mutex)
                return
            }
            let slot = tail
            pthread_mutex_unlock(&mutex)

            // Fill the slot outside the lock; only this thread touches free slots.
            var count = 0
            var error: Error?
            let start = buffers + slot * slotSize
            do {
                while count < slotSize {
                    let n = try base.read(into: UnsafeMutableRawBufferPointer(start: start + count, count: slotSize - count))
                    if n == 0 { break }
                    count += n
                }
            } catch let e {
                error = e
            }
            let raw = base.consumedBytes

            pthread_mutex_lock(&mutex)
            let atEnd = count < slotSize
            if count > 0 {
                filled[slot] = count
                rawAtFill[slot] = raw
                tail = (tail + 1) % slotCount
                queued += 1
            }
            if atEnd {
                isAtEnd = true
                failure = error
            }
            pthread_cond_broadcast(&changed)
            pthread_mutex_unlock(&mutex)
            if atEnd { return }
        }
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard let destination = buffer.baseAddress, buffer.count > 0 else { return 0 }
        pthread_mutex_lock(&mutex)
        while queued == 0 && !isAtEnd { pthread_cond_wait(&changed, &mutex) }
        if queued == 0 {
            let error = failure
            failure = nil
            pthread_mutex_unlock(&mutex)
            if let error { throw error }
            return 0
        }
        let slot = head
        let available = filled[slot] - headOffset
        pthread_mutex_unlock(&mutex)

        // The head slot is the consumer's until it is released below.
        let n = min(available, buffer.count)
        destination.copyMemory(from: buffers + slot * slotSize + headOffset, byteCount: n)

        pthread_mutex_lock(&mutex)
        headOffset += n
        if headOffset == filled[slot] {
            consumedRaw = rawAtFill[slot]
            headOffset = 0
            head = (head + 1) % slotCount
            queued -= 1
            pthread_cond_broadcast(&changed)
        }
        pthread_mutex_unlock(&mutex)
        return n
    }
}
