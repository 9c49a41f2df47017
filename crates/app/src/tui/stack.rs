//! The screen stack: the home screen at the bottom (it never closes), the
//! screens opened from it above (a detail view, the audit screen, the bulk
//! reset, a wizard) and the recovery screen on top when the journal held
//! unfinished work at start. Position 0 is home.

use super::home::Home;
use super::screen::{AsAny, Screen};

/// The screens, bottom to top.
#[derive(Debug)]
pub struct Stack {
    home: Home,
    above: Vec<Box<dyn Screen>>,
}

impl Stack {
    #[must_use]
    pub fn new(home: Home) -> Self {
        Self {
            home,
            above: Vec::new(),
        }
    }

    #[must_use]
    pub fn home(&self) -> &Home {
        &self.home
    }

    pub fn home_mut(&mut self) -> &mut Home {
        &mut self.home
    }

    /// How many screens (home counted).
    #[must_use]
    pub fn len(&self) -> usize {
        1 + self.above.len()
    }

    /// Never: home is always there.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        false
    }

    /// The screen at `i` to change (0 is home).
    pub fn get_mut(&mut self, i: usize) -> Option<&mut dyn Screen> {
        match i.checked_sub(1) {
            None => Some(&mut self.home),
            Some(j) => self.above.get_mut(j).map(AsMut::as_mut),
        }
    }

    /// The screen that has the keyboard.
    #[must_use]
    pub fn top(&self) -> &dyn Screen {
        self.above.last().map_or(&self.home, AsRef::as_ref)
    }

    /// Put `screen` at position `i`, above the ones below it (at least above home).
    pub fn insert(&mut self, i: usize, screen: Box<dyn Screen>) {
        let j = i.saturating_sub(1).min(self.above.len());
        self.above.insert(j, screen);
    }

    /// Take the screen at `i` off (home stays).
    pub fn remove(&mut self, i: usize) {
        if let Some(j) = i.checked_sub(1).filter(|j| *j < self.above.len()) {
            self.above.remove(j);
        }
    }

    /// Put `screen` in the place of the one at `i` (above home if `i` is home).
    pub fn replace(&mut self, i: usize, screen: Box<dyn Screen>) -> usize {
        match i.checked_sub(1).and_then(|j| self.above.get_mut(j)) {
            Some(slot) => {
                *slot = screen;
                i
            }
            None => {
                self.insert(i + 1, screen);
                i + 1
            }
        }
    }

    /// Every screen, bottom to top.
    pub fn screens(&self) -> impl Iterator<Item = &dyn Screen> {
        std::iter::once(&self.home as &dyn Screen).chain(self.above.iter().map(AsRef::as_ref))
    }

    /// The topmost screen of type `T`.
    #[must_use]
    pub fn find<T: Screen>(&self) -> Option<&T> {
        self.above
            .iter()
            .rev()
            .find_map(|s| s.as_ref().as_any().downcast_ref::<T>())
            .or_else(|| self.home.as_any().downcast_ref::<T>())
    }

    /// The topmost screen of type `T`, to change.
    pub fn find_mut<T: Screen>(&mut self) -> Option<&mut T> {
        let home = &mut self.home;
        self.above
            .iter_mut()
            .rev()
            .find_map(|s| s.as_mut().as_any_mut().downcast_mut::<T>())
            .or_else(|| home.as_any_mut().downcast_mut::<T>())
    }
}
