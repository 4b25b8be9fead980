/* coursegen's SCORM player: every SCO of a package runs this one script.
   It shows the SCO's parts (a lesson, the final assessment, or in a
   single-SCO package all of them), grades answers in the page and reports
   them to the LMS through the SCORM 1.2 or 2004 API, found the standard way
   (up the frames that hold the SCO, then up its opener's). Without an LMS
   everything works and nothing is recorded. Plain ES5 and no libraries, so
   it runs in the old browsers some LMSs still serve. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("coursegen-sco").textContent);
  var v12 = data.scorm === "1.2";
  var SUSPEND_LIMIT = v12 ? 4096 : 64000;
  var opened = Date.now();
  var K = v12
    ? { location: "cmi.core.lesson_location", entry: "cmi.core.entry", exit: "cmi.core.exit",
        session: "cmi.core.session_time", raw: "cmi.core.score.raw", min: "cmi.core.score.min",
        max: "cmi.core.score.max", response: "student_response" }
    : { location: "cmi.location", entry: "cmi.entry", exit: "cmi.exit",
        session: "cmi.session_time", raw: "cmi.score.raw", min: "cmi.score.min",
        max: "cmi.score.max", response: "learner_response" };

  /* ---- The LMS ---- */

  function climb(win, name) {
    for (var hops = 0; win && hops < 500; hops++) {
      try {
        if (win[name]) return win[name];
        if (!win.parent || win.parent === win) return null;
      } catch (e) {
        return null; // a frame of another origin: the API is not up there
      }
      win = win.parent;
    }
    return null;
  }

  function findApi(name) {
    var found = climb(window, name);
    try {
      if (!found && window.opener) found = climb(window.opener, name);
      if (!found && window.top.opener) found = climb(window.top.opener, name);
    } catch (e) { /* an opener of another origin */ }
    return found;
  }

  var api = findApi(v12 ? "API" : "API_1484_11");
  var lms = {
    live: false,
    call: function (m12, m2004, a, b) {
      var method = api[v12 ? m12 : m2004];
      return String(arguments.length > 3 ? method.call(api, a, b) : method.call(api, a));
    },
    start: function () {
      this.live = !!api && this.call("LMSInitialize", "Initialize", "") === "true";
    },
    get: function (key) {
      return this.live ? this.call("LMSGetValue", "GetValue", key) : "";
    },
    set: function (key, value) {
      if (!this.live) return;
      if (this.call("LMSSetValue", "SetValue", key, String(value)) !== "true") {
        console.warn("coursegen: the LMS refused " + key + " (error " +
          this.call("LMSGetLastError", "GetLastError") + ")");
      }
    },
    commit: function () {
      if (this.live) this.call("LMSCommit", "Commit", "");
    },
    finish: function () {
      if (!this.live) return;
      this.live = false;
      this.call("LMSFinish", "Terminate", "");
    }
  };

  /* ---- What the learner has done, kept in suspend_data ---- */

  // p: the part shown; q: the question shown in an assessment; done: the
  // lesson parts finished; a: answers by "part.question"; s: the
  // assessment's result once submitted.
  var state = { p: 0, q: 0, done: [], a: {}, s: null };

  function save() {
    var copy = JSON.parse(JSON.stringify(state));
    var text = JSON.stringify(copy);
    // SCORM 1.2 holds 4,096 characters: the longest answers give way first.
    while (text.length > SUSPEND_LIMIT) {
      var longest = null;
      for (var key in copy.a) {
        if (!longest || JSON.stringify(copy.a[key]).length > JSON.stringify(copy.a[longest]).length) longest = key;
      }
      if (!longest) break;
      delete copy.a[longest];
      text = JSON.stringify(copy);
    }
    lms.set("cmi.suspend_data", text);
    lms.set(K.location, state.p + ":" + state.q);
  }

  function restore() {
    var saved;
    try {
      saved = JSON.parse(lms.get("cmi.suspend_data") || "null");
    } catch (e) {
      return;
    }
    if (saved && typeof saved === "object") {
      if (saved.done instanceof Array) state.done = saved.done;
      if (saved.a && typeof saved.a === "object") state.a = saved.a;
      if (saved.s && typeof saved.s === "object") state.s = saved.s;
    }
    var at = lms.get(K.location).split(":");
    var p = parseInt(at[0], 10), q = parseInt(at[1], 10);
    if (p >= 0 && p < data.parts.length) state.p = p;
    if (q >= 0) state.q = q;
  }

  /* ---- Grading ---- */

  function normal(text, caseSensitive) {
    var s = String(text || "").replace(/\s+/g, " ").replace(/^ | $/g, "");
    if (s.normalize) s = s.normalize("NFC");
    return caseSensitive ? s : s.toLowerCase();
  }

  function number(text) {
    var s = String(text === undefined ? "" : text).replace(/\s/g, "").replace(",", ".");
    return /^[-+]?(\d+\.?\d*|\.\d+)$/.test(s) ? parseFloat(s) : NaN;
  }

  /** true or false; null for answers a person grades (essays, code). */
  function grade(q, a) {
    var i;
    switch (q.type) {
      case "single":
        return a !== undefined && !!q.options[a] && q.options[a].correct;
      case "multi":
        if (!(a instanceof Array)) return false;
        for (i = 0; i < q.options.length; i++) {
          if (q.options[i].correct !== (a.indexOf(i) >= 0)) return false;
        }
        return true;
      case "tf":
        return a === q.answer;
      case "numeric":
        var x = number(a);
        return x >= q.min - 1e-9 && x <= q.max + 1e-9;
      case "text":
        for (i = 0; i < q.accepted.length; i++) {
          if (normal(a, q.caseSensitive) === normal(q.accepted[i], q.caseSensitive)) return true;
        }
        return false;
      case "order":
        if (!(a instanceof Array) || a.length !== q.items.length) return false;
        for (i = 0; i < a.length; i++) if (a[i] !== i) return false;
        return true;
      default:
        return null;
    }
  }

  /* ---- Interactions: one record per answer checked or submitted ---- */

  function decimal(x) {
    return String(Math.round(x * 10000) / 10000);
  }

  function two(n) {
    return (n < 10 ? "0" : "") + n;
  }

  function clock(d) {
    return two(d.getHours()) + ":" + two(d.getMinutes()) + ":" + two(d.getSeconds());
  }

  function timestamp(d) {
    return d.getFullYear() + "-" + two(d.getMonth() + 1) + "-" + two(d.getDate()) + "T" + clock(d);
  }

  function elapsed(ms) {
    var s = Math.max(0, Math.round(ms / 1000));
    var h = Math.floor(s / 3600), m = Math.floor(s / 60) % 60, sec = s % 60;
    return v12 ? (h < 10 ? "000" : h < 100 ? "00" : h < 1000 ? "0" : "") + h + ":" + two(m) + ":" + two(sec)
      : "PT" + h + "H" + m + "M" + sec + "S";
  }

  /** Learner text as 2004's localized strings hold it: one line, no
   * delimiters, a language tag when it would start with a brace. */
  function langString(text, max) {
    var s = String(text || "").replace(/[\r\n]+/g, " ").replace(/\[[,.:]\]/g, " ").slice(0, max);
    return s.charAt(0) === "{" ? "{lang=" + data.lang + "}" + s : s;
  }

  function choiceId(i) {
    return v12 ? (i < 26 ? String.fromCharCode(97 + i) : String(i)) : "o" + (i + 1);
  }

  function list(ids) {
    return ids.join(v12 ? "," : "[,]");
  }

  /** The interaction type, the learner's response and the correct
   * patterns of `q` answered `a`, in the SCORM version's formats. */
  function describe(q, a) {
    var i, ids = [];
    switch (q.type) {
      case "single":
      case "multi":
        for (i = 0; i < q.options.length; i++) if (q.options[i].correct) ids.push(choiceId(i));
        var picked = q.type === "single" ? (a === undefined ? [] : [a]) : a || [];
        return { type: "choice", response: picked.length ? list(picked.map(choiceId)) : null, correct: [list(ids)] };
      case "tf":
        var tf = function (b) { return v12 ? (b ? "t" : "f") : String(b); };
        return { type: "true-false", response: a === undefined ? null : tf(a), correct: [tf(q.answer)] };
      case "numeric":
        var x = number(a);
        return {
          type: "numeric",
          response: isNaN(x) ? null : decimal(x),
          correct: [v12 ? decimal((q.min + q.max) / 2) : decimal(q.min) + "[:]" + decimal(q.max)]
        };
      case "text":
        return {
          type: "fill-in",
          response: a === undefined ? null : v12 ? String(a).slice(0, 255) : langString(a, 250),
          correct: q.accepted.slice(0, 10).map(function (t) { return v12 ? t.slice(0, 255) : langString(t, 250); })
        };
      case "order":
        for (i = 0; i < q.items.length; i++) ids.push(v12 ? choiceId(i) : "i" + (i + 1));
        var order = (a || []).map(function (n) { return v12 ? choiceId(n) : "i" + (n + 1); });
        return { type: "sequencing", response: order.length ? list(order) : null, correct: [list(ids)] };
      default:
        var text = a === undefined ? null : String(a);
        if (q.code) {
          return { type: v12 ? "performance" : "other", response: text && text.slice(0, v12 ? 255 : 4000), correct: [] };
        }
        return { type: v12 ? "fill-in" : "long-fill-in", response: text && (v12 ? text.slice(0, 255) : langString(text, 4000)), correct: [] };
    }
  }

  function record(q, a, verdict) {
    if (!lms.live) return;
    var n = parseInt(lms.get("cmi.interactions._count"), 10) || 0;
    var at = "cmi.interactions." + n + ".";
    var d = describe(q, a);
    lms.set(at + "id", q.iid);
    lms.set(at + "type", d.type);
    if (!v12) lms.set(at + "description", langString(q.prompt, 250));
    for (var i = 0; i < d.correct.length; i++) lms.set(at + "correct_responses." + i + ".pattern", d.correct[i]);
    if (d.response !== null) lms.set(at + K.response, d.response);
    lms.set(at + "weighting", String(q.points));
    lms.set(at + "result", verdict === null ? "neutral" : verdict ? "correct" : v12 ? "wrong" : "incorrect");
    lms.set(at + (v12 ? "time" : "timestamp"), v12 ? clock(new Date()) : timestamp(new Date()));
  }

  /* ---- Status: score first, then status ---- */

  function mastery() {
    var given = parseFloat(lms.get(v12 ? "cmi.student_data.mastery_score" : "cmi.scaled_passing_score"));
    if (isFinite(given)) return v12 ? given : given * 100;
    return data.mastery === null ? 0 : data.mastery;
  }

  function kinds(kind) {
    var found = [];
    for (var i = 0; i < data.parts.length; i++) if (data.parts[i].kind === kind) found.push(i);
    return found;
  }

  function lessonsDone() {
    var lessons = kinds("lesson");
    for (var i = 0; i < lessons.length; i++) if (state.done.indexOf(lessons[i]) < 0) return false;
    return true;
  }

  /** Whether this attempt has nothing left to do, so it ends normally:
   * every lesson done, and the assessment (if any) submitted with an
   * outcome that closes the attempt. */
  function finished() {
    var result = state.s;
    if (!lessonsDone()) return false;
    return !kinds("assessment").length || (!!result && (result.passed || data.reporting.fail !== "incomplete"));
  }

  function report() {
    var result = state.s, hasTest = kinds("assessment").length > 0;
    if (result && result.max > 0) {
      if (v12) {
        lms.set(K.raw, decimal(result.pct));
        lms.set(K.min, "0");
        lms.set(K.max, "100");
      } else {
        lms.set("cmi.score.scaled", decimal(result.pct / 100));
        lms.set(K.raw, decimal(result.earned));
        lms.set(K.min, "0");
        lms.set(K.max, decimal(result.max));
      }
    }
    var outcome = result ? (result.passed ? data.reporting.pass : data.reporting.fail) : null;
    if (v12) {
      var status = hasTest ? outcome || "incomplete" : lessonsDone() ? "completed" : "incomplete";
      lms.set("cmi.core.lesson_status", status);
    } else {
      if (result && result.max > 0) lms.set("cmi.success_status", result.passed ? "passed" : "failed");
      lms.set("cmi.completion_status", finished() ? "completed" : "incomplete");
      var steps = kinds("lesson").length + (hasTest ? 1 : 0);
      var done = kinds("lesson").filter(function (p) { return state.done.indexOf(p) >= 0; }).length + (result ? 1 : 0);
      lms.set("cmi.progress_measure", decimal(steps ? done / steps : 1));
    }
    save();
    lms.commit();
  }

  function leave() {
    if (!lms.live) return;
    save();
    lms.set(K.exit, finished() ? (v12 ? "" : "normal") : "suspend");
    lms.set(K.session, elapsed(Date.now() - opened));
    lms.commit();
    lms.finish();
  }

  /* ---- The page ---- */

  var L = data.labels;

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    for (var name in attrs || {}) {
      if (attrs[name] === null) continue;
      if (name === "text") node.textContent = attrs.text;
      else if (name.slice(0, 2) === "on") node.addEventListener(name.slice(2), attrs[name]);
      else node.setAttribute(name, attrs[name]);
    }
    (children || []).forEach(function (child) { if (child) node.appendChild(child); });
    return node;
  }

  function answerKey(p, i) {
    return p + "." + i;
  }

  /** The inputs of question `q`, bound to answer `key`. */
  function inputs(q, key) {
    var a = state.a[key], name = "q" + key.replace(".", "-");
    var set = function (value) { state.a[key] = value; save(); };
    switch (q.type) {
      case "single":
      case "multi":
      case "tf":
        var options = q.type === "tf" ? [{ text: L.true_ }, { text: L.false_ }] : q.options;
        return el("fieldset", { "class": "options" }, [el("legend", { "class": "visually-hidden", text: L.answer })].concat(options.map(function (o, i) {
          var value = q.type === "tf" ? i === 0 : i;
          var box = el("input", { type: q.type === "multi" ? "checkbox" : "radio", name: name, value: String(i) });
          box.checked = q.type === "multi" ? (a || []).indexOf(i) >= 0 : a === value;
          box.addEventListener("change", function () {
            if (q.type !== "multi") return set(value);
            var picked = (state.a[key] || []).filter(function (n) { return n !== i; });
            if (box.checked) picked.push(i);
            set(picked.sort());
          });
          return el("label", {}, [box, el("span", { dir: "auto", text: o.text })]);
        })));
      case "numeric":
      case "text":
        var field = el("input", { type: "text", inputmode: q.type === "numeric" ? "decimal" : "text", "aria-label": L.answer, autocomplete: "off" });
        field.value = a === undefined ? "" : a;
        field.addEventListener("input", function () { set(field.value); });
        return field;
      case "order":
        var order = a || q.start.slice();
        if (a === undefined) state.a[key] = order;
        var rows = el("ol", { "class": "order" });
        var draw = function () {
          rows.textContent = "";
          order.forEach(function (item, at) {
            var move = function (by) {
              return function () {
                order.splice(at + by, 0, order.splice(at, 1)[0]);
                set(order);
                draw();
                rows.querySelectorAll("li")[at + by].querySelector("button").focus();
              };
            };
            rows.appendChild(el("li", {}, [
              el("span", { text: q.items[item] }),
              el("button", { type: "button", "aria-label": L.up + ": " + q.items[item], disabled: at === 0 ? "" : null, onclick: move(-1), text: "↑" }),
              el("button", { type: "button", "aria-label": L.down + ": " + q.items[item], disabled: at === order.length - 1 ? "" : null, onclick: move(1), text: "↓" })
            ]));
          });
        };
        draw();
        return rows;
      default:
        var area = el("textarea", { rows: q.code ? "8" : "5", "aria-label": L.answer, spellcheck: q.code ? "false" : "true", "class": q.code ? "code" : "" });
        area.value = a === undefined ? q.code || "" : a;
        area.addEventListener("input", function () { set(area.value); });
        return area;
    }
  }

  function feedback(q, a, verdict) {
    var lines = [];
    if (verdict !== null) lines.push(el("p", { "class": verdict ? "right" : "wrong", text: verdict ? L.correct : L.incorrect }));
    else lines.push(el("p", { "class": "neutral", text: L.graded_by_teacher }));
    if ((q.type === "single" || q.type === "multi") && a !== undefined) {
      [].concat(a).forEach(function (i) { if (q.options[i] && q.options[i].feedback) lines.push(el("p", { text: q.options[i].feedback })); });
    }
    if (q.model) lines.push(el("p", { text: L.model_answer + " " + q.model }));
    if (q.explanation) lines.push(el("p", { "class": "explanation", text: q.explanation }));
    return el("div", { "class": "feedback", role: "status" }, lines);
  }

  function prompt(q, n) {
    // dir=auto: a question may be in another script than the course.
    return el("p", { "class": "prompt", id: "prompt-" + q.iid }, [el("strong", { text: n + ". " }), el("span", { dir: "auto", text: q.prompt })]);
  }

  function hint(q) {
    if (!q.hint) return null;
    var shown = el("p", { "class": "hint", hidden: "", text: q.hint });
    return el("div", {}, [el("button", { type: "button", "class": "quiet", onclick: function () { shown.hidden = false; }, text: L.hint }), shown]);
  }

  function exercises(p, part) {
    return part.exercises.map(function (q, i) {
      var key = answerKey(p, i), result = el("div");
      return el("div", { "class": "question", role: "group", "aria-labelledby": "prompt-" + q.iid }, [
        prompt(q, i + 1), inputs(q, key), hint(q),
        el("button", {
          type: "button", text: L.check, onclick: function () {
            var verdict = grade(q, state.a[key]);
            record(q, state.a[key], verdict);
            lms.commit();
            result.textContent = "";
            result.appendChild(feedback(q, state.a[key], verdict));
          }
        }), result
      ]);
    });
  }

  function lessonView(p, part, section) {
    var holder = section.querySelector(".exercises");
    if (part.exercises.length && !holder.childNodes.length) {
      holder.appendChild(el("h2", { text: L.exercises }));
      exercises(p, part).forEach(function (node) { holder.appendChild(node); });
    }
    var actions = section.querySelector(".actions");
    actions.textContent = "";
    var next = p + 1 < data.parts.length;
    actions.appendChild(el("button", {
      type: "button", "class": "primary", text: next ? L.done_next : L.finish_lesson, onclick: function () {
        if (state.done.indexOf(p) < 0) state.done.push(p);
        report();
        if (next) show(p + 1);
        else closing(L.lesson_done);
      }
    }));
  }

  function assessmentView(p, part, section) {
    var box = section.querySelector(".quiz");
    box.textContent = "";
    if (state.s) return resultView(p, part, box);
    var n = part.questions.length;
    var i = Math.min(state.q, n - 1), q = part.questions[i];
    box.appendChild(el("p", { "class": "meta", text: L.pass_mark.replace("{n}", String(Math.round(mastery()))) }));
    box.appendChild(el("p", { "class": "meta", "aria-live": "polite", text: L.question_of.replace("{i}", i + 1).replace("{n}", n) }));
    box.appendChild(el("div", { "class": "question", role: "group", "aria-labelledby": "prompt-" + q.iid }, [prompt(q, i + 1), inputs(q, answerKey(p, i))]));
    var go = function (to) { return function () { state.q = to; save(); assessmentView(p, part, section); box.querySelector("input, textarea, button").focus(); }; };
    box.appendChild(el("p", { "class": "actions" }, [
      i > 0 ? el("button", { type: "button", onclick: go(i - 1), text: L.previous }) : null,
      i + 1 < n ? el("button", { type: "button", "class": "primary", onclick: go(i + 1), text: L.next })
        : el("button", { type: "button", "class": "primary", onclick: function () { submit(p, part, section); }, text: L.submit })
    ]));
  }

  function submit(p, part, section) {
    var earned = 0, max = 0, verdicts = [];
    part.questions.forEach(function (q, i) {
      var a = state.a[answerKey(p, i)], verdict = grade(q, a);
      verdicts.push(verdict);
      if (verdict !== null) max += q.points;
      if (verdict) earned += q.points;
      record(q, a, verdict);
    });
    var pct = max ? Math.round(earned / max * 10000) / 100 : 100;
    state.s = { earned: earned, max: max, pct: pct, passed: pct >= mastery() - 1e-9, verdicts: verdicts };
    report();
    assessmentView(p, part, section);
  }

  function resultView(p, part, box) {
    var result = state.s;
    box.appendChild(el("p", { "class": "score " + (result.passed ? "right" : "wrong"), role: "status", text:
      (result.max ? L.score.replace("{pct}", decimal(result.pct)) + " " : "") + (result.passed ? L.passed : L.failed) }));
    var review = el("ol", { "class": "review" });
    part.questions.forEach(function (q, i) {
      review.appendChild(el("li", {}, [el("p", { text: q.prompt }), feedback(q, state.a[answerKey(p, i)], result.verdicts[i])]));
    });
    box.appendChild(review);
    box.appendChild(el("p", { "class": "actions" }, [
      result.passed ? null : el("button", {
        type: "button", text: L.try_again, onclick: function () {
          part.questions.forEach(function (q, i) { delete state.a[answerKey(p, i)]; });
          state.s = null;
          state.q = 0;
          save();
          show(p);
        }
      }),
      el("button", { type: "button", "class": "primary", text: L.exit, onclick: function () { closing(L.attempt_done); } })
    ]));
  }

  function closing(message) {
    leave();
    var main = document.querySelector("main");
    main.textContent = "";
    main.appendChild(el("p", { "class": "closing", role: "status", tabindex: "-1", text: message }));
    main.firstChild.focus();
    var nav = document.querySelector(".contents");
    if (nav) nav.hidden = true;
  }

  function show(p) {
    state.p = p;
    var sections = document.querySelectorAll("section.part");
    for (var i = 0; i < sections.length; i++) sections[i].hidden = i !== p;
    var part = data.parts[p];
    if (part.kind === "lesson") lessonView(p, part, sections[p]);
    else assessmentView(p, part, sections[p]);
    var links = document.querySelectorAll(".contents button");
    for (i = 0; i < links.length; i++) {
      if (i === p) links[i].setAttribute("aria-current", "step");
      else links[i].removeAttribute("aria-current");
    }
    save();
    window.scrollTo(0, 0);
  }

  function contents() {
    if (data.parts.length < 2) return;
    var nav = document.querySelector(".contents");
    var items = data.parts.map(function (part, p) {
      return el("li", {}, [el("button", { type: "button", "class": "quiet", onclick: function () { show(p); }, text: part.title })]);
    });
    nav.appendChild(el("h2", { text: L.contents }));
    nav.appendChild(el("ol", {}, items));
    nav.hidden = false;
  }

  lms.start();
  if (v12) {
    var status = lms.get("cmi.core.lesson_status");
    if (status === "" || status === "not attempted") lms.set("cmi.core.lesson_status", "incomplete");
  } else {
    var completion = lms.get("cmi.completion_status");
    if (completion === "" || completion === "unknown" || completion === "not attempted") lms.set("cmi.completion_status", "incomplete");
  }
  if (lms.get(K.entry) !== "ab-initio") restore();
  document.getElementById("lms-status").textContent = lms.live ? L.tracked : L.untracked;
  var save_exit = document.getElementById("save-exit");
  if (lms.live) {
    save_exit.hidden = false;
    save_exit.addEventListener("click", function () { closing(L.saved); });
  }
  window.addEventListener("pagehide", leave);
  window.addEventListener("beforeunload", leave);
  contents();
  show(state.p);
  lms.commit();
})();
