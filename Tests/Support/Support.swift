import Foundation
/// Shared helpers for tests: temporary directories that clean up after themselves.
public enum TestSupportMarker {}
