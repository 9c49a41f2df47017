//! A wizard on screen: title with the key's serial, the steps with what is
//! done (✓), where we are (›) and what comes next (·), the choices made so
//! far, the current step's panel and its keys. Pure: reads the state only.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Widget, Wrap};

use super::{Flow, Step, Wizard};
use crate::i18n::{Lang, Text};
use crate::tui::choice::Choice;
use crate::tui::model::Label;
use crate::tui::model::{Fate, Pins};
use crate::tui::problem::Problem;
use crate::tui::screen::Ctx;

fn bold() -> Style {
    Style::new().add_modifier(Modifier::BOLD)
}

fn fate_text(lang: Lang, f: Fate) -> String {
    match f {
        Fate::Returned => lang.t(Text::FateReturned).to_owned(),
        Fate::Revoked(r) => format!("{}: {}", lang.t(Text::FateRevoked), lang.t(r.text())),
    }
}

/// Draw `w` into `area`.
pub fn render(w: &Wizard, ctx: &Ctx<'_>, area: Rect, buf: &mut Buffer) {
    let t = |x| ctx.lang.t(x);
    let [title, steps, facts, body, keys] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(4),
        Constraint::Min(5),
        Constraint::Length(1),
    ])
    .areas(area);
    Line::from(vec![
        Span::styled(t(w.flow.text()), bold()),
        Span::raw(" – "),
        Span::styled(format!("{} {}", t(Text::KindKey), w.serial), bold()),
    ])
    .render(title, buf);
    progress(w, ctx.lang).render(steps, buf);
    Paragraph::new(chosen(w, ctx.lang))
        .block(Block::default().borders(Borders::TOP).title(t(Text::SoFar)))
        .render(facts, buf);
    let block = Block::default()
        .borders(Borders::ALL)
        .title(t(w.step().text()));
    Paragraph::new(panel(w, ctx))
        .wrap(Wrap { trim: false })
        .block(block)
        .render(body, buf);
    let hint = match (&w.error, w.hint) {
        (Some(e), _) if w.step() == Step::Working => t(retry_keys(e)),
        (_, Some(h)) => t(h),
        _ => t(step_keys(w.step())),
    };
    Line::from(Span::styled(
        hint,
        Style::new().add_modifier(Modifier::REVERSED),
    ))
    .render(keys, buf);
}

fn step_keys(step: Step) -> Text {
    match step {
        Step::Staff | Step::Notebook => Text::KeysSearch,
        Step::PinEntry => Text::KeysPin,
        Step::TypeSerial => Text::KeysTypeSerial,
        Step::Replug => Text::KeysReplug,
        Step::Working => Text::Working,
        Step::Done => Text::KeysDone,
        Step::Confirm => Text::KeysConfirm,
        _ => Text::KeysChoice,
    }
}

/// "✓ Person › Notebook · PINs · …"
fn progress(w: &Wizard, lang: Lang) -> Line<'static> {
    let mut spans: Vec<Span<'_>> = Vec::new();
    let mut last = None;
    let current = w.step().text();
    let mut past = true;
    for (i, step) in w.plan().iter().enumerate() {
        if w.skipped(*step) && i != w.at {
            continue;
        }
        let text = step.text();
        if last == Some(text) {
            continue;
        }
        last = Some(text);
        if text == current {
            past = false;
            spans.push(Span::styled(
                format!("› {} ", lang.t(text)),
                Style::new().add_modifier(Modifier::BOLD | Modifier::REVERSED),
            ));
        } else if past {
            spans.push(Span::raw(format!("✓ {} ", lang.t(text))));
        } else {
            spans.push(Span::styled(
                format!("· {} ", lang.t(text)),
                Style::new().add_modifier(Modifier::DIM),
            ));
        }
    }
    Line::from(spans)
}

