//! The counter TUI: state + update + view (Elm-like), with device and
//! database work on a worker thread that answers with messages.

pub mod audit;
pub mod bulk;
pub mod clock;
pub mod csr;
pub mod detail;
mod detail_data;
pub mod model;
pub mod problem;
pub mod recovery;
pub mod runtime;
pub mod service;
pub mod state;
pub mod view;
pub mod wizard;

#[cfg(test)]
mod snapshots_test;
