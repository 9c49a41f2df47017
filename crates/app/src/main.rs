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

use clap::parser::ValueSource;
use clap::{CommandFactory, FromArgMatches};

fn main() -> ExitCode {
    let parsed = cli::args::Cli::command()
        .try_get_matches()
        .and_then(|m| cli::args::Cli::from_arg_matches(&m).map(|cli| (cli, m)));
    let mut cli = match parsed {
        Ok((mut cli, matches)) => {
            cli.site_typed = matches.value_source("site") == Some(ValueSource::CommandLine);
            cli
        }
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
        None => match cli.counter_site() {
            Ok(site) => counter::counter(
                cli.db.as_ref(),
                cli.profile.as_deref(),
                site,
                cli.virtual_keys(),
            ),
            Err(e) => {
                eprintln!("{}", say::error_text(&e.into(), i18n::Lang::from_env()));
                ExitCode::from(2)
            }
        },
    }
}
