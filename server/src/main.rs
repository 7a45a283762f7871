//! The `liaison-server` binary: parse the command line, run it.

fn main() -> std::process::ExitCode {
    liaison_server::cli::main()
}
