//! `update(&mut App, Action)`: the only place the application state changes.

use super::action::Action;
use super::app::{self, App, Focus, Goal, Inspector, Picker, Quiz, Run, Screen, RUN_BUDGET, SPEEDS};
use super::i18n::{self, L};
use super::lessons;
use super::model;
use super::timeline::{record_of, Fault, Timeline};
use crate::explain::{describe, Ctx, Lang};
use crate::record::Record;
use crate::scenario::{bundled, Scenario};
use crate::sim::Time;
use std::sync::Arc;

/// Applies one action.
pub fn update(app: &mut App, action: Action) {
    if !matches!(action, Action::Tick | Action::PlayStep) {
        app.flash = None;
    }
    match action {
        Action::Quit => {
            app.quit = true;
            return;
        }
        Action::Help => {
            app.help = !app.help;
            return;
        }
        Action::ToggleLang => {
            app.lang = match app.lang {
                Lang::En => Lang::Zh,
                Lang::Zh => Lang::En,
            };
            return;
        }
        _ => {}
    }
    if action == Action::NextLesson {
        return next_lesson(app);
    }
    let lang = app.lang;
    let flash = match &mut app.screen {
        Screen::Picker(p) => match picker(p, action) {
            PickerOutcome::Open(s) => {
                app.screen = Screen::Run(Box::new(Run::new(s)));
                None
            }
            PickerOutcome::Flash(f) => Some(f),
            PickerOutcome::Nothing => None,
        },
        Screen::Run(r) => run(r, action, lang),
    };
    if let Some(f) = flash {
        app.flash = Some(f);
    }
}

enum PickerOutcome {
    Open(std::sync::Arc<crate::scenario::Scenario>),
    Flash(String),
    Nothing,
}

fn picker(p: &mut Picker, action: Action) -> PickerOutcome {
    let n = p.items.len();
    match action {
        Action::Up if n > 0 => p.selected = (p.selected + n - 1) % n,
        Action::Down if n > 0 => p.selected = (p.selected + 1) % n,
        Action::Open | Action::Inspect => {
            if let Some(item) = p.items.get(p.selected) {
                return match &item.scenario {
                    Ok(s) => PickerOutcome::Open(s.clone()),
                    Err(e) => PickerOutcome::Flash(e.clone()),
                };
            }
        }
        _ => {}
    }
    PickerOutcome::Nothing
}

/// The run's part of `update`. Returns a status message, if any.
fn run(r: &mut Run, action: Action, lang: Lang) -> Option<String> {
    // The time prompt takes every key while open.
    if let Some(text) = &mut r.prompt {
        match action {
            Action::Input(c) if text.chars().count() < 24 => text.push(c),
            Action::Backspace => {
                text.pop();
            }
            Action::Close => r.prompt = None,
            Action::Submit => {
                let text = r.prompt.take().unwrap_or_default();
                return match Time::parse(&text) {
                    Ok(t) => go_to_time(r, t, lang),
                    Err(e) => Some(i18n::invalid_time(lang, &e.to_string())),
                };
            }
            Action::Tick | Action::PlayStep => return tick(r, action, lang),
            _ => {}
        }
        return None;
    }
    // So does an open question.
    if let Some(q) = r.quiz {
        quiz(r, q, action);
        return None;
    }
    match action {
        Action::StepForward => {
            r.playing = false;
            r.pending = None;
            if r.tl.is_finished() {
                return Some(end_message(r, lang));
            }
            forward(r);
            None
        }
        Action::StepBack => {
            r.playing = false;
            r.pending = None;
            let before = r.tl.injections().len();
            if !r.tl.step_back() {
                return Some(L::AtStart.s(lang));
            }
            after_jump(r);
            dropped(r, before, lang)
        }
        Action::PlayPause => {
            if r.playing {
                r.playing = false;
                None
            } else if r.tl.is_finished() {
                Some(end_message(r, lang))
            } else {
                r.playing = true;
                None
            }
        }
        Action::Faster => {
            r.speed = (r.speed + 1).min(SPEEDS.len() - 1);
            None
        }
        Action::Slower => {
            r.speed = r.speed.saturating_sub(1);
            None
        }
        Action::NextNote => start(r, Goal::NextNote, lang),
        Action::RunToEnd => start(r, Goal::End, lang),
        Action::PromptTime => {
            r.playing = false;
            r.prompt = Some(String::new());
            None
        }
        Action::Restart => {
            let scenario = r.scenario().clone();
            r.tl = Timeline::new(scenario);
            r.answers.clear();
            r.quiz = None;
            r.inspector = None;
            r.playing = false;
            r.pending = None;
            r.log.cursor = None;
            Some(L::Restarted.s(lang))
        }
        Action::FocusNext => {
            r.focus = r.focus.next();
            None
        }
        Action::FocusPrev => {
            r.focus = r.focus.prev();
            None
        }
        Action::Up => {
            move_selection(r, -1);
            None
        }
        Action::Down => {
            move_selection(r, 1);
            None
        }
        Action::PageUp => {
            move_selection(r, -10);
            None
        }
        Action::PageDown => {
            move_selection(r, 10);
            None
        }
        Action::Inspect => {
            if r.inspector.is_some() {
                r.inspector = None;
                return None;
            }
            match selected_message(r) {
                Some(m) => {
                    r.msg = Some(m);
                    r.inspector = Some(Inspector { msg: m, scroll: 0 });
                    None
                }
                None => Some(L::NoMessageSelected.s(lang)),
            }
        }
        Action::Close => {
            if r.inspector.is_some() {
                r.inspector = None;
            } else if r.log.cursor.is_some() {
                r.log.cursor = None;
            } else {
                r.playing = false;
                r.pending = None;
            }
            None
        }
        Action::Crash | Action::Revive | Action::Cut => inject(r, action, lang),
        Action::Tick | Action::PlayStep => tick(r, action, lang),
        _ => None,
    }
}

