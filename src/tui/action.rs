//! What a key means: an [`Action`], looked up in one table per mode. The help overlay is
//! generated from the same tables, so it always lists every key.

use super::app::{App, Screen};
use super::i18n::L;
use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

/// Everything the person can ask for, plus the event loop's own ticks.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Action {
    // time
    StepForward,
    StepBack,
    PlayPause,
    Faster,
    Slower,
    NextNote,
    PromptTime,
    RunToEnd,
    Restart,
    // view
    FocusNext,
    FocusPrev,
    Up,
    Down,
    PageUp,
    PageDown,
    Inspect,
    // faults on the selected actor
    Crash,
    Revive,
    Cut,
    // general
    ToggleLang,
    Help,
    Quit,
    /// Esc: close the topmost window, cancel a prompt, skip a question.
    Close,
    /// Pick answer `n` (0-based) of the open question.
    Choose(usize),
    /// Show the open question's answer without choosing (closes the class's votes).
    Reveal,
    /// Open the next lesson of the course.
    NextLesson,
    /// Typing into the time prompt.
    Input(char),
    Backspace,
    Submit,
    /// The picker: open the selected scenario.
    Open,
    /// The event loop: continue a long run in progress.
    Tick,
    /// The event loop: playing, and the next step is due.
    PlayStep,
}

/// Where a binding appears in the help.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Section {
    Time,
    View,
    Faults,
    General,
}

impl Section {
    pub const ALL: [Section; 4] = [Section::Time, Section::View, Section::Faults, Section::General];
    pub fn label(self) -> L {
        match self {
            Section::Time => L::HelpTime,
            Section::View => L::HelpView,
            Section::Faults => L::HelpFaults,
            Section::General => L::HelpGeneral,
        }
    }
}

/// One line of a key table.
#[derive(Copy, Clone, Debug)]
pub struct Binding {
    pub keys: &'static [KeyCode],
    pub action: Action,
    pub help: L,
    pub section: Section,
}

const fn b(keys: &'static [KeyCode], action: Action, help: L, section: Section) -> Binding {
    Binding { keys, action, help, section }
}

use KeyCode::{BackTab, Char, Down, End, Enter, Esc, Home, Left, PageDown, PageUp, Right, Tab, Up, F};

/// Keys while a scenario runs.
pub const RUN_KEYS: &[Binding] = &[
    b(&[Right, Char('l')], Action::StepForward, L::KStep, Section::Time),
    b(&[Left, Char('h')], Action::StepBack, L::KBack, Section::Time),
    b(&[Char(' '), Char('p')], Action::PlayPause, L::KPlay, Section::Time),
    b(&[Char('+'), Char('=')], Action::Faster, L::KSpeed, Section::Time),
    b(&[Char('-'), Char('_')], Action::Slower, L::KSpeed, Section::Time),
    b(&[Char('n')], Action::NextNote, L::KNextNote, Section::Time),
    b(&[Char('t')], Action::PromptTime, L::KTime, Section::Time),
    b(&[End, Char('e')], Action::RunToEnd, L::KEnd, Section::Time),
    b(&[Home, Char('r')], Action::Restart, L::KRestart, Section::Time),
    b(&[Char(']')], Action::NextLesson, L::KNextLesson, Section::Time),
    b(&[Tab], Action::FocusNext, L::KFocus, Section::View),
    b(&[BackTab], Action::FocusPrev, L::KFocus, Section::View),
    b(&[Up, Char('k')], Action::Up, L::KUpDown, Section::View),
    b(&[Down, Char('j')], Action::Down, L::KUpDown, Section::View),
    b(&[PageUp], Action::PageUp, L::KPage, Section::View),
    b(&[PageDown], Action::PageDown, L::KPage, Section::View),
    b(&[Enter, Char('i')], Action::Inspect, L::KInspect, Section::View),
    b(&[Esc], Action::Close, L::KClose, Section::View),
    b(&[Char('x')], Action::Crash, L::KCrash, Section::Faults),
    b(&[Char('u')], Action::Revive, L::KUp, Section::Faults),
    b(&[Char('c')], Action::Cut, L::KCut, Section::Faults),
    b(&[Char('L')], Action::ToggleLang, L::KLang, Section::General),
    b(&[Char('?'), F(1)], Action::Help, L::KHelp, Section::General),
    b(&[Char('q')], Action::Quit, L::KQuit, Section::General),
];

/// Keys in the scenario picker.
pub const PICKER_KEYS: &[Binding] = &[
    b(&[Up, Char('k')], Action::Up, L::KUpDown, Section::View),
    b(&[Down, Char('j')], Action::Down, L::KUpDown, Section::View),
    b(&[Enter, Right], Action::Open, L::KInspect, Section::View),
    b(&[Char('L')], Action::ToggleLang, L::KLang, Section::General),
    b(&[Char('?'), F(1)], Action::Help, L::KHelp, Section::General),
    b(&[Char('q'), Esc], Action::Quit, L::KQuit, Section::General),
];

/// Keys the help lists that are not in a table (answers are digits).
pub const EXTRA_HELP: &[(&str, L, Section)] = &[("1…9", L::KChoose, Section::General), ("a", L::KReveal, Section::General)];

/// A key's name as the help shows it.
pub fn key_name(k: KeyCode) -> String {
    match k {
        Right => "→".into(),
        Left => "←".into(),
        Up => "↑".into(),
        Down => "↓".into(),
        Char(' ') => "Space".into(),
        Char(c) => c.to_string(),
        Tab => "Tab".into(),
        BackTab => "⇧Tab".into(),
        Enter => "Enter".into(),
        Esc => "Esc".into(),
        Home => "Home".into(),
        End => "End".into(),
        PageUp => "PgUp".into(),
        PageDown => "PgDn".into(),
        F(n) => format!("F{n}"),
        other => format!("{other:?}"),
    }
}

fn lookup(table: &[Binding], code: KeyCode) -> Option<Action> {
    table.iter().find(|b| b.keys.contains(&code)).map(|b| b.action)
}

/// Maps a key press to an action, given what is on screen.
pub fn map_key(app: &App, key: KeyEvent) -> Option<Action> {
    if key.kind == KeyEventKind::Release {
        return None;
    }
    if key.modifiers.contains(KeyModifiers::CONTROL) {
        return match key.code {
            Char('c') | Char('q') => Some(Action::Quit),
            _ => None,
        };
    }
    if app.help {
        return Some(Action::Help); // any key closes the help
    }
    match &app.screen {
        Screen::Picker(_) => lookup(PICKER_KEYS, key.code),
        Screen::Run(run) => {
            if run.prompt.is_some() {
                return match key.code {
                    Enter => Some(Action::Submit),
                    Esc => Some(Action::Close),
                    KeyCode::Backspace => Some(Action::Backspace),
                    Char(c) => Some(Action::Input(c)),
                    _ => None,
                };
            }
            if let Some(q) = &run.quiz {
                if q.chosen.is_none() {
                    if let Char(c @ '1'..='9') = key.code {
                        return Some(Action::Choose(c as usize - '1' as usize));
                    }
                    if key.code == Char('a') && !q.revealed() {
                        return Some(Action::Reveal);
                    }
                }
                return match key.code {
                    Enter | Esc => Some(Action::Close),
                    Char('L') => Some(Action::ToggleLang),
                    Char('?') | F(1) => Some(Action::Help),
                    Char('q') => Some(Action::Quit),
                    _ => None,
                };
            }
            lookup(RUN_KEYS, key.code)
        }
    }
}
