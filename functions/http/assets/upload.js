// The new-job form's file goes straight to storage — the API's own upload
// URL here, a pre-signed S3 URL on AWS — with its progress shown, and the
// form is then posted naming the stored upload instead of carrying the
// file. So no page request carries a recording (API Gateway would refuse
// one over its payload limit). Without this script the form posts the file.
(function () {
  "use strict";

  function put(target, file, progress) {
    return new Promise((resolve, reject) => {
      const request = new XMLHttpRequest();
      request.open(target.method || "PUT", target.url);
      for (const [name, value] of Object.entries(target.headers || {})) {
        request.setRequestHeader(name, value);
      }
      request.upload.onprogress = (e) => {
        if (e.lengthComputable) progress.value = e.loaded / e.total;
      };
      request.onload = () =>
        request.status >= 200 && request.status < 300
          ? resolve()
          : reject(new Error(problemOf(request.responseText) || "the upload was refused (" + request.status + ")"));
      request.onerror = () => reject(new Error("the upload did not reach the server"));
      request.send(file);
    });
  }

  function problemOf(text) {
    try {
      const body = JSON.parse(text);
      return (body.error && body.error.message) || body.message;
    } catch (_) {
      return null;
    }
  }

  async function send(form) {
    const input = form.querySelector("input[type=file]");
    const file = input.files[0];
    const status = form.querySelector(".upload-status");
    const progress = status.querySelector("progress");
    const said = status.querySelector("[role=status]");
    status.hidden = false;
    status.classList.remove("error");
    progress.hidden = false;
    progress.value = 0;
    said.textContent = "Sending " + file.name + "…";
    const fields = new URLSearchParams({ name: file.name, size: String(file.size) });
    if (form.querySelector("input[name=storyboard]:checked")) fields.set("storyboard", "true");
    try {
      const granted = await fetch("/studio/uploads", { method: "POST", body: fields });
      const text = await granted.text();
      if (!granted.ok) throw new Error(problemOf(text) || "the upload was refused (" + granted.status + ")");
      const target = JSON.parse(text);
      await put(target, file, progress);
      form.querySelector("input[name=upload_key]").value = target.upload_key;
      form.querySelector("input[name=upload_name]").value = file.name;
      said.textContent = file.name + " is stored. Starting the job…";
      input.disabled = true; // the file is stored: the form names it instead
      form.dataset.uploaded = "1";
      form.requestSubmit();
    } catch (e) {
      // The server's refusals name the file already.
      said.textContent = e.message.startsWith(file.name) ? e.message : file.name + ": " + e.message;
      progress.hidden = true;
      status.classList.add("error");
    }
  }

  // In the capture phase, before htmx's own submit handler sees the form.
  document.addEventListener(
    "submit",
    (e) => {
      const form = e.target;
      if (!(form instanceof HTMLFormElement) || !form.matches("form[data-direct-upload]")) return;
      const input = form.querySelector("input[type=file]");
      const kind = form.querySelector("input[name=kind]:checked");
      if (form.dataset.uploaded || !input || !input.files.length || (kind && kind.value !== "file")) return;
      e.preventDefault();
      e.stopPropagation();
      send(form);
    },
    true
  );
})();
