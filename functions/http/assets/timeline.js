// The segments gate's timeline: draws the material as a bar of segments
// whose boundaries drag (pointer) or move with the keyboard, split and
// merge, and keeps the form's `end` fields in step; "Play" plays the
// recording from a segment. Without this script the same form is a list of
// end times to type.
(function () {
  "use strict";
  const STEP = 1000;
  const BIG_STEP = 10000;
  const GAP = 500; // the shortest segment a drag may leave, in ms

  function clock(ms) {
    const tenths = Math.round(ms / 100);
    const s = Math.floor(tenths / 10);
    return Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0") + "." + (tenths % 10);
  }

  function enhance(form) {
    if (form.dataset.enhanced) return;
    form.dataset.enhanced = "1";
    const total = Number(form.dataset.totalMs);
    const bar = form.querySelector(".timeline");
    const tools = form.querySelector(".timeline-tools");
    const rows = Array.from(form.querySelectorAll("tbody tr"));
    if (!bar || !total || rows.length === 0) return;
    const titles = rows.map((r) => (r.querySelector(".seg-title") || {}).textContent || "");
    let ends = rows.slice(0, -1).map((r) => Number(r.dataset.endMs));
    let selected = 0;
    const editable = !!form.querySelector("button[type=submit]");

    // The typed fields give way to hidden ones the timeline writes.
    form.querySelectorAll("input[name=end]").forEach((input) => {
      const label = input.closest("label");
      input.removeAttribute("name");
      input.disabled = true;
      if (label && label.closest("p")) label.closest("p").hidden = true;
    });
    const hidden = document.createElement("div");
    form.appendChild(hidden);
    bar.hidden = false;
    if (tools && editable) tools.hidden = false;
    const rtl = getComputedStyle(form).direction === "rtl";

    function writeFields() {
      hidden.replaceChildren(
        ...ends.map((ms) => {
          const input = document.createElement("input");
          input.type = "hidden";
          input.name = "end";
          input.value = (ms / 1000).toFixed(1);
          return input;
        })
      );
      rows.forEach((row, i) => {
        const cell = row.children[2];
        if (cell && i < rows.length - 1) {
          cell.textContent = i < ends.length ? (ends[i] / 1000).toFixed(1) : "";
        }
      });
    }

    function draw(focusHandle) {
      bar.replaceChildren();
      const starts = [0, ...ends];
      const stops = [...ends, total];
      starts.forEach((start, i) => {
        const seg = document.createElement("div");
        seg.className = "seg" + (i === selected ? " selected" : "");
        seg.style.insetInlineStart = (100 * start) / total + "%";
        seg.style.width = (100 * (stops[i] - start)) / total + "%";
        seg.textContent = i + 1 + ". " + (titles[i] || "");
        seg.title = clock(start) + " – " + clock(stops[i]);
        seg.addEventListener("click", () => {
          selected = i;
          draw();
        });
        bar.appendChild(seg);
      });
      ends.forEach((ms, i) => {
        const handle = document.createElement("div");
        handle.className = "handle";
        handle.style.insetInlineStart = (100 * ms) / total + "%";
        handle.setAttribute("role", "slider");
        handle.setAttribute("aria-label", "Boundary between segments " + (i + 1) + " and " + (i + 2));
        handle.setAttribute("aria-valuemin", "0");
        handle.setAttribute("aria-valuemax", String(Math.round(total / 1000)));
        handle.setAttribute("aria-valuenow", String(Math.round(ms / 1000)));
        handle.setAttribute("aria-valuetext", clock(ms));
        if (editable) {
          handle.tabIndex = 0;
          handle.addEventListener("keydown", (e) => key(e, i));
          handle.addEventListener("pointerdown", (e) => drag(e, i));
        } else {
          handle.setAttribute("aria-disabled", "true");
        }
        bar.appendChild(handle);
      });
      writeFields();
      if (focusHandle !== undefined) {
        const handles = bar.querySelectorAll(".handle");
        if (handles[focusHandle]) handles[focusHandle].focus();
      }
    }

    function move(i, ms) {
      const low = (i === 0 ? 0 : ends[i - 1]) + GAP;
      const high = (i === ends.length - 1 ? total : ends[i + 1]) - GAP;
      ends[i] = Math.round(Math.min(high, Math.max(low, ms)));
    }

    function key(e, i) {
      const step = e.shiftKey ? BIG_STEP : STEP;
      const forward = rtl ? "ArrowLeft" : "ArrowRight";
      const back = rtl ? "ArrowRight" : "ArrowLeft";
      if (e.key === forward || e.key === "ArrowUp") move(i, ends[i] + step);
      else if (e.key === back || e.key === "ArrowDown") move(i, ends[i] - step);
      else if (e.key === "Delete" || e.key === "Backspace") {
        ends.splice(i, 1);
        selected = Math.min(selected, ends.length);
        e.preventDefault();
        draw(Math.max(0, i - 1));
        return;
      } else return;
      e.preventDefault();
      draw(i);
    }

    function drag(e, i) {
      const handle = e.currentTarget;
      handle.setPointerCapture(e.pointerId);
      const box = bar.getBoundingClientRect();
      const at = (ev) => {
        const x = rtl ? box.right - ev.clientX : ev.clientX - box.left;
        return (x / box.width) * total;
      };
      const onMove = (ev) => {
        move(i, at(ev));
        handle.style.insetInlineStart = (100 * ends[i]) / total + "%";
        handle.setAttribute("aria-valuetext", clock(ends[i]));
      };
      const onUp = () => {
        handle.removeEventListener("pointermove", onMove);
        handle.removeEventListener("pointerup", onUp);
        draw(i);
      };
      handle.addEventListener("pointermove", onMove);
      handle.addEventListener("pointerup", onUp);
    }

    if (tools) {
      tools.addEventListener("click", (e) => {
        const action = e.target.dataset && e.target.dataset.action;
        const starts = [0, ...ends];
        const stops = [...ends, total];
        if (action === "split") {
          const middle = Math.round((starts[selected] + stops[selected]) / 2);
          if (stops[selected] - starts[selected] > 2 * GAP) {
            ends.splice(selected, 0, middle);
            titles.splice(selected + 1, 0, "(new)");
            draw(selected);
          }
        } else if (action === "merge" && selected < ends.length) {
          ends.splice(selected, 1);
          titles.splice(selected + 1, 1);
          draw();
        }
      });
    }
    draw();
  }

  function enhanceAll() {
    document.querySelectorAll("form.segments-editor").forEach(enhance);
  }
  document.addEventListener("DOMContentLoaded", enhanceAll);
  // Pages swapped in by htmx (boosted links and forms) are enhanced too.
  document.addEventListener("htmx:load", enhanceAll);

  // "Play" at a segment plays the recording on the page from its start
  // (without this script the link opens the recording at that time).
  document.addEventListener("click", (e) => {
    const link = e.target instanceof Element && e.target.closest("a[data-play-ms]");
    const player = document.getElementById("recording");
    if (!link || !player) return;
    e.preventDefault();
    player.currentTime = Number(link.dataset.playMs) / 1000;
    player.play().catch(() => {});
  });
})();
