//! How the virtual key's touch sensor behaves: pressed at once, never, or
//! after a delay, so that touch prompts and timeouts can be tested.

use std::time::Duration;

/// Touch behaviour of a virtual key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum Touch {
    /// The user touches at once (default in-process and for `serve`).
    #[default]
    Auto,
    /// Nobody ever touches: operations that need touch time out.
    Never,
    /// The user touches after this delay.
    After(Duration),
}

impl std::str::FromStr for Touch {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "auto" => Ok(Self::Auto),
            "never" => Ok(Self::Never),
            ms => ms
                .parse::<u64>()
                .map(|ms| Self::After(Duration::from_millis(ms)))
                .map_err(|_| {
                    format!("touch must be auto, never or a delay in milliseconds, not {ms:?}")
                }),
        }
    }
}