/// The choices made so far, one line each.
fn chosen(w: &Wizard, lang: Lang) -> Vec<Line<'static>> {
    let t = |x| lang.t(x);
    let mut out = Vec::new();
    let mut fact = |label: Text, value: String| {
        out.push(Line::from(vec![
            Span::styled(format!("{}: ", t(label)), bold()),
            Span::raw(value),
        ]));
    };
    if let Some(h) = &w.staff {
        fact(Text::KindStaff, h.label.clone());
    }
    if w.plan().contains(&Step::Notebook) && w.at > 1 {
        fact(
            Text::KindNotebook,
            w.notebook
                .as_ref()
                .map_or_else(|| "–".to_owned(), |h| h.label.clone()),
        );
    }
    if let Some(f) = w.fate {
        fact(Text::StepOldFate, fate_text(lang, f));
    }
    if let Some(r) = w.reason {
        fact(Text::StepReason, t(r.text()).to_owned());
    }
    if let Some(k) = w.new_key {
        fact(Text::StepNewKey, k.to_string());
    }
    if let Some(p) = &w.pins {
        let v = match p {
            Pins::Letter => Text::PinOptLetter,
            Pins::Typed(_) => Text::PinsTyped,
        };
        fact(Text::StepPins, t(v).to_owned());
    }
    if w.flow == Flow::Return && w.at > 0 {
        let v = if w.reset_on_return {
            Text::ReturnResetNow
        } else {
            Text::ReturnResetLater
        };
        fact(Text::StepReturnReset, t(v).to_owned());
    }
    let typed_at = w.plan().iter().position(|s| *s == Step::TypeSerial);
    if typed_at.is_some_and(|i| w.at > i) {
        fact(
            Text::StepConfirm,
            format!("{} {}", t(Text::SerialConfirmed), w.serial),
        );
    }
    if out.is_empty() {
        out.push(Line::from(t(Text::NothingYet)));
    }
    out
}

/// The options of a list, the selected one marked.
fn options<T>(choice: &Choice<T>, label: impl Fn(&T) -> String) -> Vec<Line<'static>> {
    choice
        .marked()
        .map(|(selected, o)| {
            let s = label(o);
            if selected {
                Line::from(Span::styled(
                    format!("› {s}"),
                    Style::new().add_modifier(Modifier::REVERSED),
                ))
            } else {
                Line::from(format!("  {s}"))
            }
        })
        .collect()
}

fn masked(s: &str, active: bool) -> String {
    let dots: String = "•".repeat(s.chars().count());
    if active {
        format!("{dots}▏")
    } else {
        dots
    }
}

