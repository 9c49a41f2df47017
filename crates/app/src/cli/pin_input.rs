//! Reading PINs for the CLI: from the terminal without echo, or from an open
//! file descriptor for scripts (`--pin-fd N`, one PIN per line). Never from
//! arguments, never echoed, never logged; held in [`Secret`]s that wipe on drop.

use std::io::{BufRead, BufReader};

use keydesk_core::Secret;
use zeroize::Zeroizing;

use crate::i18n::Text;
use crate::tui::problem::plain;

/// Where typed PINs come from.
#[derive(Debug)]
pub enum PinInput {
    /// Ask on the terminal (`/dev/tty`), without echo.
    Terminal,
    /// Read lines from this descriptor.
    Fd(Vec<Secret>),
}

impl PinInput {
    /// Read all lines of descriptor `fd` now (it is read once), or prepare to
    /// ask on the terminal.
    ///
    /// # Errors
    /// A descriptor that is not open or not readable.
    pub fn new(fd: Option<u32>) -> anyhow::Result<Self> {
        let Some(fd) = fd else {
            return Ok(Self::Terminal);
        };
        // /dev/fd/N reopens the inherited descriptor without unsafe code.
        let path = format!("/dev/fd/{fd}");
        let file = std::fs::File::open(&path)
            .map_err(|_| refuse(Text::CliPinFdClosed, vec![plain(fd)]))?;
        let mut lines = Vec::new();
        let mut reader = BufReader::new(file);
        loop {
            let mut line = Zeroizing::new(String::new());
            let n = reader
                .read_line(&mut line)
                .map_err(|e| refuse(Text::CliPinFdUnreadable, vec![plain(fd), plain(e)]))?;
            if n == 0 {
                break;
            }
            lines.push(Secret::new(line.trim_end_matches(['\r', '\n'])));
        }
        lines.reverse();
        Ok(Self::Fd(lines))
    }

    /// The next PIN: `prompt` on the terminal, or the next line of the descriptor.
    ///
    /// # Errors
    /// No terminal, or the descriptor has no more lines.
    pub fn next(&mut self, prompt: &str) -> anyhow::Result<Secret> {
        match self {
            Self::Terminal => {
                let pin = Zeroizing::new(
                    rpassword::prompt_password(format!("{prompt}: "))
                        .map_err(|_| refuse(Text::CliNoPinTerminal, vec![]))?,
                );
                Ok(Secret::new(pin.trim_end_matches(['\r', '\n'])))
            }
            Self::Fd(lines) => match lines.pop() {
                Some(s) => Ok(s),
                None => Err(refuse(Text::CliPinFdEmpty, vec![plain(prompt)]).into()),
            },
        }
    }

    /// A new PIN: on the terminal typed twice and compared.
    ///
    /// # Errors
    /// As [`Self::next`], or two different entries.
    pub fn new_pin(&mut self, what: &str) -> anyhow::Result<Secret> {
        let first = self.next(&format!("New {what}"))?;
        if matches!(self, Self::Terminal) {
            let again = self.next(&format!("New {what} again"))?;
            if again.expose() != first.expose() {
                return Err(refuse(Text::CliPinsDiffer, vec![plain(what)]).into());
            }
        }
        Ok(first)
    }
}

/// The CLI refusing: `text` with `parts` (exit code 1, as before).
fn refuse(text: Text, parts: Vec<crate::tui::problem::Part>) -> super::Refusal {
    super::Refusal::new(super::exit::OTHER, text, parts)
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    #[test]
    fn lines_of_a_descriptor_come_in_order_and_run_out() {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        f.write_all(b"135790\r\n24681357\n").unwrap();
        // Reopen through a path as a script's descriptor would be.
        let file = std::fs::File::open(f.path()).unwrap();
        let fd = std::os::fd::AsRawFd::as_raw_fd(&file);
        let mut input = PinInput::new(Some(u32::try_from(fd).unwrap())).unwrap();
        assert_eq!(input.new_pin("PIV PIN").unwrap().expose(), "135790");
        assert_eq!(input.next("FIDO2 PIN").unwrap().expose(), "24681357");
        let err = input.next("FIDO2 PIN").unwrap_err().to_string();
        assert!(err.contains("no line left"), "{err}");
        drop(file);
    }

    #[test]
    fn a_closed_descriptor_is_an_error() {
        let err = PinInput::new(Some(999_999)).unwrap_err().to_string();
        assert!(err.contains("not open"), "{err}");
    }
}
