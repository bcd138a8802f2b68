import NIOCore
import TimelineModel
import TimelineWire

/// Serves one connection: parses each frame, runs its op, and writes replies
/// in request order even when later requests finish first (pipelining). A
/// request that follows a pending write of the connection runs once that write
/// is answered, so effects keep request order too. Stops reading while too many
/// requests of this connection are in flight; at shutdown, drains (``DrainConnection``).
///
/// Thread rule: a channel handler; everything runs on the channel's event loop.
final class ConnectionHandler: ChannelDuplexHandler {
    typealias InboundIn = Frame
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let services: ServerServices
    private let role: PeerRole?
    private var subscriptions: ConnectionSubscriptions?
    private var nextSequence = 0
    private var nextToWrite = 0
    private var finished: [Int: ByteBuffer] = [:]
    private var closeAfter: Int?
    private var readHeld = false
    private var inputClosed = false
    /// A close is on its way (after the queued replies are written).
    private var closing = false
    /// The daemon is shutting down: close once every owed reply is written, then drop input.
    private var draining = false
    /// Requests of this connection that change the store and are not answered yet.
    private var pendingWrites = 0
    /// Requests waiting for this connection's earlier writes, in request order
    /// (from ``waitingHead`` on; at most `maxInFlightPerConnection` of them).
    private var waiting: [(request: Request, sequence: Int)] = []
    private var waitingHead = 0
    /// The channel went inactive: nothing more is run or written.
    private var closed = false

    init(services: ServerServices, role: PeerRole?) {
        self.services = services
        self.role = role
    }

    private var inFlight: Int { nextSequence - nextToWrite }

    func handlerAdded(context: ChannelHandlerContext) {
        subscriptions = ConnectionSubscriptions(channel: context.channel)
        services.stats.connectionOpened()
        // A connection that arrives while the daemon is draining drains at once.
        if services.connections.add(context.channel) { beginDrain(context: context) }
    }

    func channelInactive(context: ChannelHandlerContext) {
        closed = true
        // Requests still waiting for a write will never run: they count as answered.
        for _ in waitingHead..<waiting.count { services.stats.requestAnswered() }
        waiting.removeAll()
        waitingHead = 0
        subscriptions?.cancelAll()
        services.stats.connectionClosed()
        services.connections.remove(context.channel)
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        // Once the last reply is on its way (framing lost, or the drain's close), input
        // is read and dropped: reading on keeps the peer from a reset on close.
        guard closeAfter == nil, !(draining && closing) else { return }
        let sequence = nextSequence
        nextSequence += 1
        services.stats.requestStarted()
        switch unwrapInboundIn(data) {
        case .tooLarge:
            let limit = services.configuration.limits.maxFrameBytes
            let error = TimelineError(
                .frameTooLarge, "a line may be at most \(limit) bytes; the connection is closed because framing is lost",
                details: ["limit": .int(Int64(limit))]
            )
            closeAfter = sequence
            fail(sequence, id: .null, error: error, context: context)
        case .line(let line):
            handle(line, sequence: sequence, context: context)
        }
    }

    private func handle(_ line: ByteBuffer, sequence: Int, context: ChannelHandlerContext) {
        let request: Request
        switch Request.parse(line) {
        case .failure(let failure):
            fail(sequence, id: failure.id, error: failure.error, context: context)
            return
        case .success(let r):
            request = r
        }
        // Replies are in request order, and so are effects: a request after a pending
        // write of this connection waits for it (consecutive writes go on together).
        if waitingHead < waiting.count || (pendingWrites > 0 && !OpTable.changesStore(request.op)) {
            waiting.append((request, sequence))
            return
        }
        run(request, sequence: sequence, context: context)
    }

    /// Routes one request and completes its reply now or when its future completes.
    private func run(_ request: Request, sequence: Int, context: ChannelHandlerContext) {
        let allocator = context.channel.allocator
        guard let subscriptions, !closed else { return }
        let isWrite = OpTable.changesStore(request.op)
        if isWrite { pendingWrites += 1 }
        subscriptions.currentSequence = sequence
        let opContext = OpContext(services: services, eventLoop: context.eventLoop, role: role, connection: subscriptions)
        let id = request.id
        services.stats.requestRouted(request.op)
        do {
            switch try Router.handle(request, opContext) {
            case .now(let body):
                complete(sequence, ReplyEncoder.success(id: id, body: body, allocator: allocator), context: context)
                if isWrite { writeAnswered(context: context) }
            case .later(let future):
                future.hop(to: context.eventLoop).assumeIsolated().whenComplete { result in
                    switch result {
                    case .success(let body):
                        self.complete(sequence, ReplyEncoder.success(id: id, body: body, allocator: allocator), context: context)
                    case .failure(let error):
                        let timelineError = error as? TimelineError ?? TimelineError(.internal, "the request failed: \(error)")
                        self.fail(sequence, id: id, error: timelineError, context: context)
                    }
                    if isWrite { self.writeAnswered(context: context) }
                }
            }
        } catch {
            fail(sequence, id: id, error: error, context: context)
            if isWrite { writeAnswered(context: context) }
        }
    }