fn panel(w: &Wizard, ctx: &Ctx<'_>) -> Vec<Line<'static>> {
    let lang = ctx.lang;
    let t = |x| lang.t(x);
    let serial = w.serial;
    match w.step() {
        Step::Staff | Step::Notebook => {
            let mut lines = vec![Line::from(vec![
                Span::styled(format!("{}: ", t(Text::Search)), bold()),
                Span::raw(format!("{}▏", w.query)),
            ])];
            if w.step() == Step::Notebook {
                lines.push(Line::from(t(Text::NotebookOptional)));
            }
            if !w.query.trim().is_empty() && w.hits.is_empty() {
                lines.push(Line::from(t(Text::NoResults)));
            }
            lines.extend(options(&w.hits, |h| h.label.clone()));
            lines
        }
        Step::PinChoice => options(&w.choices.pins, |p| t(p.text()).to_owned()),
        Step::PinEntry => vec![
            Line::from(format!(
                "{} {}–{} {} · {} {}",
                t(Text::PolicyLength),
                ctx.policy.pin_min,
                ctx.policy.pin_max,
                t(Text::PolicyDigits),
                ctx.policy.tries,
                t(Text::PolicyTries)
            )),
            Line::from(t(Text::PinForBoth)),
            Line::from(""),
            Line::from(format!(
                "{:<14}{}",
                t(Text::PinLabel),
                masked(&w.pin, w.pin_field == 0)
            )),
            Line::from(format!(
                "{:<14}{}",
                t(Text::PinAgainLabel),
                masked(&w.pin_again, w.pin_field == 1)
            )),
        ],
        Step::Reason => options(&w.choices.reason, |r| t(r.text()).to_owned()),
        Step::ReturnReset => options(&w.choices.reset, |r| t(r.text()).to_owned()),
        Step::OldFate => options(&w.choices.fate, |f| fate_text(lang, *f)),
        Step::NewKey => {
            if w.choices.new_key.is_empty() {
                return vec![Line::from(t(Text::HintPlugAnother))];
            }
            options(&w.choices.new_key, |k| {
                format!(
                    "{}  {}  {}  {}",
                    k.serial,
                    k.model,
                    k.firmware,
                    t(k.state.text())
                )
            })
        }
        Step::TypeSerial => {
            let warn = if w.flow == Flow::Reset {
                Text::WarnReset
            } else {
                Text::WarnRevoke
            };
            vec![
                Line::from(Span::styled(t(warn), bold())),
                Line::from(""),
                Line::from(format!("{} {serial}:", t(Text::TypeSerialToConfirm))),
                Line::from(format!("> {}▏", w.typed)),
            ]
        }
        Step::Confirm => vec![
            Line::from(format!(
                "{} {} – {} {serial}",
                t(Text::ConfirmAbout),
                t(w.flow.text()),
                t(Text::KindKey)
            )),
            Line::from(t(Text::ConfirmEnter)),
        ],
        Step::Replug => {
            let mut lines = vec![
                Line::from(Span::styled(
                    format!("{} {serial}", t(Text::ReplugNow)),
                    bold(),
                )),
                Line::from(t(Text::ReplugWhy)),
            ];
            if ctx.demo {
                lines.push(Line::from(t(Text::ReplugDemo)));
            }
            lines
        }
        Step::Working => {
            let mut lines = Vec::new();
            match &w.error {
                Some(e) => {
                    lines.push(Line::from(Span::styled(t(Text::Failed), bold())));
                    lines.extend(e.show(lang).lines().map(|l| Line::from(l.to_owned())));
                    lines.push(Line::from(""));
                    lines.push(Line::from(t(retry_keys(e))));
                }
                None => {
                    lines.push(Line::from(format!(
                        "{} ({} {serial})",
                        t(Text::Working),
                        t(Text::KindKey)
                    )));
                    if let Some(c) = w.countdown {
                        lines.push(Line::from(Span::styled(
                            format!("{}: {} s", t(c.what), c.left.as_secs()),
                            Style::new().add_modifier(Modifier::BOLD | Modifier::REVERSED),
                        )));
                    }
                }
            }
            lines
        }
        Step::Done => done(w, lang),
    }
}

fn done(w: &Wizard, lang: Lang) -> Vec<Line<'static>> {
    let t = |x| lang.t(x);
    let mut lines = vec![Line::from(Span::styled(
        format!(
            "{} {} {}: {}",
            t(Text::DoneKey),
            t(Text::KindKey),
            w.serial,
            w.state_after.map_or("–", |s| t(s.text()))
        ),
        bold(),
    ))];
    match &w.csr {
        Some(Ok(path)) => lines.push(Line::from(format!("{} {path}", t(Text::CsrSaved)))),
        Some(Err(e)) => lines.push(Line::from(format!(
            "{} {}",
            t(Text::CsrNotSaved),
            e.show_one_line(lang)
        ))),
        None => {}
    }
    if let Some(l) = &w.letter {
        lines.push(Line::from(Span::styled(
            t(Text::LetterOnce),
            Style::new().add_modifier(Modifier::BOLD | Modifier::REVERSED),
        )));
        lines.push(Line::from(format!(
            "{:<12}{} ({} {})",
            t(Text::ColHolder),
            l.holder,
            t(Text::KindKey),
            l.serial
        )));
        lines.push(Line::from(format!(
            "{:<12}{}",
            t(Text::LetterPivPin),
            l.piv_pin.expose()
        )));
        lines.push(Line::from(format!(
            "{:<12}{}",
            t(Text::LetterPivPuk),
            l.piv_puk.expose()
        )));
        if let Some(f) = &l.fido_pin {
            lines.push(Line::from(format!(
                "{:<12}{}",
                t(Text::LetterFidoPin),
                f.expose()
            )));
        }
        lines.push(Line::from(t(Text::LetterGone)));
    }
    lines
}

/// The keys offered after a failure: try again, or only close when part of
/// the work already stands.
fn retry_keys(e: &Problem) -> Text {
    if e.partly_done() {
        Text::KeysClose
    } else {
        Text::KeysRetry
    }
}
