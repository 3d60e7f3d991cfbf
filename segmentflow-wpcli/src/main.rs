//! The `segmentflow-wpcli` binary: parses arguments and hands them to the library.

/// mimalloc instead of the system allocator: the sync allocates and frees
/// many small values per record (meta strings, JSON trees, bodies).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    segmentflow_wpcli::run(std::env::args_os())
}