/// An open question takes every key: a choice, the reveal, or going on.
fn quiz(r: &mut Run, q: Quiz, action: Action) {
    match action {
        Action::Choose(n) if q.chosen.is_none() => {
            let choices = r.scenario().notes.get(q.note as usize).map(|n| n.choices.len()).unwrap_or(0);
            if n < choices {
                r.quiz = Some(Quiz { chosen: Some(n), ..q });
                r.answers.insert(q.note, Some(n));
            }
        }
        Action::Reveal if !q.revealed() => r.quiz = Some(Quiz { shown: true, ..q }),
        Action::Close => {
            r.answers.entry(q.note).or_insert(None);
            r.quiz = None;
        }
        _ => {}
    }
}

fn end_message(r: &Run, lang: Lang) -> String {
    let end = match &r.tl.cap {
        Some(cap) => i18n::capped(lang, &cap.to_string()),
        None => L::AtEnd.s(lang),
    };
    match lessons::next(&bundled::names(), &r.scenario().name) {
        Some(next) => format!("{end} · {}", i18n::next_lesson(lang, next)),
        None => end,
    }
}

/// `]`: opens the lesson after this one in the course.
fn next_lesson(app: &mut App) {
    let Some(r) = app.run() else { return };
    let Some(next) = lessons::next(&bundled::names(), &r.scenario().name) else {
        app.flash_label(L::LastLesson);
        return;
    };
    match app::load_bundled(next, app.seed) {
        Ok(s) => {
            app.screen = Screen::Run(Box::new(Run::new(s)));
            app.flash = None;
        }
        Err(e) => app.flash = Some(e),
    }
}

/// The edited scenario file was read again: on success the run is rebuilt and replayed to
/// the same simulated time (answers kept, live faults dropped); on an error the old run stays
/// and the error is shown until the file is fixed.
pub fn reload(app: &mut App, loaded: Result<Arc<Scenario>, String>) {
    let lang = app.lang;
    let Some(old) = app.run_mut() else { return };
    let s = match loaded {
        Ok(s) => s,
        Err(e) => {
            old.reload_error = Some(e);
            return;
        }
    };
    let t = old.tl.world.now();
    let at_t = old.tl.records().iter().rev().take_while(|s| s.t == t).count();
    let faults = old.tl.injections().len();
    let mut r = Run::new(s);
    r.answers = std::mem::take(&mut old.answers);
    r.votes = std::mem::take(&mut old.votes);
    r.focus = old.focus;
    r.speed = old.speed;
    r.actor = old.actor.min(r.actor_count() - 1);
    r.tl.replay_to(t, at_t);
    *old = r;
    let mut msg = i18n::reloaded(lang, &super::render::clock(t));
    if faults > 0 {
        msg = format!("{msg} · {}", i18n::live_faults_dropped(lang, faults));
    }
    app.flash = Some(msg);
}

