//! The TUI's event loop: terminal input and worker answers become messages,
//! `App::update` turns them into commands, and a worker thread runs those
//! against a [`Service`] so the screen never blocks on a key or the database.

use std::io;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::thread;
use std::time::{Duration, Instant};

use crossterm::event::{self, Event};

use super::model::{Cmd, Msg};
use super::problem::Problem;
use super::state::App;
use crate::i18n::Text;

/// What the TUI needs from the world. Implemented over keydesk-core for real
/// keys and for the demo's virtual keys.
pub trait Service: Send + 'static {
    /// Run one command; answer with messages.
    fn run(&mut self, cmd: Cmd) -> Vec<Msg>;

    /// Called when idle: report what changed on its own (keys plugged or unplugged).
    fn poll(&mut self) -> Vec<Msg>;

    /// Where to send messages while a command is still running (touch prompts).
    fn attach(&mut self, outbox: Sender<Msg>) {
        let _ = outbox;
    }
}

/// How often the worker looks for plug/unplug when idle.
const POLL_EVERY: Duration = Duration::from_millis(300);

fn worker(mut service: impl Service, cmds: Receiver<Cmd>, msgs: Sender<Msg>) {
    service.attach(msgs.clone());
    let send_all = |v: Vec<Msg>| v.into_iter().all(|m| msgs.send(m).is_ok());
    if !send_all(service.poll()) {
        return;
    }
    loop {
        let out = match cmds.recv_timeout(POLL_EVERY) {
            Ok(cmd) => service.run(cmd),
            Err(RecvTimeoutError::Timeout) => service.poll(),
            Err(RecvTimeoutError::Disconnected) => return,
        };
        if !send_all(out) {
            return;
        }
    }
}

/// Run the TUI until the user quits.
///
/// # Errors
/// When the terminal cannot be set up or read.
pub fn run(mut app: App, service: impl Service) -> io::Result<()> {
    let (cmd_tx, cmd_rx) = mpsc::channel();
    let (msg_tx, msg_rx) = mpsc::channel();
    let worker = thread::Builder::new()
        .name("keydesk-worker".into())
        .spawn(move || worker(service, cmd_rx, msg_tx))?;

    let mut terminal = ratatui::init();
    let mut last_tick = Instant::now();
    let result = (|| -> io::Result<()> {
        loop {
            terminal.draw(|f| f.render_widget(&app, f.area()))?;
            let mut msgs: Vec<Msg> = msg_rx.try_iter().collect();
            let now = Instant::now();
            msgs.push(Msg::Tick(now - last_tick));
            last_tick = now;
            if event::poll(Duration::from_millis(50))? {
                if let Event::Key(key) = event::read()? {
                    msgs.push(Msg::Key(key));
                }
            }
            for msg in msgs {
                for cmd in app.update(msg) {
                    if cmd_tx.send(cmd).is_err() {
                        app.error = Some(Problem::new(Text::ErrWorkerStopped, Vec::new()));
                    }
                }
            }
            if app.quit {
                return Ok(());
            }
        }
    })();
    ratatui::restore();
    drop(cmd_tx);
    // The worker ends when its command channel closes; a panic there is reported, not hidden.
    if worker.join().is_err() {
        return Err(io::Error::other(app.lang.t(Text::ErrWorkerPanicked)));
    }
    result
}
