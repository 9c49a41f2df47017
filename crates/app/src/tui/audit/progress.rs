//! An import's or export's progress on the audit screen: a bar of text cells
//! with the percentage and the rows done, readable without colour.

use crate::i18n::{Lang, Text};

/// Fill a table text's `{}` slots with `args`, in order.
pub(crate) fn fill(template: &str, args: &[String]) -> String {
    let mut out = String::new();
    let mut rest = template;
    for a in args {
        let Some((head, tail)) = rest.split_once("{}") else {
            break;
        };
        out.push_str(head);
        out.push_str(a);
        rest = tail;
    }
    out.push_str(rest);
    out
}

/// Width of the progress bar, in cells.
const BAR: usize = 30;

/// "██████░░░░  20 %  200 of 1000 rows", readable without colour.
pub(super) fn progress_line(done: usize, total: usize, lang: Lang) -> String {
    // Nothing to do counts as done.
    let part = |of: usize| (done.min(total) * of).checked_div(total).unwrap_or(of);
    let (filled, pct) = (part(BAR), part(100));
    let rows = fill(
        lang.t(Text::ImportRowsOf),
        &[done.to_string(), total.to_string()],
    );
    format!(
        "{}{} {pct:>3} %  {rows}",
        "█".repeat(filled),
        "░".repeat(BAR - filled)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_progress_bar_is_text_with_percent_and_rows() {
        let line = progress_line(250, 1000, Lang::En);
        assert_eq!(
            line,
            format!(
                "{}{}  25 %  250 of 1000 rows",
                "█".repeat(7),
                "░".repeat(23)
            )
        );
        assert!(progress_line(0, 0, Lang::De).ends_with("100 %  0 von 0 Zeilen"));
        assert!(progress_line(5, 5, Lang::De).starts_with(&"█".repeat(BAR)));
    }
}