/// The class's votes on a question, as the server counted them.
pub fn votes(app: &mut App, note: u32, counts: Vec<u32>) {
    if let Some(r) = app.run_mut() {
        if r.votes.get(&note) != Some(&counts) {
            r.votes.insert(note, counts);
        }
    }
}

fn dropped(r: &Run, before: usize, lang: Lang) -> Option<String> {
    let n = before - r.tl.injections().len();
    (n > 0).then(|| i18n::dropped_faults(lang, n))
}

/// After the position changed other than by stepping forward: keep selections valid.
fn after_jump(r: &mut Run) {
    let len = r.tl.records().len();
    if r.log.cursor.is_some_and(|c| c >= len) {
        r.log.cursor = if len == 0 { None } else { Some(len - 1) };
    }
    r.quiz = None;
}

/// Checks new records for an unanswered question; opens it and stops if there is one.
fn check_notes(r: &mut Run, from: usize) -> bool {
    let notes = &r.tl.scenario.notes;
    let found = r.tl.records()[from..].iter().find_map(|s| match s.rec {
        Record::Note { idx } if notes.get(idx as usize).is_some_and(|n| n.ask.is_some()) && !r.answers.contains_key(&idx) => Some(idx),
        _ => None,
    });
    match found {
        Some(idx) => {
            r.quiz = Some(Quiz::open(idx));
            r.playing = false;
            r.pending = None;
            true
        }
        None => false,
    }
}

/// One visible event forward. Returns false when nothing happened (the end).
fn forward(r: &mut Run) -> bool {
    let from = r.tl.records().len();
    let added = r.tl.step_forward();
    check_notes(r, from);
    if r.tl.is_finished() {
        r.playing = false;
    }
    added > 0
}

fn start(r: &mut Run, goal: Goal, lang: Lang) -> Option<String> {
    r.playing = false;
    if r.tl.is_finished() {
        return Some(end_message(r, lang));
    }
    r.pending = Some(goal);
    advance(r, RUN_BUDGET, lang)
}

/// Continues a long run by up to `budget` events.
fn advance(r: &mut Run, budget: u64, lang: Lang) -> Option<String> {
    let goal = r.pending?;
    let start = r.tl.position();
    while r.tl.position() - start < budget {
        let from = r.tl.records().len();
        if !r.tl.step_event() {
            r.pending = None;
            return r.tl.cap.as_ref().map(|c| i18n::capped(lang, &c.to_string()));
        }
        if check_notes(r, from) {
            return None;
        }
        if goal == Goal::NextNote && r.tl.records()[from..].iter().any(|s| matches!(s.rec, Record::Note { .. })) {
            r.pending = None;
            return None;
        }
    }
    None
}

fn tick(r: &mut Run, action: Action, lang: Lang) -> Option<String> {
    match action {
        Action::Tick => advance(r, RUN_BUDGET, lang),
        Action::PlayStep => {
            if !r.playing {
                return None;
            }
            let batch = (r.speed_per_sec() / 60.0).ceil().max(1.0) as u32;
            for _ in 0..batch {
                if !forward(r) || !r.playing {
                    break;
                }
            }
            if r.tl.is_finished() {
                r.playing = false;
                return Some(end_message(r, lang));
            }
            None
        }
        _ => None,
    }
}

