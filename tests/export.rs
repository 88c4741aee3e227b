//! `warren export pika|mermaid|svg`: the pika script has the article's pika 1.x calls and
//! compiles; the Mermaid text is a well-formed sequence diagram; the SVG is well-formed XML
//! with lifelines, arrows, notes and a time axis; windows cut the run.

use std::process::Command;

fn warren(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_warren")).args(args).current_dir(env!("CARGO_MANIFEST_DIR")).output().expect("run warren");
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

fn export(format: &str, scenario: &str) -> String {
    let (code, out, err) = warren(&["export", format, scenario]);
    assert_eq!(code, 0, "warren export {format} {scenario}: {err}");
    out
}

fn temp(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("warren-export-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

/// python3, where it is installed; on CI (`CI` set) its absence fails the test.
fn python() -> Option<&'static str> {
    let found = Command::new("python3").arg("--version").output().ok().filter(|o| o.status.success()).map(|_| "python3");
    assert!(found.is_some() || std::env::var_os("CI").is_none(), "python3 is required on CI (CI is set)");
    found
}

/// `python3 -m py_compile` accepts the script (skipped, with a notice, without python3).
fn assert_compiles(name: &str, script: &str) {
    let Some(py) = python() else {
        eprintln!("SKIPPED: no python3 to compile {name}");
        return;
    };
    let path = temp(&format!("{}.py", name.replace(['/', '.'], "_")));
    std::fs::write(&path, script).unwrap();
    let out = Command::new(py).args(["-m", "py_compile"]).arg(&path).output().expect("python3");
    assert!(out.status.success(), "{name}: py_compile failed:\n{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn every_bundled_scenario_exports_a_pika_script_that_compiles() {
    for name in warren::scenario::bundled::names() {
        let s = export("pika", name);
        assert!(s.starts_with("#!/usr/bin/env python3\n"), "{name}");
        assert!(s.contains("\nimport pika\n"), "{name}");
        assert!(s.contains("pika.BlockingConnection(params)"), "{name}: one BlockingConnection per client");
        assert!(s.contains("if __name__ == '__main__':"), "{name}");
        // pika 1.x signatures only: no 0.x keyword in a call.
        let code = &s[s.find("\nimport pika\n").expect("imports pika")..];
        for line in code.lines().filter(|l| !l.trim_start().starts_with('#')) {
            assert!(!line.contains("no_ack="), "{name}: pika 0.x no_ack: {line}");
            assert!(!line.contains("(type=") && !line.contains(" type='"), "{name}: pika 0.x exchange_declare(type=): {line}");
        }
        for line in s.lines().filter(|l| l.contains("exchange_declare(")) {
            assert!(line.contains("exchange_type=") || line.contains("passive=True"), "{name}: {line}");
        }
        for line in s.lines().filter(|l| l.contains("channel.basic_consume(")) {
            assert!(line.contains("on_message_callback=") && line.contains("auto_ack="), "{name}: {line}");
            assert!(line.contains("basic_consume(queue="), "{name}: {line}");
        }
        assert_compiles(name, &s);
    }
}

#[test]
fn the_work_queues_script_reads_like_the_article() {
    let s = export("pika", "work-queues");
    for want in [
        "channel.queue_declare(queue='task_queue', durable=True)",
        "for n in client.schedule(at=0.1, every=0.1, count=6):",
        "channel.basic_publish(exchange='', routing_key='task_queue', body=f'task {n}', properties=pika.BasicProperties(delivery_mode=2))",
        "def callback(ch, method, properties, body):",
        "client.work(1.0)",
        "ch.basic_ack(delivery_tag=method.delivery_tag)",
        "channel.basic_consume(queue='task_queue', on_message_callback=callback, auto_ack=False, consumer_tag='worker1')",
        "TIME_SCALE = 2.0",
        "QUEUES = ['task_queue']",
        // notes travel as comments
        "# Timeline (simulated seconds):",
        "Which worker gets task 4?",
    ] {
        assert!(s.contains(want), "missing `{want}` in:\n{s}");
    }
    // worker1 connects before worker2, as in the scenario
    let w1 = s.find("Client('worker1'").unwrap();
    let w2 = s.find("Client('worker2'").unwrap();
    assert!(w1 < w2);
}

#[test]
fn the_rpc_script_has_callback_queues_correlation_ids_and_direct_reply_to() {
    let s = export("pika", "rpc");
    for want in [
        "result = channel.queue_declare(queue='', exclusive=True)",
        "callback_queue = result.method.queue",
        "callback_queue = 'amq.rabbitmq.reply-to'",
        "corr_id = f'fib_client-{n}'",
        "pika.BasicProperties(reply_to=callback_queue, correlation_id=corr_id)",
        "channel.basic_qos(prefetch_count=1)",
        "routing_key=properties.reply_to",
        "properties=pika.BasicProperties(correlation_id=properties.correlation_id)",
        "response = str(fib(int(body)))",
        "client.crash()",
        "restarts=[2.0]",
    ] {
        assert!(s.contains(want), "missing `{want}`");
    }
}

#[test]
fn exchanges_confirms_faults_and_ttls_use_pika_1_calls() {
    let s = export("pika", "topic-logs");
    assert!(s.contains("channel.exchange_declare(exchange='topic_logs', exchange_type='topic')"));
    assert!(s.contains("channel.queue_bind(exchange='topic_logs', queue=queue_name, routing_key='*.orange.*')"));
    let s = export("pika", "publisher-confirms");
    assert!(s.contains("channel.confirm_delivery()"));
    assert!(s.contains("except pika.exceptions.UnroutableError as e:"));
    assert!(s.contains("except pika.exceptions.NackError:"));
    let s = export("pika", "durability");
    assert!(s.contains("BROKER_FAULTS = [(1.0, 'stop'), (2.0, 'start')]"));
    let s = export("pika", "ttl-and-dead-letters");
    assert!(s.contains("'x-message-ttl': ms(1000)"), "TTLs are scaled with the clock");
    assert!(s.contains("ch.basic_reject(delivery_tag=method.delivery_tag, requeue=False)"));
    assert!(s.contains("crashes=[0.5]"));
    let s = export("pika", "pitfall-wrong-queue");
    assert!(s.contains("channel.add_on_return_callback(client.on_return)"));
    assert!(s.contains("mandatory=True"));
}

#[test]
fn every_feature_of_a_scenario_file_exports_to_a_script_that_compiles() {
    let yaml = r##"
name: everything
exchanges:
  - { name: ex, type: direct, durable: true, alternate_exchange: ae }
  - { name: ae, type: fanout }
  - { name: hx, type: headers }
queues:
  - { name: "it's", durable: true, arguments: { x-message-ttl: 500, x-expires: 60000, x-max-length: 3, x-overflow: reject-publish, x-dead-letter-exchange: ae } }
  - { name: other, auto_delete: true }
  - { name: mine, exclusive: true }
bindings:
  - { exchange: ex, queue: "it's", key: k }
  - { exchange: ae, queue: other }
  - { exchange: hx, queue: other, arguments: { x-match: any, a: 1, b: null, c: "x" } }
  - { exchange: ex, to_exchange: hx, key: "#" }
consumers:
  - name: c1
    queue: "it's"
    prefetch: 2
    priority: 5
    work: { uniform: [10ms, 20ms] }
    rules:
      - { body: "bad", action: reject }
      - { redelivered: true, times: 2, action: requeue }
      - { body: "die", action: crash }
    declare:
      - { exchange: extra, type: topic, durable: true }
  - { name: c2, queue: other, ack: auto, exclusive: true, reply: "re:{body}", reply_mandatory: true }
  - { name: c3, queue: mine, ack: nack }
  - { name: c4, queue: { exclusive: false, durable: true, bind: [ { exchange: hx, arguments: { x-match: all, z: 2 } } ] }, ack: reject-requeue }
producers:
  - name: p1
    confirms: true
    declare: [ { queue: declared_by_p1, durable: true } ]
    publish:
      - { at: 10ms, exchange: ex, key: k, body: "{\"n\": {n}}", count: 3, every: 10ms, persistent: true, headers: { a: 1 }, expiration: 200ms }
      - { at: 15ms, exchange: ex, key: k, body: "it's {n}", count: 2, every: 10ms, mandatory: true, reply_to: r, correlation_id: c }
  - name: p2
    start: 1s
    publish:
      - { at: 1s, key: other, body: "x\ny" }
rpc_clients:
  - { name: r1, queue: other, calls: ["1", "2"], reply_to: none, persistent: true }
  - { name: r2, queue: other, calls: ["3"], reply_to: direct, first_call: 2s, every: 500ms }
faults:
  - { at: 100ms, crash: c1 }
  - { at: 200ms, restart: c1 }
  - { at: 300ms, crash: broker }
  - { at: 400ms, restart: broker }
  - { at: 500ms, partition: c2, until: 600ms }
  - { at: 500ms, delay: p2, by: 10ms, until: 600ms }
notes:
  - { at: 0s, text: { en: "quote ' and \"double\" and \\ backslash", zh: "中文" } }
"##;
    let path = temp("everything.yaml");
    std::fs::write(&path, yaml).unwrap();
    let p = path.to_string_lossy().into_owned();
    let out = temp("everything.py");
    let (code, _, err) = warren(&["export", "pika", &p, "-o", out.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let s = std::fs::read_to_string(&out).unwrap();
    for want in [
        "arguments={'alternate-exchange': 'ae'}",
        "channel.exchange_bind(destination='hx', source='ex', routing_key='#')",
        "arguments={'x-match': 'any', 'a': 1, 'b': None, 'c': 'x'}",
        "'x-expires': ms(60000)",
        "arguments={'x-priority': 5}",
        "exclusive=True, consumer_tag='c2'",
        "channel.exchange_declare(exchange='extra', exchange_type='topic', durable=True)",
        "ch.basic_nack(delivery_tag=method.delivery_tag, requeue=True)",
        "ch.basic_reject(delivery_tag=method.delivery_tag, requeue=True)",
        "ch.basic_nack(delivery_tag=method.delivery_tag, requeue=False)",
        "client.uses(1) < 2",
        "work_times=[",
        "timetable = [",
        "expiration=str(ms(200))",
        "'re:{body}'.replace('{body}', body.decode())",
        "pika.BasicProperties(correlation_id=corr_id, delivery_mode=2)",
        "not performed: partition c2",
        "queue_declare(queue='declared_by_p1', durable=True)",
        "channel.queue_delete(queue='declared_by_p1')",
    ] {
        assert!(s.contains(want), "missing `{want}` in:\n{s}");
    }
    assert!(!s.contains("queue_delete(queue='mine')"), "an exclusive queue belongs to its consumer's connection");
    assert_compiles("everything", &s);
}

#[test]
fn the_script_says_how_to_start_a_broker_when_there_is_none() {
    let Some(py) = python() else {
        eprintln!("SKIPPED: no python3");
        return;
    };
    if !Command::new(py).args(["-c", "import pika"]).output().is_ok_and(|o| o.status.success()) {
        eprintln!("SKIPPED: python3 has no pika");
        return;
    }
    let path = temp("hello.py");
    let (code, _, err) = warren(&["export", "pika", "hello", "-o", path.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let out = Command::new(py).arg(&path).args(["--port", "1"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no RabbitMQ broker at 127.0.0.1:1"), "{err}");
}

fn mermaid_ok(name: &str, text: &str) {
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("---"), "{name}");
    assert!(lines.next().unwrap().starts_with("title: \""), "{name}");
    assert_eq!(lines.next(), Some("---"), "{name}");
    assert_eq!(lines.next(), Some("sequenceDiagram"), "{name}");
    let mut ids = std::collections::BTreeSet::new();
    for line in text.lines().skip(4) {
        let l = line.trim();
        if l.starts_with("%%") || l.is_empty() {
            continue;
        }
        if let Some(rest) = l.strip_prefix("participant ") {
            let (id, label) = rest.split_once(" as ").unwrap_or_else(|| panic!("{name}: {l}"));
            assert!(id.chars().all(|c| c.is_ascii_alphanumeric()), "{name}: id {id}");
            assert!(!label.is_empty());
            ids.insert(id.to_string());
            continue;
        }
        let (head, label) = l.split_once(": ").unwrap_or_else(|| panic!("{name}: no label in {l}"));
        // Labels carry `#`, `;`, `<`, `>`, `&`, `"`, `%` only as entity codes.
        let mut bare = label.replace("<br/>", "");
        for code in ["#35;", "#59;", "#lt;", "#gt;", "#amp;", "#quot;", "#37;"] {
            bare = bare.replace(code, "");
        }
        assert!(!bare.contains(['#', ';', '<', '>', '&', '"', '%']), "{name}: {l}");
        if let Some(over) = head.strip_prefix("Note over ") {
            for id in over.split(',') {
                assert!(ids.contains(id), "{name}: unknown participant {id} in {l}");
            }
            continue;
        }
        let arrow = if head.contains("-->>") { "-->>" } else { "->>" };
        let (a, b) = head.split_once(arrow).unwrap_or_else(|| panic!("{name}: not an arrow: {l}"));
        assert!(ids.contains(a) && ids.contains(b), "{name}: {l}");
    }
    assert!(!ids.is_empty(), "{name}");
}

#[test]
fn mermaid_sequence_diagrams_of_every_bundled_scenario() {
    for name in warren::scenario::bundled::names() {
        mermaid_ok(name, &export("mermaid", name));
    }
    let m = export("mermaid", "rpc");
    for want in [
        "participant P1 as fib_client",
        "participant X1 as default exchange",
        "participant Q1 as rpc_queue",
        "participant C1 as fib_server1",
        "->>Q1: route #quot;30#quot;",
        "Q1->>C1: deliver #quot;10#quot; (redelivered)",
        "Q1->>Q1: requeue #quot;10#quot;",
        "C1-->>Q1: ack #quot;30#quot;",
        "fib_client discarded reply #quot;55#quot;",
        "Note over C2: 2s · ⚡ fib_server2 restarted",
        "Note over P1,C3: 0.1s · fib_client declares its callback queue",
    ] {
        assert!(m.contains(want), "missing `{want}` in:\n{m}");
    }
    let m = export("mermaid", "pitfall-wrong-queue");
    assert!(m.contains("X1-->>P1: return #quot;Hello again (mandatory)#quot; (312 NO_ROUTE)"), "{m}");
    let m = export("mermaid", "publisher-confirms");
    assert!(m.contains("X1-->>P1: nack #quot;tiny 2#quot;"), "{m}");
}

#[test]
fn a_message_checked_out_to_a_closing_channel_stays_at_its_queue_in_the_diagram() {
    let m = export("mermaid", "tests/conformance_diff/quorum-closing.yaml");
    mermaid_ok("quorum-closing", &m);
    assert!(m.contains("Q2->>Q2: check out #quot;m1#quot; (consumer's channel closing: never sent)"), "{m}");
    assert_eq!(m.matches("deliver #quot;m1#quot;").count(), 1, "m1 drawn as sent only once, to backupn:\n{m}");
}

#[test]
fn windows_cut_long_runs() {
    let (code, m, err) = warren(&["export", "mermaid", "work-queues", "--from", "1s", "--to", "2.15s"]);
    assert_eq!(code, 0, "{err}");
    mermaid_ok("window", &m);
    assert!(!m.contains("publish"), "publishes happen before 1s:\n{m}");
    assert!(m.contains("ack #quot;task 3#quot;") && !m.contains("ack #quot;task 5#quot;"), "{m}");
    assert!(m.contains("earlier steps left out") && m.contains("later steps left out"), "{m}");
    let (code, _, err) = warren(&["export", "mermaid", "work-queues", "--from", "2s", "--to", "1s"]);
    assert_eq!(code, 2);
    assert!(err.contains("--to"), "{err}");
    let (code, _, err) = warren(&["export", "pika", "work-queues", "--to", "1s"]);
    assert_eq!(code, 2);
    assert!(err.contains("whole scenario"), "{err}");
}

/// A small XML well-formedness check: balanced tags, quoted attributes, escaped text.
fn well_formed(xml: &str) -> Result<usize, String> {
    let mut stack: Vec<String> = Vec::new();
    let mut elements = 0;
    let mut rest = xml.trim_start();
    if let Some(r) = rest.strip_prefix("<?xml") {
        rest = &r[r.find("?>").ok_or("unterminated declaration")? + 2..];
    }
    while let Some(i) = rest.find(['<', '&']) {
        let (text, tail) = rest.split_at(i);
        if text.contains('>') {
            return Err(format!("stray > in text {text:?}"));
        }
        if let Some(t) = tail.strip_prefix('&') {
            let end = t.find(';').ok_or("unterminated entity")?;
            let ent = &t[..end];
            if !["amp", "lt", "gt", "quot", "apos"].contains(&ent) && !ent.starts_with('#') {
                return Err(format!("unknown entity &{ent};"));
            }
            rest = &t[end + 1..];
            continue;
        }
        let end = tail.find('>').ok_or("unterminated tag")?;
        let tag = &tail[1..end];
        rest = &tail[end + 1..];
        if let Some(name) = tag.strip_prefix('/') {
            let open = stack.pop().ok_or(format!("</{name}> closes nothing"))?;
            if open != name.trim() {
                return Err(format!("</{name}> closes <{open}>"));
            }
            continue;
        }
        let self_closing = tag.ends_with('/');
        let tag = tag.trim_end_matches('/');
        let name = tag.split_whitespace().next().ok_or("empty tag")?.to_string();
        // attributes: name="value" pairs, values without < or raw &
        let mut attrs = tag[name.len()..].trim();
        while !attrs.is_empty() {
            let eq = attrs.find('=').ok_or(format!("attribute without value in <{name}>"))?;
            let quote = attrs[eq + 1..].chars().next().ok_or("no value")?;
            if quote != '"' && quote != '\'' {
                return Err(format!("unquoted attribute in <{name}>"));
            }
            let vstart = eq + 2;
            let vend = attrs[vstart..].find(quote).ok_or("unterminated attribute")? + vstart;
            let v = &attrs[vstart..vend];
            if v.contains('<') {
                return Err(format!("< in an attribute of <{name}>"));
            }
            attrs = attrs[vend + 1..].trim_start();
        }
        elements += 1;
        if !self_closing {
            stack.push(name);
        }
    }
    if !stack.is_empty() {
        return Err(format!("unclosed {stack:?}"));
    }
    Ok(elements)
}

#[test]
fn svg_of_every_bundled_scenario_is_well_formed() {
    for name in warren::scenario::bundled::names() {
        let s = export("svg", name);
        let n = well_formed(&s).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(n > 20, "{name}: only {n} elements");
    }
}

#[test]
fn the_svg_of_rpc_is_a_sequence_diagram() {
    let path = temp("rpc.svg");
    let (code, _, err) = warren(&["export", "svg", "rpc", "-o", path.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let s = std::fs::read_to_string(&path).unwrap();
    assert!(s.starts_with("<?xml"));
    assert!(s.contains("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    assert!(s.contains("<title>rpc — RPC: reply_to, correlation_id and a callback queue</title>"));
    for want in [
        "class=\"time-axis\"",
        "class=\"lifelines\"",
        "class=\"steps\"",
        "class=\"legend\"",
        "<marker id=\"deliver\"",
        ">fib_client</text>",
        ">rpc_queue</text>",
        ">fib_server2</text>",
        "deliver &quot;10&quot; (redelivered)",
        "requeue &quot;10&quot;",
        ">2.5s</text>",
        "stroke-dasharray=\"6 4\"",
        "fib_server2 restarted",
    ] {
        assert!(s.contains(want), "missing `{want}`");
    }
    // Each lifeline is drawn: one dashed vertical line per participant.
    assert_eq!(s.matches("stroke-dasharray=\"4 4\"").count(), 11, "11 lifelines in rpc");
    // Where python3 is there, a real XML parser agrees.
    if let Some(py) = python() {
        let out = Command::new(py).args(["-c", "import sys, xml.dom.minidom as m; m.parse(sys.argv[1])"]).arg(&path).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
}

#[test]
fn svg_escapes_what_xml_needs_escaped() {
    let yaml = r#"
name: "esc"
queues: [ { name: "q<&>" } ]
producers:
  - name: "p&1"
    publish: [ { at: 10ms, key: "q<&>", body: "<b>\"x\" & 'y'</b>" } ]
notes: [ { at: 0s, text: "a < b && c > d" } ]
"#;
    let path = temp("esc.yaml");
    std::fs::write(&path, yaml).unwrap();
    let p = path.to_string_lossy().into_owned();
    let (code, s, err) = warren(&["export", "svg", &p]);
    assert_eq!(code, 0, "{err}");
    well_formed(&s).unwrap();
    assert!(s.contains("q&lt;&amp;&gt;"));
    let (code, m, _) = warren(&["export", "mermaid", &p]);
    assert_eq!(code, 0);
    mermaid_ok("esc", &m);
}
