//! keydesk: the counter tool. With no command it opens the TUI; subcommands
//! are the CLI for scripts and auditors.

fn main() {
    println!("keydesk {}", env!("CARGO_PKG_VERSION"));
}