    /// One write is answered: runs the requests that waited for it, up to the next
    /// read that must wait for a write still pending.
    private func writeAnswered(context: ChannelHandlerContext) {
        pendingWrites -= 1
        while waitingHead < waiting.count {
            let next = waiting[waitingHead]
            guard pendingWrites == 0 || OpTable.changesStore(next.request.op) else { return }
            waitingHead += 1
            if waitingHead == waiting.count {
                waiting.removeAll(keepingCapacity: true)
                waitingHead = 0
            }
            run(next.request, sequence: next.sequence, context: context)
        }
    }

    /// Stores a finished reply and writes every reply that is next in order.
    /// Answers request `sequence` with `error` (counted by code for the metrics).
    private func fail(_ sequence: Int, id: JSONValue, error: TimelineError, context: ChannelHandlerContext) {
        services.stats.errorReplied(error)
        complete(sequence, ReplyEncoder.failure(id: id, error: error, allocator: context.channel.allocator), context: context)
    }

    private func complete(_ sequence: Int, _ reply: ByteBuffer, context: ChannelHandlerContext) {
        finished[sequence] = reply
        var wrote = false
        while let next = finished.removeValue(forKey: nextToWrite) {
            context.write(wrapOutboundOut(next), promise: nil)
            services.stats.requestAnswered()
            if closeAfter == nextToWrite {
                closeAfterQueuedWrites(context: context)
                return
            }
            nextToWrite += 1
            wrote = true
        }
        guard wrote else { return }
        context.flush()
        startSubscribers()
        resumeReadingIfPossible(context: context)
        if draining && inFlight == 0 {
            closeAfterQueuedWrites(context: context, grace: Self.drainGrace)
            resumeDroppingInput(context: context)
        } else if inputClosed && inFlight == 0 && !hasLiveSubscriptions {
            closeAfterQueuedWrites(context: context)
        }
    }

    /// Closes once every reply written so far has reached the socket. A plain
    /// `close` fails the writes still queued in the channel, which cut a large
    /// reply to a slow reader short (found by the protocol fuzzer).
    private func closeAfterQueuedWrites(context: ChannelHandlerContext, grace: TimeAmount = closeGrace) {
        guard !closing else { return }
        closing = true
        // Writes complete in order: this empty one completes after every reply before it.
        // A peer that stops reading altogether is closed anyway after a grace period.
        let channel = context.channel
        let giveUp = context.eventLoop.scheduleTask(in: grace) { channel.close(promise: nil) }
        let written = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(capacity: 0)), promise: written)
        written.futureResult.assumeIsolated().whenComplete { _ in
            giveUp.cancel()
            context.close(promise: nil)
        }
    }

    /// How long a closing connection may take to read its last replies.
    static let closeGrace = TimeAmount.seconds(30)
    /// The same while the daemon shuts down (it waits for its connections that long at most).
    static let drainGrace = TimeAmount.seconds(10)

    /// Subscriptions start delivering only after their `subscribe` reply went out.
    private func startSubscribers() {
        guard let subscriptions, !subscriptions.starting.isEmpty else { return }
        let written = subscriptions.starting.filter { $0.sequence < nextToWrite }
        subscriptions.starting.removeAll { $0.sequence < nextToWrite }
        for entry in written where !entry.subscriber.isEnded { entry.subscriber.start(history: entry.history) }
    }

    /// Reads pause while too many requests are in flight, and while the
    /// channel is not writable (its unsent replies passed the high water mark):
    /// a peer that does not read its replies must not make the daemon buffer them without bound.
    func read(context: ChannelHandlerContext) {
        // Draining and closing, input is dropped unparsed: keep reading whatever the replies do.
        if !(draining && closing), inFlight >= services.configuration.limits.maxInFlightPerConnection || !context.channel.isWritable {
            readHeld = true
            return
        }
        context.read()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        resumeReadingIfPossible(context: context)
        context.fireChannelWritabilityChanged()
    }

    private func resumeReadingIfPossible(context: ChannelHandlerContext) {
        if readHeld && inFlight < services.configuration.limits.maxInFlightPerConnection && context.channel.isWritable {
            readHeld = false
            context.read()
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is DrainConnection {
            beginDrain(context: context)
            return
        }
        if let event = event as? ChannelEvent, event == .inputClosed {
            inputClosed = true
            if inFlight == 0 && !hasLiveSubscriptions { closeAfterQueuedWrites(context: context) }
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    /// Shutdown: no more pushes; requests read from now on are answered `shutting_down`
    /// (the router says so), and once every owed reply is written whole the connection
    /// closes. A peer that does not read them is closed after ``drainGrace``.
    private func beginDrain(context: ChannelHandlerContext) {
        guard !draining else { return }
        draining = true
        subscriptions?.cancelAll()
        if closing {
            // Already closing with the ordinary grace: the shutdown does not wait that long.
            let channel = context.channel
            context.eventLoop.scheduleTask(in: Self.drainGrace) { channel.close(promise: nil) }
        } else if inFlight == 0 {
            closeAfterQueuedWrites(context: context, grace: Self.drainGrace)
        }
        resumeDroppingInput(context: context)
    }

    /// While the drain's close is on its way, reads go on (and drop what they get) even
    /// if replies are still unsent: unread input at close would reset the peer's connection.
    private func resumeDroppingInput(context: ChannelHandlerContext) {
        if draining && closing && readHeld {
            readHeld = false
            context.read()
        }
    }

    /// Whether a subscription of this connection still delivers (one cut off as too slow has ended).
    private var hasLiveSubscriptions: Bool {
        subscriptions?.active.values.contains { !$0.isEnded } ?? false
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }
}
