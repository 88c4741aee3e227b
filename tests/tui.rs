//! The TUI: its update logic (time travel, injected faults, questions, determinism against
//! `warren run`) and every panel rendered with ratatui's `TestBackend`, snapshotted with
//! insta in English and Chinese, at 80×24 and at a large size.
//!
//! Update the snapshots with `INSTA_UPDATE=always cargo test --test tui` (or `cargo insta
//! review`), and read the diff before committing it.

use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::text::Span;
use ratatui::{Frame, Terminal};
use std::sync::Arc;
use std::time::Instant;
use warren::explain::Lang;
use warren::record::{FaultRecord, Record};
use warren::scenario::{bundled, Scenario};
use warren::session::Session;
use warren::sim::Time;
use warren::tui::action::{map_key, Action};
use warren::tui::app::{App, Focus, Run, Screen};
use warren::tui::render;
use warren::tui::timeline::{Fault, Timeline};
use warren::tui::update;

// ----- helpers

fn scenario(name: &str) -> Arc<Scenario> {
    Arc::new(Scenario::load(name).unwrap_or_else(|e| panic!("{name}: {e}")))
}

fn app(name: &str, lang: Lang) -> App {
    App::with_scenario(scenario(name), lang)
}

fn run(app: &App) -> &Run {
    app.run().expect("a run is on screen")
}

fn run_mut(app: &mut App) -> &mut Run {
    app.run_mut().expect("a run is on screen")
}

/// Types `t`, the time and Enter, as a person would.
fn go_to_time(app: &mut App, t: &str) {
    update(app, Action::PromptTime);
    for c in t.chars() {
        update(app, Action::Input(c));
    }
    update(app, Action::Submit);
}

