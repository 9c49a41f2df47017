//! keydesk: the counter tool. With no command it opens the TUI; subcommands
//! are the CLI for scripts and auditors.

mod cli;
mod counter;
#[cfg(feature = "sim")]
mod demo;
mod i18n;
mod say;
mod tui;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let mut cli = match cli::args::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return cli::refused(&e),
    };
    match cli.command.take() {
        #[cfg(feature = "sim")]
        Some(cli::args::Command::Demo(a)) => match demo::run(a.demo_db.as_deref(), a.keys) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("{}", say::error_text(&e, i18n::Lang::from_env()));
                ExitCode::FAILURE
            }
        },
        Some(command) => cli::run(cli, command),
        None => counter::counter(
            cli.db.as_ref(),
            cli.profile.as_deref(),
            cli.site.clone(),
            cli.virtual_keys(),
        ),
    }
}
