//! The counter TUI: state + update + view (Elm-like), with device and
//! database work on a worker thread that answers with messages.

pub mod runtime;
pub mod state;
pub mod view;
