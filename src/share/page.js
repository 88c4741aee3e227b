// warren's class page: shows the run the teacher's TUI publishes and sends this device's vote.
// It never steers the run. Scenario text only ever goes into the page as textContent.
"use strict";
(function () {
  const WORDS = {
    en: { question: "Question", note: "Note", topology: "Topology", log: "Event log", code: "Join code",
      voted: "Your vote is in: ", closed: "Voting is closed.", answer: "Answer: ", votes: "votes",
      needCode: "Type the join code shown on the teacher's screen first.", wrongCode: "That join code is not right.",
      already: "This device has voted already.", failed: "The vote did not go through: ", waiting: "Waiting for the teacher's screen…",
      legend: "queue ready|unacked · consumer in-flight/prefetch · dashed: not declared yet · red dots: dead letters",
      footer: "This page follows the teacher's screen; it cannot change the run.", other: "中文" },
    zh: { question: "提问", note: "讲解", topology: "拓扑", log: "事件日志", code: "加入码",
      voted: "已投票：", closed: "投票已结束。", answer: "答案：", votes: "票",
      needCode: "请先输入老师屏幕上的加入码。", wrongCode: "加入码不对。",
      already: "这台设备已经投过票了。", failed: "投票未成功：", waiting: "等待老师的屏幕……",
      legend: "队列 就绪|未确认 · 消费者 在途/prefetch · 虚线：尚未声明 · 红点：死信",
      footer: "本页跟随老师的屏幕，不能改变运行。", other: "English" },
  };
  const params = new URLSearchParams(location.search);
  const $ = (id) => document.getElementById(id);
  let lang = params.get("lang") || null;
  let last = null;
  let pendingTestVote = params.has("vote") ? parseInt(params.get("vote"), 10) - 1 : null;
  let status = "";
  const codeInput = $("code");
  codeInput.value = params.get("code") || (window.localStorage && localStorage.getItem("warren-code")) || "";

  function w(key) { return WORDS[lang || "en"][key]; }
  function bi(t) { return t ? (t[lang || "en"] || t.en || "") : ""; }
  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function svg(tag, attrs, text) {
    const e = document.createElementNS("http://www.w3.org/2000/svg", tag);
    for (const k in attrs) e.setAttribute(k, String(attrs[k]));
    if (text !== undefined) e.textContent = String(text);
    return e;
  }
  function clear(e) { while (e.firstChild) e.removeChild(e.firstChild); }

  // ----- topology: publishers | exchanges | queues | consumers, as SVG
  function drawTopology(t) {
    const box = $("topology");
    clear(box);
    const rowH = 30, colX = [8, 190, 420, 680], boxW = [150, 190, 220, 210];
    const pos = {};
    const nodes = [];
    let y = 8;
    const placed = {};
    // Exchanges in order; each queue after its first exchange; consumers after their queue.
    const qRows = {};
    let qy = 8, xy = 8, cy = 8, py = 8;
    const qById = {};
    t.queues.forEach((q) => { qById[q.id] = q; });
    function placeQueue(q) {
      if (placed[q.id]) return;
      placed[q.id] = true;
      qy = Math.max(qy, cy);
      pos[q.id] = { x: colX[2], y: qy };
      nodes.push({ kind: "queue", q: q, x: colX[2], y: qy });
      q.consumers.forEach((c, i) => {
        const ccy = Math.max(cy, qy + i * rowH);
        nodes.push({ kind: "consumer", c: c, x: colX[3], y: ccy, from: q.id });
        cy = ccy + rowH;
      });
      qy += Math.max(1, q.consumers.length) * rowH;
      cy = Math.max(cy, qy);
    }
    t.exchanges.forEach((x) => {
      xy = Math.max(xy, py);
      const top = Math.max(xy, qy - rowH * 0);
      pos[x.id] = { x: colX[1], y: top };
      nodes.push({ kind: "exchange", x0: x, x: colX[1], y: top });
      t.publishers.filter((p) => p.to === x.id).forEach((p, i) => {
        nodes.push({ kind: "publisher", p: p, x: colX[0], y: top + i * rowH, to: x.id });
        py = Math.max(py, top + (i + 1) * rowH);
      });
      t.routes.filter((r) => r.from === x.id && qById[r.to]).forEach((r) => { if (!placed[r.to]) { qy = Math.max(qy, top); placeQueue(qById[r.to]); } });
      xy = Math.max(top + rowH, qy);
      qy = Math.max(qy, xy);
    });
    t.queues.forEach((q) => placeQueue(q));
    y = Math.max(xy, qy, cy, py) + 8;
    const width = colX[3] + boxW[3] + 8;
    const root = svg("svg", { viewBox: "0 0 " + width + " " + y, role: "img" });
    const edges = svg("g", {});
    root.appendChild(edges);
    function edge(a, b, cls, label) {
      const x1 = a.x, y1 = a.y + 11, x2 = b.x, y2 = b.y + 11;
      const mid = (x1 + x2) / 2;
      edges.appendChild(svg("path", { d: "M" + x1 + "," + y1 + " C" + mid + "," + y1 + " " + mid + "," + y2 + " " + x2 + "," + y2, class: cls }));
      if (label) edges.appendChild(svg("text", { x: mid - 20, y: (y1 + y2) / 2 - 3 }, label));
    }
    function node(n, cls, text, extra, w, attrs) {
      const g = svg("g", Object.assign({ class: cls }, attrs || {}));
      g.appendChild(svg("rect", { x: n.x, y: n.y, width: w, height: 22, rx: 4 }));
      g.appendChild(svg("text", { x: n.x + 6, y: n.y + 15 }, text));
      if (extra) g.appendChild(svg("text", { x: n.x + w - 6, y: n.y + 15, "text-anchor": "end", class: "count" }, extra));
      root.appendChild(g);
    }
    nodes.forEach((n) => {
      if (n.kind === "exchange") {
        const x = n.x0;
        const name = x.name === "" ? (lang === "zh" ? "（默认）" : "(default)") : x.name;
        node(n, x.declared ? "exchange" : "exchange planned", (x.declared ? "" : "◌ ") + name + (x.kind && x.name ? " (" + x.kind + ")" : "") + (x.alternate ? " ⇢ae " + x.alternate : ""), null, boxW[1], { "data-exchange": x.name });
      } else if (n.kind === "queue") {
        const q = n.q;
        node(n, q.declared ? "queue" : "queue planned", (q.declared ? "" : "◌ ") + q.name, q.declared ? q.ready + "|" + q.unacked : "", boxW[2], { "data-queue": q.name });
      } else if (n.kind === "consumer") {
        const c = n.c;
        node(n, c.connected ? "consumer" : "consumer planned", c.name + (c.connected ? "" : " · " + bi(c.status)), c.load, boxW[3], { "data-consumer": c.name });
        edge({ x: colX[2] + boxW[2], y: pos[n.from].y }, n, "", null);
      } else if (n.kind === "publisher") {
        const p = n.p;
        node(n, "publisher", p.name, null, boxW[0], { "data-publisher": p.name });
        edge({ x: colX[0] + boxW[0], y: n.y }, pos[n.to], "", null);
      }
    });
    t.routes.forEach((r) => {
      const a = pos[r.from], b = pos[r.to];
      if (!a || !b) return;
      edge({ x: a.x + boxW[1], y: a.y }, b, r.declared ? "" : "planned-edge", r.key);
    });
    t.queues.forEach((q) => {
      const x = q.dead_letter !== null && q.dead_letter !== undefined ? pos["x:" + q.dead_letter] : null;
      if (x && pos[q.id]) edge({ x: pos[q.id].x, y: pos[q.id].y }, { x: x.x + boxW[1], y: x.y }, "dlx", "dlx");
    });
    box.appendChild(root);
  }

  // ----- the question and its votes
  function drawQuestion(data) {
    const q = data.view && data.view.question;
    const panel = $("question-panel");
    if (!q) { panel.hidden = true; return; }
    panel.hidden = false;
    $("ask").textContent = bi(q.ask);
    const list = $("choices");
    clear(list);
    const votes = data.votes || [];
    const max = Math.max(1, ...votes);
    q.choices.forEach((c, i) => {
      const li = el("li");
      const b = el("button", null, bi(c));
      b.type = "button";
      b.disabled = q.revealed || data.voted !== null;
      b.dataset.choice = String(i);
      b.addEventListener("click", () => castVote(q.id, i));
      li.appendChild(b);
      if (data.voted === i) li.classList.add("mine");
      if (q.revealed) {
        if (q.answer === i) { li.classList.add("right"); b.textContent = "✓ " + bi(c); }
        const bar = el("span", "bar");
        bar.style.width = Math.round(8 * (votes[i] || 0) / max) + "em";
        li.appendChild(bar);
        li.appendChild(el("span", "n", (votes[i] || 0) + " " + w("votes")));
      }
      list.appendChild(li);
    });
    $("join").hidden = q.revealed || data.voted !== null;
    let s = status;
    if (q.revealed) s = w("closed") + (q.answer !== null ? " " + w("answer") + bi(q.choices[q.answer]) : "");
    else if (data.voted !== null) s = w("voted") + bi(q.choices[data.voted]);
    $("vote-status").textContent = s;
    $("explain").textContent = q.revealed ? bi(q.explain) : "";
    if (pendingTestVote !== null && !q.revealed && data.voted === null) {
      const n = pendingTestVote;
      pendingTestVote = null;
      castVote(q.id, n);
    }
  }

  function castVote(question, choice) {
    const code = codeInput.value.trim();
    if (!code) { status = w("needCode"); redraw(); return; }
    try { localStorage.setItem("warren-code", code); } catch (e) { /* private mode */ }
    fetch("/vote", { method: "POST", headers: { "Content-Type": "application/json" }, credentials: "same-origin",
      body: JSON.stringify({ question: question, choice: choice, code: code }) })
      .then((r) => r.json())
      .then((r) => {
        if (r.ok) status = "";
        else if (r.error === "wrong-code") status = w("wrongCode");
        else if (r.error === "already-voted") status = w("already");
        else status = w("failed") + r.error;
        document.body.dataset.lastVote = r.ok ? "ok" : r.error;
        poll();
      })
      .catch((e) => { status = w("failed") + e; redraw(); });
  }

  function drawLog(v) {
    const list = $("log");
    clear(list);
    v.log.slice().reverse().forEach((l) => {
      const li = el("li");
      li.appendChild(el("span", "t", l.t));
      li.appendChild(el("span", "actor", l.actor));
      li.appendChild(el("span", "what", bi(l.what)));
      if (l.why) li.appendChild(el("div", "why", "↳ " + bi(l.why)));
      list.appendChild(li);
    });
  }

  function redraw() {
    const data = last;
    document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
    $("lang").textContent = w("other");
    $("question-heading").textContent = w("question");
    $("note-heading").textContent = w("note");
    $("topology-heading").textContent = w("topology");
    $("log-heading").textContent = w("log");
    $("code-label").textContent = w("code");
    $("legend").textContent = w("legend");
    $("footer").textContent = w("footer");
    if (!data || !data.view) { $("title").textContent = w("waiting"); return; }
    const v = data.view;
    $("title").textContent = v.scenario + ": " + bi(v.title);
    document.title = "warren · " + v.scenario;
    $("time").textContent = "t " + v.time;
    $("state").textContent = bi(v.state);
    $("note-panel").hidden = !v.note;
    $("note").textContent = bi(v.note);
    drawTopology(v.topology);
    drawLog(v);
    drawQuestion(data);
  }

  let shown = "";
  function poll() {
    fetch("/view", { credentials: "same-origin", cache: "no-store" })
      .then((r) => r.json())
      .then((data) => {
        if (lang === null && data.view) lang = data.view.lang === "zh" ? "zh" : "en";
        const key = data.version + "/" + JSON.stringify(data.votes) + "/" + data.voted + "/" + status;
        last = data;
        if (key !== shown) { shown = key; redraw(); }
      })
      .catch(() => {});
  }
  $("lang").addEventListener("click", () => { lang = lang === "zh" ? "en" : "zh"; shown = ""; redraw(); });
  redraw();
  poll();
  setInterval(poll, 700);
})();