/// The buffer as text, one line per row: wide characters once (not followed by the cell
/// they hide), trailing spaces trimmed.
fn text(b: &Buffer) -> String {
    let mut out = String::new();
    for y in 0..b.area.height {
        let mut line = String::new();
        let mut skip = 0;
        for x in 0..b.area.width {
            let sym = b[(x, y)].symbol();
            if skip > 0 {
                skip -= 1;
                continue;
            }
            line.push_str(sym);
            skip = Span::raw(sym).width().saturating_sub(1);
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

fn draw_with(w: u16, h: u16, f: impl FnOnce(&mut Frame)) -> String {
    let mut t = Terminal::new(TestBackend::new(w, h)).expect("test terminal");
    t.draw(f).expect("draw");
    text(t.backend().buffer())
}

fn screen(app: &App, w: u16, h: u16) -> String {
    draw_with(w, h, |f| render::draw(f, app))
}

/// work-queues at the moment the issue describes: round-robin done, the question answered,
/// worker1 crashed mid-message at 0.7s, and its messages requeued and redelivered to worker2.
fn crash_demo(lang: Lang) -> App {
    let mut a = app("work-queues", lang);
    go_to_time(&mut a, "0.7s");
    // The question at 0.35s stopped the run.
    assert!(run(&a).quiz.is_some(), "the ask note pauses the run");
    update(&mut a, Action::Choose(1));
    update(&mut a, Action::Close);
    go_to_time(&mut a, "0.7s");
    assert_eq!(run(&a).tl.world.now(), Time::ms(700));
    update(&mut a, Action::Crash); // worker1 is selected at the start
    update(&mut a, Action::StepForward);
    a
}

/// What must be equal for two states to be the same: the trace (hash and length), the
/// position, the clock, and the whole world (through its `Debug` text, hashed).
fn fingerprint(tl: &Timeline) -> (u64, u64, Time, usize, u64) {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    format!("{:?}", tl.world).hash(&mut h);
    (tl.trace.hash(), tl.position(), tl.world.now(), tl.records().len(), h.finish())
}

// ----- determinism and time travel

#[test]
fn stepping_the_app_gives_the_trace_of_warren_run() {
    for name in bundled::names() {
        let s = scenario(name);
        let mut session = Session::new(s.clone(), true);
        let cap = session.run().err();
        let mut a = App::with_scenario(s, Lang::En);
        let mut guard = 0;
        while !run(&a).tl.is_finished() {
            if run(&a).quiz.is_some() {
                update(&mut a, Action::Close);
            }
            update(&mut a, Action::StepForward);
            guard += 1;
            assert!(guard < 1_000_000, "{name}: does not finish");
        }
        let tl = &run(&a).tl;
        assert_eq!(tl.cap, cap, "{name}");
        assert_eq!(tl.trace.hash(), session.trace.hash(), "{name}: the TUI changed the trace");
        assert_eq!(tl.records(), session.trace.records(), "{name}");
        assert_eq!(tl.position(), session.world.steps, "{name}");
    }
}

#[test]
fn run_to_end_gives_the_same_trace_too() {
    let s = scenario("work-queues");
    let mut session = Session::new(s.clone(), true);
    session.run().unwrap();
    let mut a = App::with_scenario(s, Lang::En);
    loop {
        update(&mut a, Action::RunToEnd);
        while run(&a).pending.is_some() {
            update(&mut a, Action::Tick);
        }
        if run(&a).quiz.is_some() {
            update(&mut a, Action::Close);
            continue;
        }
        break;
    }
    assert!(run(&a).tl.is_finished());
    assert_eq!(run(&a).tl.trace.hash(), session.trace.hash());
}

#[test]
fn step_back_then_forward_returns_the_identical_state() {
    let mut tl = Timeline::new(scenario("work-queues"));
    let mut states = vec![fingerprint(&tl)];
    while tl.step_forward() > 0 {
        states.push(fingerprint(&tl));
    }
    // Walk all the way back, checking each state, then forward again.
    for k in (0..states.len() - 1).rev() {
        assert!(tl.step_back());
        assert_eq!(fingerprint(&tl), states[k], "back to visible step {k}");
    }
    assert!(!tl.step_back(), "nothing before the start");
    for (k, want) in states.iter().enumerate().skip(1) {
        tl.step_forward();
        assert_eq!(&fingerprint(&tl), want, "forward to visible step {k}");
    }
    // Back one then forward one, at every position.
    let mut tl = Timeline::new(scenario("work-queues"));
    for _ in 0..states.len() - 1 {
        tl.step_forward();
        let here = fingerprint(&tl);
        tl.step_back();
        tl.step_forward();
        assert_eq!(fingerprint(&tl), here);
    }
}

#[test]
fn an_injected_fault_is_undone_by_stepping_back_past_it() {
    let s = scenario("work-queues");
    let mut clean = Session::new(s.clone(), true);
    clean.run().unwrap();
    let mut a = App::with_scenario(s, Lang::En);
    go_to_time(&mut a, "0.3s");
    let before = fingerprint(&run(&a).tl);
    update(&mut a, Action::Crash);
    let tl = &run(&a).tl;
    assert_eq!(tl.injections().len(), 1);
    let worker1 = tl.world.clients.iter().position(|c| c.name() == "worker1").unwrap() as u32;
    assert!(tl.records().iter().any(|s| s.rec == Record::Fault(FaultRecord::Crash(warren::ids::ClientId(worker1)))));
    assert!(a.flash.as_deref().unwrap_or("").contains("worker1 crashed"), "{:?}", a.flash);
    // Step back past it: gone from the trace and from the world.
    while run(&a).tl.position() > before.1 {
        update(&mut a, Action::StepBack);
    }
    let tl = &run(&a).tl;
    assert!(tl.injections().is_empty());
    assert!(tl.world.injected.is_empty());
    assert!(!tl.records().iter().any(|s| matches!(s.rec, Record::Fault(_))));
    assert!(a.flash.as_deref().unwrap_or("").contains("undone"), "{:?}", a.flash);
    // And the rest of the run is the run without the fault.
    while !run(&a).tl.is_finished() {
        if run(&a).quiz.is_some() {
            update(&mut a, Action::Close);
        }
        update(&mut a, Action::StepForward);
    }
    assert_eq!(run(&a).tl.trace.hash(), clean.trace.hash());
}

#[test]
fn a_fault_survives_replay_when_stepping_back_not_past_it() {
    let mut tl = Timeline::new(scenario("work-queues"));
    tl.run_until(Time::ms(700), |_| false);
    let worker1 = warren::ids::ClientId(tl.world.clients.iter().position(|c| c.name() == "worker1").unwrap() as u32);
    tl.inject(Fault::Crash(worker1));
    tl.step_until_fault();
    for _ in 0..6 {
        tl.step_forward();
    }
    let ahead = fingerprint(&tl);
    tl.step_back();
    tl.step_back();
    assert_eq!(tl.injections().len(), 1, "the fault is before the target: kept");
    tl.step_forward();
    tl.step_forward();
    assert_eq!(fingerprint(&tl), ahead, "replay re-applies the fault at its index");
}

#[test]
fn cut_and_heal_a_link() {
    let mut a = app("work-queues", Lang::En);
    go_to_time(&mut a, "0.2s");
    update(&mut a, Action::Cut);
    let r = run(&a);
    let c = r.selected_client().unwrap();
    assert!(r.tl.is_cut(c));
    assert!(r.tl.records().iter().any(|s| s.rec == Record::Fault(FaultRecord::PartitionStart(c))));
    update(&mut a, Action::Cut);
    let r = run(&a);
    assert!(!r.tl.is_cut(c));
    assert!(r.tl.records().iter().any(|s| s.rec == Record::Fault(FaultRecord::PartitionEnd(c))));
    // The broker: crash and restart.
    run_mut(&mut a).actor = 0;
    update(&mut a, Action::Crash);
    assert!(!run(&a).tl.world.broker.up);
    update(&mut a, Action::Revive);
    assert!(run(&a).tl.world.broker.up);
    update(&mut a, Action::Cut);
    assert!(a.flash.is_some(), "the broker has no link to cut");
}

#[test]
fn a_question_pauses_the_run_and_reveals_the_answer() {
    let mut a = app("work-queues", Lang::En);
    update(&mut a, Action::PlayPause);
    assert!(run(&a).playing);
    for _ in 0..200 {
        update(&mut a, Action::PlayStep);
        if run(&a).quiz.is_some() {
            break;
        }
    }
    let r = run(&a);
    assert!(r.quiz.is_some() && !r.playing, "the ask note paused playing");
    assert_eq!(r.tl.world.now(), Time::ms(350));
    // Keys go to the question: a step does nothing, a digit answers.
    update(&mut a, Action::StepForward);
    assert_eq!(run(&a).tl.world.now(), Time::ms(350));
    update(&mut a, Action::Choose(7)); // no such choice
    assert_eq!(run(&a).quiz.unwrap().chosen, None);
    update(&mut a, Action::Choose(0)); // worker1: wrong
    assert_eq!(run(&a).quiz.unwrap().chosen, Some(0));
    let shown = screen(&a, 80, 24);
    assert!(shown.contains("not quite: the answer is worker2"), "{shown}");
    update(&mut a, Action::Close);
    assert!(run(&a).quiz.is_none());
    // Answered: running past it again does not stop.
    update(&mut a, Action::StepBack);
    update(&mut a, Action::RunToEnd);
    assert!(run(&a).quiz.is_none() && run(&a).tl.is_finished());
}

#[test]
fn next_note_stops_at_each_note() {
    let mut a = app("work-queues", Lang::En);
    update(&mut a, Action::NextNote);
    assert!(matches!(run(&a).tl.records().last().unwrap().rec, Record::Note { idx: 0 }));
    update(&mut a, Action::NextNote);
    assert!(run(&a).quiz.is_some());
}

#[test]
fn going_back_to_an_earlier_time() {
    let mut a = app("work-queues", Lang::En);
    update(&mut a, Action::RunToEnd);
    update(&mut a, Action::Close); // the question
    update(&mut a, Action::RunToEnd);
    assert!(run(&a).tl.is_finished());
    go_to_time(&mut a, "0.25s");
    let r = run(&a);
    assert_eq!(r.tl.world.now(), Time::ms(250));
    assert!(r.tl.records().iter().all(|s| s.t <= Time::ms(250)));
    assert!(r.tl.records().iter().any(|s| s.t == Time::ms(200)));
    go_to_time(&mut a, "soon");
    assert!(a.flash.as_deref().unwrap().starts_with("not a time"));
}

#[test]
fn restart_language_focus_and_selection() {
    let mut a = crash_demo(Lang::En);
    update(&mut a, Action::ToggleLang);
    assert_eq!(a.lang, Lang::Zh);
    update(&mut a, Action::FocusNext);
    assert_eq!(run(&a).focus, Focus::Messages);
    update(&mut a, Action::Down);
    let m = run(&a).msg.expect("a message is selected");
    update(&mut a, Action::Inspect);
    assert_eq!(run(&a).inspector.map(|i| i.msg), Some(m));
    update(&mut a, Action::Close);
    assert!(run(&a).inspector.is_none());
    update(&mut a, Action::FocusNext);
    update(&mut a, Action::Up);
    assert!(run(&a).log.cursor.is_some());
    update(&mut a, Action::Restart);
    let r = run(&a);
    assert_eq!(r.tl.position(), 0);
    assert!(r.tl.injections().is_empty() && r.answers.is_empty());
    update(&mut a, Action::Help);
    assert!(a.help);
    update(&mut a, Action::Quit);
    assert!(a.quit);
}

#[test]
fn keys_map_to_actions_by_mode() {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    let key = |c: KeyCode| KeyEvent::new(c, KeyModifiers::NONE);
    let mut a = app("work-queues", Lang::En);
    assert_eq!(map_key(&a, key(KeyCode::Right)), Some(Action::StepForward));
    assert_eq!(map_key(&a, key(KeyCode::Left)), Some(Action::StepBack));
    assert_eq!(map_key(&a, key(KeyCode::Char('x'))), Some(Action::Crash));
    assert_eq!(map_key(&a, key(KeyCode::Char('L'))), Some(Action::ToggleLang));
    assert_eq!(map_key(&a, KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)), Some(Action::Quit));
    update(&mut a, Action::PromptTime);
    assert_eq!(map_key(&a, key(KeyCode::Char('x'))), Some(Action::Input('x')));
    assert_eq!(map_key(&a, key(KeyCode::Esc)), Some(Action::Close));
    update(&mut a, Action::Close);
    update(&mut a, Action::NextNote);
    update(&mut a, Action::NextNote);
    assert_eq!(map_key(&a, key(KeyCode::Char('2'))), Some(Action::Choose(1)));
    assert_eq!(map_key(&a, key(KeyCode::Right)), None, "a question takes the keys");
    update(&mut a, Action::Help);
    assert_eq!(map_key(&a, key(KeyCode::Char('z'))), Some(Action::Help), "any key closes the help");
    let p = App::picker(Lang::En, None);
    assert_eq!(map_key(&p, key(KeyCode::Enter)), Some(Action::Open));
    assert_eq!(map_key(&p, key(KeyCode::Esc)), Some(Action::Quit));
}

#[test]
fn the_picker_opens_a_scenario() {
    let mut a = App::picker(Lang::En, Some(3));
    let Screen::Picker(p) = &a.screen else { panic!() };
    let idx = p.items.iter().position(|i| i.name == "work-queues").unwrap();
    for _ in 0..idx {
        update(&mut a, Action::Down);
    }
    update(&mut a, Action::Open);
    let r = run(&a);
    assert_eq!(r.scenario().name, "work-queues");
    assert_eq!(r.scenario().seed, 3, "--seed applies to picked scenarios");
}

#[test]
fn every_label_exists_in_both_languages() {
    use warren::tui::i18n::L;
    for l in L::ALL {
        let (en, zh) = (l.get(Lang::En), l.get(Lang::Zh));
        assert!(!en.is_empty() && !zh.is_empty(), "{l:?}");
    }
}

#[test]
fn never_panics_at_any_size() {
    let mut a = crash_demo(Lang::Zh);
    run_mut(&mut a).inspector = Some(warren::tui::app::Inspector { msg: warren::ids::MsgId(0), scroll: 3 });
    for (w, h) in [(1, 1), (10, 3), (49, 13), (50, 14), (60, 16), (80, 24), (81, 25), (129, 40), (130, 32), (200, 60)] {
        screen(&a, w, h);
        let mut b = App::picker(Lang::En, None);
        b.help = true;
        screen(&b, w, h);
    }
    let small = screen(&a, 40, 10);
    assert!(small.contains("终端太小"), "{small}");
}

/// Step back on a long run is fast: snapshots bound the replay.
#[test]
fn step_back_is_fast_in_a_long_run() {
    let yaml = r#"
name: long
seed: 1
queues: [{ name: q }]
consumers:
  - { name: w1, queue: q, ack: manual, prefetch: 5, work: 2ms }
  - { name: w2, queue: q, ack: manual, prefetch: 5, work: 3ms }
producers:
  - name: p
    publish:
      - { at: 0s, key: q, body: "m {n}", count: 20000, every: 1ms }
"#;
    let s = Arc::new(Scenario::from_str(yaml, "long.yaml").expect("valid"));
    let mut tl = Timeline::new(s.clone());
    let t0 = Instant::now();
    while tl.step_event() {}
    let forward = t0.elapsed();
    let events = tl.position();
    assert!(events > 80_000, "{events}");
    assert!(tl.snapshot_count() <= warren::tui::timeline::MAX_SNAPSHOTS + 1);
    let t1 = Instant::now();
    let n = 20;
    for _ in 0..n {
        assert!(tl.step_back());
    }
    let per = t1.elapsed() / n;
    eprintln!(
        "long run: {events} events forward in {forward:?}; {} snapshots every {} events; step back {per:?} each",
        tl.snapshot_count(),
        tl.snapshot_interval()
    );
    assert!(per.as_millis() < 500, "step back took {per:?}");
    // And it is still the same run.
    while tl.step_event() {}
    let mut session = Session::new(s, true);
    session.run().unwrap();
    assert_eq!(tl.trace.hash(), session.trace.hash());
}

/// Seeks in random order over a run whose snapshots share chunks (a backlog and a message
/// store longer than a chunk), and over every bundled scenario: every seek, and every step
/// back after it, lands on exactly the state a fresh run reaches by only going forward.
#[test]
fn random_seeks_land_on_the_state_of_a_fresh_run() {
    let yaml = r#"
name: seeks
seed: 7
queues: [{ name: q }]
consumers:
  - { name: w1, queue: q, ack: manual, prefetch: 3, work: 50us }
  - { name: w2, queue: q, ack: manual, prefetch: 2, work: 70us }
producers:
  - name: p
    publish:
      - { at: 0s, key: q, body: "job {n}", count: 9000 }
      - { at: 1s, key: q, body: "late {n}", count: 2000, every: 20us }
"#;
    let s = Arc::new(Scenario::from_str(yaml, "seeks.yaml").expect("valid"));
    let snapshots = check_random_seeks(s, 14);
    assert!(snapshots > 8, "{snapshots} snapshots");
    for name in bundled::names() {
        check_random_seeks(scenario(name), 6);
    }
}

/// Runs `s` to the end, then seeks to the ends and to `n` pseudo-random positions (and steps
/// back from each), comparing with a fresh run. Returns the number of snapshots at the end.
fn check_random_seeks(s: Arc<Scenario>, n: usize) -> usize {
    let mut tl = Timeline::new(s.clone());
    while tl.step_event() {}
    let end = tl.position();
    let snapshots = tl.snapshot_count();
    // Positions in a fixed pseudo-random order (xorshift), the ends included.
    let mut x = 0x9e37_79b9_7f4a_7c15u64;
    let mut targets = vec![end, 0, 1.min(end), end.saturating_sub(1)];
    targets.extend((0..n).map(|_| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x % (end + 1)
    }));
    // The reference: runs forward only, for where a step back from each target goes, then
    // for the fingerprint at each position the test stands at.
    let mut sorted = targets.clone();
    sorted.sort();
    let mut fresh = Timeline::new(s.clone());
    let mut back_of = std::collections::BTreeMap::new();
    for &p in &sorted {
        fresh.go_to(p);
        back_of.insert(p, fresh.previous_position());
    }
    let mut wanted: Vec<u64> = targets.iter().chain(back_of.values()).copied().collect();
    wanted.sort();
    wanted.dedup();
    let mut fresh = Timeline::new(s);
    let mut want = std::collections::BTreeMap::new();
    for &p in &wanted {
        fresh.go_to(p);
        assert_eq!(fresh.position(), p);
        want.insert(p, fingerprint(&fresh));
    }
    for &p in &targets {
        tl.go_to(p);
        assert_eq!(fingerprint(&tl), want[&p], "seek to event {p}");
        if p > 0 {
            assert!(tl.step_back());
            let q = back_of[&p];
            assert_eq!(fingerprint(&tl), want[&q], "step back from event {p} to {q}");
        }
    }
    snapshots
}

// ----- rendering snapshots

fn snap(name: &str, text: String) {
    insta::with_settings!({ snapshot_path => "snapshots", prepend_module_to_snapshot => false, omit_expression => true }, {
        insta::assert_snapshot!(format!("tui_{name}"), text);
    });
}

fn both(f: impl Fn(Lang) -> (String, String)) {
    for lang in [Lang::En, Lang::Zh] {
        let (name, text) = f(lang);
        snap(&format!("{name}_{}", lang.code()), text);
    }
}

#[test]
fn snapshot_full_screen_80x24() {
    both(|lang| ("screen_80x24".into(), screen(&crash_demo(lang), 80, 24)));
}

#[test]
fn snapshot_full_screen_large() {
    both(|lang| ("screen_160x48".into(), screen(&crash_demo(lang), 160, 48)));
}

#[test]
fn snapshot_start_of_run() {
    both(|lang| ("start_80x24".into(), screen(&app("work-queues", lang), 80, 24)));
}

#[test]
fn snapshot_topology_panel() {
    both(|lang| {
        let a = crash_demo(lang);
        ("topology".into(), draw_with(80, 5, |f| render::topology::render(f, f.area(), &a, run(&a))))
    });
    both(|lang| {
        let mut a = app("topic-logs", lang);
        go_to_time(&mut a, "0.3s");
        ("topology_topic".into(), draw_with(100, 8, |f| render::topology::render(f, f.area(), &a, run(&a))))
    });
}

#[test]
fn snapshot_messages_panel() {
    both(|lang| {
        let mut a = crash_demo(lang);
        update(&mut a, Action::FocusNext);
        update(&mut a, Action::Down);
        ("messages".into(), draw_with(80, 4, |f| render::queues::render(f, f.area(), &a, run(&a))))
    });
}

#[test]
fn snapshot_log_panel() {
    both(|lang| {
        let a = crash_demo(lang);
        ("log".into(), draw_with(80, 14, |f| render::log::render(f, f.area(), &a, run(&a))))
    });
}

#[test]
fn snapshot_notes_panel_and_question() {
    both(|lang| {
        let a = crash_demo(lang);
        ("notes".into(), draw_with(80, 5, |f| render::notes::render(f, f.area(), &a, run(&a))))
    });
    both(|lang| {
        let mut a = app("work-queues", lang);
        go_to_time(&mut a, "1s");
        ("question_open".into(), screen(&a, 80, 24))
    });
    both(|lang| {
        let mut a = app("work-queues", lang);
        go_to_time(&mut a, "1s");
        update(&mut a, Action::Choose(1));
        ("question_answered".into(), screen(&a, 80, 24))
    });
}

#[test]
fn snapshot_inspector() {
    both(|lang| {
        let mut a = crash_demo(lang);
        // Message #1: delivered to worker1, requeued when it crashed, redelivered to worker2.
        run_mut(&mut a).inspector = Some(warren::tui::app::Inspector { msg: warren::ids::MsgId(0), scroll: 0 });
        ("inspector".into(), screen(&a, 100, 40))
    });
}

#[test]
fn snapshot_status_and_header() {
    both(|lang| {
        let a = crash_demo(lang);
        let r = run(&a);
        let head = draw_with(80, 1, |f| render::status::header(f, f.area(), &a, r));
        let status = draw_with(80, 1, |f| render::status::status_bar(f, f.area(), &a, r));
        ("status".into(), format!("{head}{status}"))
    });
}

#[test]
fn snapshot_help() {
    both(|lang| {
        let mut a = app("work-queues", lang);
        a.help = true;
        ("help_80x24".into(), screen(&a, 80, 24))
    });
    both(|lang| {
        let mut a = app("work-queues", lang);
        a.help = true;
        ("help_120x40".into(), screen(&a, 120, 40))
    });
}

#[test]
fn snapshot_picker() {
    both(|lang| ("picker".into(), screen(&App::picker(lang, None), 80, 24)));
}

#[test]
fn snapshot_too_small() {
    both(|lang| ("too_small".into(), screen(&app("work-queues", lang), 40, 10)));
}

/// The message that just moved is drawn highlighted along its path: the queue it left, the
/// consumer it went to, and the message itself.
#[test]
fn the_latest_move_is_highlighted() {
    use ratatui::style::Color;
    let mut a = app("work-queues", Lang::En);
    // Step until task 2 is delivered to worker2.
    while !run(&a).tl.records().iter().any(|s| matches!(s.rec, Record::Delivered { msg, .. } if msg.0 == 1)) {
        update(&mut a, Action::StepForward);
    }
    let mut t = Terminal::new(TestBackend::new(80, 6)).unwrap();
    t.draw(|f| render::topology::render(f, f.area(), &a, run(&a))).unwrap();
    let b = t.backend().buffer().clone();
    let find = |needle: &str| -> Option<(u16, u16)> {
        (0..b.area.height).find_map(|y| {
            let row: String = (0..b.area.width).map(|x| b[(x, y)].symbol().to_string()).collect();
            row.find(needle).map(|i| (row[..i].chars().count() as u16, y))
        })
    };
    let (x, y) = find("worker2").expect("worker2 drawn");
    assert_eq!(b[(x, y)].fg, Color::Yellow, "the consumer it went to");
    let (x, y) = find("task_queue").expect("queue drawn");
    assert_eq!(b[(x, y)].fg, Color::Yellow, "the queue it came from");
    let (x, y) = find("worker1").expect("worker1 drawn");
    assert_ne!(b[(x, y)].fg, Color::Yellow, "not on the path");
}

// ----- the class: the planned cast, live reload, votes, lessons

/// The first screen of every bundled scenario names its queues and its consumers (the cast
/// of the lesson), before a single event has run.
#[test]
fn the_first_screen_shows_the_whole_cast() {
    use warren::client::spec::RoleSpec;
    for name in bundled::names() {
        let a = app(name, Lang::En);
        let r = run(&a);
        let topo = draw_with(160, 30, |f| render::topology::render(f, f.area(), &a, r));
        if std::env::var_os("WARREN_PRINT_FIRST").is_some() {
            eprintln!("== {name}\n{topo}");
        }
        for c in &r.scenario().plan.clients {
            if matches!(c.role, RoleSpec::Consumer(_)) {
                assert!(topo.contains(&c.name), "{name}: consumer {} is not on the first screen:\n{topo}", c.name);
            }
        }
        for q in r.topo().queues {
            assert!(topo.contains(&q.name), "{name}: queue {} is not on the first screen:\n{topo}", q.name);
        }
        assert!(!r.topo().queues.is_empty(), "{name}: no queue planned");
    }
}

#[test]
fn snapshot_planned_topology() {
    // Private (server-named) queues under their consumers, and a dead-letter link.
    both(|lang| {
        let a = app("fanout-logs", lang);
        let fanout = draw_with(100, 6, |f| render::topology::render(f, f.area(), &a, run(&a)));
        let a = app("ttl-and-dead-letters", lang);
        let dlx = draw_with(100, 5, |f| render::topology::render(f, f.area(), &a, run(&a)));
        ("topology_planned".into(), format!("{fanout}{dlx}"))
    });
}

/// The planned items fill in as the run declares them: at the end of the setup instant
/// nothing is left marked, and the topology matches what the live broker holds.
#[test]
fn the_planned_topology_fills_in_as_the_run_declares_it() {
    let mut a = app("fanout-logs", Lang::En);
    assert!(!run(&a).topo().complete());
    go_to_time_skipping_questions(&mut a, "1.3s");
    let t = run(&a).topo();
    assert!(t.complete(), "{t:#?}");
    assert_eq!(t.queues.len(), 3);
    assert!(t.queues.iter().all(|q| q.name.starts_with("amq.gen-") && q.name != warren::tui::topo::PRIVATE_PLACEHOLDER));
    // flaky crashes at 1.4s: its exclusive queue is deleted, and shows as planned again.
    go_to_time_skipping_questions(&mut a, "1.5s");
    let t = run(&a).topo();
    assert_eq!(t.queues.iter().filter(|q| !q.declared()).count(), 1);
    let screen = draw_with(100, 6, |f| render::topology::render(f, f.area(), &a, run(&a)));
    assert!(screen.contains("◌ amq.gen-…") && screen.contains("flaky"), "{screen}");
}

/// Goes to `t`, skipping the questions on the way.
fn go_to_time_skipping_questions(a: &mut App, t: &str) {
    go_to_time(a, t);
    while run(a).quiz.is_some() {
        update(a, Action::Close);
        go_to_time(a, t);
    }
}

fn edited(name: &str, from: &str, to: &str) -> Result<Arc<Scenario>, String> {
    let text = bundled::get(name).unwrap().replace(from, to);
    Scenario::from_str(&text, "lesson.yaml").map(Arc::new).map_err(|e| e.to_string())
}

/// Saving the file rebuilds the run and replays it to the same simulated time; the
/// answers given stay given.
#[test]
fn a_saved_file_is_replayed_to_the_same_time() {
    let mut a = crash_demo(Lang::En);
    let t = run(&a).tl.world.now();
    let slower = "{ name: worker2, queue: task_queue, ack: manual, work: 3s }";
    update::reload(&mut a, edited("work-queues", "{ name: worker2, queue: task_queue, ack: manual, work: 1s }", slower));
    let r = run(&a);
    assert_eq!(r.tl.world.now(), t);
    assert!(r.reload_error.is_none());
    assert!(r.tl.injections().is_empty(), "live faults are not replayed");
    assert!(r.answers.contains_key(&1), "the answer is kept");
    assert!(a.flash.as_deref().unwrap_or("").contains("replayed to 0.700s"), "{:?}", a.flash);
    // The same as running the edited scenario to that time.
    let mut fresh = Timeline::new(edited("work-queues", "{ name: worker2, queue: task_queue, ack: manual, work: 1s }", slower).unwrap());
    fresh.run_until(t, |_| false);
    assert_eq!(fingerprint(&run(&a).tl), fingerprint(&fresh));
    // At the very start nothing is stepped on reload either.
    let mut b = app("work-queues", Lang::En);
    update::reload(&mut b, edited("work-queues", "task_queue", "jobs"));
    assert_eq!(run(&b).tl.position(), 0);
    assert!(screen(&b, 80, 24).contains("◌ jobs"));
}

#[test]
fn a_broken_file_keeps_the_old_run_and_shows_where() {
    both(|lang| {
        let mut a = crash_demo(lang);
        let before = fingerprint(&run(&a).tl);
        update::reload(&mut a, edited("work-queues", "ack: manual, work: 1s }", "ack: manul, work: 1s }"));
        assert_eq!(fingerprint(&run(&a).tl), before, "the old run stays");
        let e = run(&a).reload_error.clone().expect("the error is kept");
        assert!(e.starts_with("lesson.yaml:"), "file:line:col: {e}");
        let s = screen(&a, 80, 24);
        assert!(s.contains("lesson.yaml:"), "{s}");
        // Fixed: the panel goes.
        update::reload(&mut a, edited("work-queues", "", ""));
        assert!(run(&a).reload_error.is_none());
        let mut a = crash_demo(lang);
        update::reload(&mut a, edited("work-queues", "ack: manual, work: 1s }", "ack: manul, work: 1s }"));
        ("reload_error".into(), screen(&a, 80, 24))
    });
}

/// The class's votes, beside the question, with the join code; then the reveal.
#[test]
fn snapshot_vote_histogram() {
    both(|lang| {
        let mut a = app("work-queues", lang);
        a.share = Some(warren::tui::app::ShareInfo { addr: "127.0.0.1:8080".into(), code: "4821".into() });
        go_to_time(&mut a, "1s");
        let note = run(&a).quiz.expect("the question").note;
        update::votes(&mut a, note, vec![11, 19]);
        let open = screen(&a, 80, 24);
        assert!(open.contains("30 vote(s)") || open.contains("30 票"), "{open}");
        assert!(map_key(&a, key('a')) == Some(Action::Reveal));
        update(&mut a, Action::Reveal);
        let shown = screen(&a, 80, 24);
        ("votes".into(), format!("{open}{shown}"))
    });
}

fn key(c: char) -> crossterm::event::KeyEvent {
    crossterm::event::KeyEvent::new(crossterm::event::KeyCode::Char(c), crossterm::event::KeyModifiers::NONE)
}

/// `NO_COLOR`: no cell keeps a colour, and the text is the same as in colour.
#[test]
fn no_color_is_monochrome_and_keeps_every_symbol() {
    use ratatui::style::{Color, Modifier};
    let mut a = crash_demo(Lang::En);
    let colour = screen(&a, 120, 40);
    a.mono = true;
    let mut t = Terminal::new(TestBackend::new(120, 40)).unwrap();
    t.draw(|f| render::draw(f, &a)).unwrap();
    let b = t.backend().buffer();
    assert!(b.content.iter().all(|c| c.fg == Color::Reset && c.bg == Color::Reset), "a colour is left");
    assert!(b.content.iter().any(|c| c.modifier.contains(Modifier::REVERSED)), "bars and the selection still stand out");
    assert_eq!(text(b), colour);
}

/// The picker is the course in the article's order; `]` opens the next lesson, and the end
/// of a lesson offers it.
#[test]
fn lessons_in_the_articles_order() {
    let p = App::picker(Lang::En, None);
    let Screen::Picker(p) = &p.screen else { panic!("the picker") };
    let names: Vec<&str> = p.items.iter().map(|i| i.name.as_str()).collect();
    let pos = |n: &str| names.iter().position(|x| *x == n).unwrap_or_else(|| panic!("{n} in the picker"));
    assert_eq!(names[0], "hello");
    assert!(pos("work-queues") < pos("durability") && pos("durability") < pos("fair-dispatch"));
    assert!(pos("fair-dispatch") < pos("fanout-logs") && pos("headers") < pos("rpc") && pos("rpc") < pos("pitfall-missing-reply-to"));
    assert_eq!(names.len(), bundled::names().len());
    let mut a = app("hello", Lang::En);
    while !run(&a).tl.is_finished() {
        update(&mut a, Action::Close);
        update(&mut a, Action::RunToEnd);
    }
    update(&mut a, Action::StepForward);
    assert!(a.flash.as_deref().unwrap_or("").contains("] next lesson: work-queues"), "{:?}", a.flash);
    assert_eq!(map_key(&a, key(']')), Some(Action::NextLesson));
    update(&mut a, Action::NextLesson);
    assert_eq!(run(&a).scenario().name, "work-queues");
}

#[test]
fn snapshot_queue_types() {
    // The topology names a quorum queue and a priority queue; the inspector shows a quorum
    // queue's delivery count and the message's priority.
    both(|lang| {
        let mut a = app("poison-message", lang);
        go_to_time(&mut a, "1.3s");
        ("topology_quorum".into(), draw_with(100, 10, |f| render::topology::render(f, f.area(), &a, run(&a))))
    });
    both(|lang| {
        let mut a = app("poison-message", lang);
        go_to_time(&mut a, "1.25s");
        run_mut(&mut a).inspector = Some(warren::tui::app::Inspector { msg: warren::ids::MsgId(0), scroll: 0 });
        ("inspector_quorum".into(), screen(&a, 100, 40))
    });
    both(|lang| {
        let mut a = app("priorities", lang);
        go_to_time(&mut a, "1s");
        ("topology_priority".into(), draw_with(100, 8, |f| render::topology::render(f, f.area(), &a, run(&a))))
    });
}

#[test]
fn the_inspector_places_a_message_checked_out_to_a_closing_channel() {
    // The probe: slown's channel is closed by the consumer timeout at 3 s; qn checks m1 out
    // to it at 4 s, and takes it back at close-ok, when slown's 5 s of work end.
    let mut tl = Timeline::new(scenario("tests/conformance_diff/quorum-closing.yaml"));
    tl.run_until(Time::ms(4_500), |_| false);
    let msg = tl
        .records()
        .iter()
        .find_map(|s| match s.rec {
            Record::CheckedOut { msg, .. } => Some(msg),
            _ => None,
        })
        .expect("m1 checked out to slown");
    let slown = tl.world.clients.iter().position(|c| c.spec.name == "slown").expect("slown");
    let fates = warren::tui::model::fates(&tl.world, tl.records(), msg);
    assert!(matches!(fates.as_slice(), [warren::tui::model::Fate::Closing { client, .. }] if client.idx() == slown), "{fates:?}");
    let lines = warren::tui::i18n::fate_closing(Lang::En, "qn", "slown");
    assert!(lines.contains("channel.close-ok"), "{lines}");
}
