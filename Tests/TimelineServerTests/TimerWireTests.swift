import Foundation
import Testing
import TestSupport
import TimelineClient
import TimelineModel

/// Timers in the real binary: the daemon's clock is moved forward with
/// `TIMELINED_CLOCK_OFFSET_SECONDS` across restarts (timers survive them).
@Suite("timers over the socket", .timeLimit(.minutes(3)))
struct TimerWireTests {
    @Test("after the deadlines pass, disputes.list reports slaBreached, then auto_escalate and auto_confirm fire exactly once")
    func timersFire() async throws {
        var config = DaemonConfig()
        config.timers = ["autoEscalateHours": 24, "autoConfirmHours": 96, "checkIntervalSeconds": 1]
        let first = try DaemonProcess(config: config)
        try await offPool { try first.start() }
        var client = try await connect(first)
        let disputed = OrderFixture("T")
        _ = try await disputed.create(client)
        _ = try await client.append(order: disputed.order, events: [disputed.delivered(1)])
        _ = try await client.append(order: disputed.order, events: [disputed.disputeOpened()])
        let delivered = OrderFixture("U")
        _ = try await delivered.create(client)
        _ = try await client.append(order: delivered.order, events: [delivered.delivered(delivered.quantity)])

        func queueEntry(_ c: TimelineClient) async throws -> JSONValue? {
            try await c.call("disputes.list")["disputes"]?.array.first { $0["order"]?.stringValue == disputed.order }
        }
        #expect(try await queueEntry(client)?["slaBreached"] == false)
        await client.close()
        #expect(try await offPool { try first.stop() } == 0)

        // 97 hours later, with the timer check too slow to run: the queue shows the breach.
        let later = Int64(97 * 3600)
        var slow = config
        slow.timers["checkIntervalSeconds"] = 3600
        let second = try DaemonProcess(config: slow, scratch: first.scratch, socketPath: first.socketPath, dataDirectory: first.dataDirectory)
        second.environment = ["TIMELINED_CLOCK_OFFSET_SECONDS": String(later)]
        try await offPool { try second.start() }
        client = try await connect(second)
        #expect(try await queueEntry(client)?["slaBreached"] == true)
        #expect(try await client.order(disputed.order)["dispute"]?["status"] == "open")
        await client.close()
        #expect(try await offPool { try second.stop() } == 0)

        // The same time with the timer check on: both timers fire, as the daemon.
        let third = try DaemonProcess(config: config, scratch: first.scratch, socketPath: first.socketPath, dataDirectory: first.dataDirectory)
        third.environment = ["TIMELINED_CLOCK_OFFSET_SECONDS": String(later)]
        try await offPool { try third.start() }
        client = try await connect(third)
        let fired = try await eventually(timeout: 20) {
            let d = try await client.order(disputed.order)
            let u = try await client.order(delivered.order)
            return d["dispute"]?["status"] == "escalated" && u["state"] == "completed"
        }
        #expect(fired)
        func timerEvents(_ c: TimelineClient, _ order: String, _ type: String) async throws -> [JSONValue] {
            try await c.call("order.events", ["order": .string(order)])["events"]?.array.filter { $0["type"]?.stringValue == type } ?? []
        }
        var escalations = try await timerEvents(client, disputed.order, "dispute.escalated")
        #expect(escalations.count == 1)
        #expect(escalations.first?["actor"]?["role"] == "system")
        #expect(escalations.first?["data"]?["rule"] == "auto_escalate")
        var completions = try await timerEvents(client, delivered.order, "order.completed")
        #expect(completions.first?["data"]?["rule"] == "auto_confirm")
        #expect(completions.count == 1)
        await client.close()
        #expect(try await offPool { try third.stop() } == 0)

        // Restarted again at the same time, nothing fires twice.
        var debug = config
        debug.logLevel = "debug"
        let fourth = try DaemonProcess(config: debug, scratch: first.scratch, socketPath: first.socketPath, dataDirectory: first.dataDirectory)
        fourth.environment = ["TIMELINED_CLOCK_OFFSET_SECONDS": String(later)]
        try await offPool { try fourth.start() }
        client = try await connect(fourth)
        // The positive signal: a timer check has run (the debug line says so).
        #expect(await eventually(timeout: 30) { fourth.log.contains("timers checked") }, "\(fourth.log)")
        escalations = try await timerEvents(client, disputed.order, "dispute.escalated")
        completions = try await timerEvents(client, delivered.order, "order.completed")
        #expect(escalations.count == 1 && completions.count == 1)
        await client.close()
        #expect(try await offPool { try fourth.stop() } == 0)
    }

    @Test("a malformed clock offset stops the daemon at start with a sentence naming the variable")
    func badOffset() async throws {
        let daemon = try DaemonProcess()
        daemon.environment = ["TIMELINED_CLOCK_OFFSET_SECONDS": "soon"]
        try daemon.launch()
        let status = try await offPool { try daemon.waitForExit(timeout: 30) }
        #expect(status == 2)
        #expect(daemon.log.contains("TIMELINED_CLOCK_OFFSET_SECONDS must be a whole number"), "\(daemon.log)")
    }
}
