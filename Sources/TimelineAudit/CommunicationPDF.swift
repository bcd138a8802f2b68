import Foundation

/// The timeline page printed to PDF by a headless chromium, for processors that
/// take the conversation as a document, and the limits they put on it.
enum CommunicationPDF {
    enum Outcome {
        case rendered([UInt8])
        /// Why there is no PDF, as a sentence.
        case unavailable(String)
    }

    /// Stripe takes files of at most 5 MB, PayPal 10 MB; Mastercard at most 19 pages.
    static let maxBytes = 5 * 1024 * 1024
    static let maxPages = 19

    /// The browsers tried on `PATH`, in order.
    static let browsers = ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"]

    /// Prints `html` with `chromium` (or the first browser found on `PATH`).
    static func render(html: String, chromium: String?) -> Outcome {
        guard let browser = chromium ?? browsers.lazy.compactMap(findOnPath).first else {
            return .unavailable("no headless chromium is installed (tried \(browsers.joined(separator: ", ")) on PATH); install Debian's chromium to get it")
        }
        let dir = NSTemporaryDirectory() + "bundle-pdf-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        do {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            try Data(html.utf8).write(to: URL(fileURLWithPath: dir + "/timeline.html"))
        } catch {
            return .unavailable("the page could not be written for the browser: \(error.localizedDescription)")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: browser)
        process.arguments = [
            "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer", "--user-data-dir=\(dir)/profile",
            "--print-to-pdf=\(dir)/communication.pdf", "file://\(dir)/timeline.html",
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return .unavailable("\(browser) could not be started: \(error.localizedDescription)") }
        let deadline = Date().addingTimeInterval(90)
        while process.isRunning && Date() < deadline { usleep(50_000) }
        if process.isRunning {
            process.terminate()
            return .unavailable("\(browser) did not print the page within 90 s")
        }
        guard let pdf = FileManager.default.contents(atPath: dir + "/communication.pdf"), !pdf.isEmpty else {
            return .unavailable("\(browser) exited with status \(process.terminationStatus) without printing the page")
        }
        return .rendered(Array(pdf))
    }

    /// The processors' limits `pdf` breaks, as sentences.
    static func limitWarnings(_ pdf: [UInt8]) -> [String] {
        var out: [String] = []
        if pdf.count > maxBytes { out.append("communication.pdf has \(pdf.count) bytes, over Stripe's 5 MB per file") }
        let pages = pageCount(pdf)
        if pages > maxPages { out.append("communication.pdf has \(pages) pages, over Mastercard's 19") }
        return out
    }

    /// The number of page objects (`/Type /Page`, not `/Pages`) in a PDF.
    static func pageCount(_ pdf: [UInt8]) -> Int {
        let text = String(decoding: pdf, as: UTF8.self)
        let pattern = #"/Type\s*/Page(?![a-zA-Z])"#
        guard let regex = try? NSRegularExpression(pattern: pattern) else { return 0 }
        return regex.numberOfMatches(in: text, range: NSRange(text.startIndex..., in: text))
    }

    static func findOnPath(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}
