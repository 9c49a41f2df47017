//! A typed selection: the options of a list on screen and the one under the
//! cursor, which never leaves the list. Used for the wizard's choice steps,
//! the search hit lists and the audit menu instead of a bare index.

/// Options and the selected one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice<T> {
    options: Vec<T>,
    /// Always an index into `options`, or 0 while there are none.
    at: usize,
}

impl<T> Default for Choice<T> {
    fn default() -> Self {
        Self {
            options: Vec::new(),
            at: 0,
        }
    }
}

impl<T> Choice<T> {
    /// These options, the first selected.
    #[must_use]
    pub fn new(options: impl Into<Vec<T>>) -> Self {
        Self {
            options: options.into(),
            at: 0,
        }
    }

    /// The option under the cursor (none while the list is empty).
    #[must_use]
    pub fn selected(&self) -> Option<&T> {
        self.options.get(self.at)
    }

    /// Where the cursor is.
    #[must_use]
    pub fn index(&self) -> usize {
        self.at
    }

    #[must_use]
    pub fn len(&self) -> usize {
        self.options.len()
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.options.is_empty()
    }

    /// The cursor one up; it stops at the first option.
    pub fn up(&mut self) {
        self.at = self.at.saturating_sub(1);
    }

    /// The cursor one down; it stops at the last option.
    pub fn down(&mut self) {
        if self.at + 1 < self.options.len() {
            self.at += 1;
        }
    }

    /// The cursor back on the first option.
    pub fn first(&mut self) {
        self.at = 0;
    }

    /// New options (fresh search results, keys plugged or pulled): the
    /// cursor stays where it was, or on the last option if the list got shorter.
    pub fn set(&mut self, options: Vec<T>) {
        self.options = options;
        self.at = self.at.min(self.options.len().saturating_sub(1));
    }

    /// No options any more.
    pub fn clear(&mut self) {
        self.set(Vec::new());
    }

    /// Each option with whether it is the selected one.
    pub fn marked(&self) -> impl Iterator<Item = (bool, &T)> {
        self.options
            .iter()
            .enumerate()
            .map(move |(i, o)| (i == self.at, o))
    }
}

/// Moving a cursor without knowing what it selects (the wizard's arrows
/// work the same on every choice step).
pub trait Cursor {
    fn up(&mut self);
    fn down(&mut self);
}

impl<T> Cursor for Choice<T> {
    fn up(&mut self) {
        Choice::up(self);
    }

    fn down(&mut self) {
        Choice::down(self);
    }
}

#[cfg(test)]
mod tests {
    use super::Choice;

    #[test]
    fn the_cursor_stays_on_the_list() {
        let mut c = Choice::new(['a', 'b', 'c']);
        c.up();
        assert_eq!(c.selected(), Some(&'a'));
        c.down();
        c.down();
        c.down();
        assert_eq!((c.index(), c.selected()), (2, Some(&'c')));
        c.set(vec!['x', 'y']);
        assert_eq!(c.selected(), Some(&'y'), "shorter list: the last one");
        c.clear();
        assert_eq!((c.index(), c.selected()), (0, None));
        c.down();
        assert_eq!(c.index(), 0, "nothing to move to");
        c.set(vec!['p', 'q']);
        c.down();
        c.first();
        assert_eq!(
            c.marked().collect::<Vec<_>>(),
            vec![(true, &'p'), (false, &'q')]
        );
    }
}
