/// The test support every suite uses re-exports the scratch helpers
/// (``TempDirectory``, ``ReaderProcess``), which LMDBTests link alone.
@_exported import TestScratch
