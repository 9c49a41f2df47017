//! The counter TUI: state + update + view (Elm-like), with device and
//! database work on a worker thread that answers with messages. Each screen
//! implements [`screen::Screen`]; the app keeps them on a [`stack::Stack`].

pub mod audit;
pub mod bulk;
pub mod choice;
pub mod clock;
pub mod csr;
pub mod detail;
mod detail_data;
pub mod home;
pub mod model;
pub mod problem;
pub mod recovery;
pub mod runtime;
pub mod screen;
pub mod service;
pub mod stack;
pub mod state;
pub mod status;
pub mod view;
pub mod wizard;

#[cfg(test)]
mod snapshots_test;
#[cfg(test)]
pub(crate) mod testing;