/// Runs to time `t`, or goes back to it.
fn go_to_time(r: &mut Run, t: Time, lang: Lang) -> Option<String> {
    r.playing = false;
    r.pending = None;
    let notes = r.tl.scenario.notes.clone();
    let answers = r.answers.clone();
    let unanswered = |rec: &Record| match *rec {
        Record::Note { idx } => notes.get(idx as usize).is_some_and(|n| n.ask.is_some()) && !answers.contains_key(&idx),
        _ => false,
    };
    if t >= r.tl.world.now() {
        let from = r.tl.records().len();
        if r.tl.run_until(t, unanswered) {
            check_notes(r, from);
        }
        return r.tl.cap.as_ref().map(|c| i18n::capped(lang, &c.to_string()));
    }
    // Back: to just after the last event with records at or before t, then on to t.
    let before = r.tl.injections().len();
    let recs = r.tl.records();
    let k = recs.partition_point(|s| s.t <= t);
    let target = if k == 0 { 0 } else { r.tl.step_of(k - 1) };
    r.tl.go_to(target);
    r.tl.run_until(t, |_| false);
    after_jump(r);
    dropped(r, before, lang).or_else(|| Some(i18n::back_to(lang, &t.to_string())))
}

fn move_selection(r: &mut Run, delta: i64) {
    if let Some(insp) = &mut r.inspector {
        insp.scroll = (insp.scroll as i64 + delta).clamp(0, u16::MAX as i64) as u16;
        return;
    }
    match r.focus {
        Focus::Topology => {
            let n = r.actor_count() as i64;
            let d = delta.signum();
            r.actor = ((r.actor as i64 + d).rem_euclid(n)) as usize;
        }
        Focus::Messages => {
            let items = model::message_items(&r.tl.world);
            if items.is_empty() {
                r.msg = None;
                return;
            }
            // Distinct messages in panel order.
            let mut distinct: Vec<_> = Vec::new();
            for m in items {
                if !distinct.contains(&m) {
                    distinct.push(m);
                }
            }
            let n = distinct.len() as i64;
            let i = match r.msg.and_then(|m| distinct.iter().position(|x| *x == m)) {
                Some(i) => (i as i64 + delta).clamp(0, n - 1),
                None if delta > 0 => 0,
                None => n - 1,
            };
            r.msg = Some(distinct[i as usize]);
        }
        Focus::Log => {
            let len = r.tl.records().len() as i64;
            if len == 0 {
                return;
            }
            let cur = r.log.cursor.map(|c| c as i64).unwrap_or(len);
            let next = cur + delta;
            r.log.cursor = if next >= len { None } else { Some(next.max(0) as usize) };
        }
    }
}

/// The message the inspector would open: the panel's selection, the log line's message,
/// or what the selected client is working on.
fn selected_message(r: &Run) -> Option<crate::ids::MsgId> {
    match r.focus {
        Focus::Messages => r.msg.or_else(|| model::message_items(&r.tl.world).first().copied()),
        Focus::Log => {
            let recs = r.tl.records();
            let i = r.log.cursor.unwrap_or(recs.len().checked_sub(1)?);
            // The nearest line at or above the cursor that is about a message.
            recs[..=i.min(recs.len() - 1)].iter().rev().find_map(|s| s.rec.msg())
        }
        Focus::Topology => {
            let c = r.selected_client()?;
            model::held_by(&r.tl.world, c).first().map(|h| h.msg).or(r.msg)
        }
    }
}

fn inject(r: &mut Run, action: Action, lang: Lang) -> Option<String> {
    if r.tl.cap.is_some() {
        return Some(end_message(r, lang));
    }
    let fault = match (r.selected_client(), action) {
        (None, Action::Crash) => Fault::BrokerCrash,
        (None, Action::Revive) => Fault::BrokerRestart,
        (None, _) => return Some(L::BrokerNoLink.s(lang)),
        (Some(c), Action::Crash) => Fault::Crash(c),
        (Some(c), Action::Revive) => Fault::Restart(c),
        (Some(c), _) => {
            if r.tl.is_cut(c) {
                Fault::Heal(c)
            } else {
                Fault::Cut(c)
            }
        }
    };
    r.tl.inject(fault);
    let from = r.tl.records().len();
    r.tl.step_until_fault();
    check_notes(r, from);
    // Describe the fault as the trace does (it is in the trace unless the run hit a cap).
    let cx = Ctx::new(&r.tl.world, &r.tl.scenario.notes, lang);
    let what = describe(&cx, &Record::Fault(record_of(fault))).what;
    Some(i18n::injected(lang, &what))
}
