//! The `segmentflow-wpcli` binary: parses arguments and hands them to the library.

fn main() -> std::process::ExitCode {
    segmentflow_wpcli::run(std::env::args_os())
}
