//! Figures for the benchmarks: memory of a process from /proc, and throughput.

/// A memory figure of a process (`"self"` or a pid) from /proc/<pid>/status, in MB:
/// `VmHWM` is the peak resident size, `VmRSS` the current one.
pub fn memory_mb(pid: &str, field: &str) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

/// Starts this process's peak resident size (`VmHWM`) over from its current size, so that a
/// phase of a benchmark reports its own peak.
pub fn reset_peak_memory() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

pub fn mb_per_s(bytes: u64, secs: f64) -> f64 {
    bytes as f64 / 1_000_000.0 / secs
}
