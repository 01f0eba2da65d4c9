// Accessible names for Chainlit's icon-only controls (checked by axe-core in tests/browser).
// Chainlit renders these buttons without text or aria-label; we name them by id, then by icon.
(function () {
  "use strict";
  var NAMES = {
    "sidebar-trigger-button": "Show or hide past interviews",
    "search-chats-button": "Search past interviews",
    "new-chat-button": "New chat",
    "theme-toggle": "Switch light or dark theme",
    "user-nav-button": "Account menu",
    "chat-settings-open-modal": "Interview settings",
    "upload-button": "Attach a resume or a recorded answer",
    "chat-submit": "Send",
    "stop-button": "Stop",
    "thread-options": "Interview options",
    "readme-button": "How it works",
  };
  var LOGIN_FAILED = "Wrong user name or password.";
  var ICONS = {
    "audio-lines": "Record a spoken answer",
    mic: "Record a spoken answer",
    "mic-off": "Stop recording",
    eye: "Show password",
    "eye-off": "Hide password",
    copy: "Copy to clipboard",
    "thumbs-up": "Helpful",
    "thumbs-down": "Not helpful",
    x: "Close",
    "arrow-down": "Scroll to the latest message",
    ellipsis: "More options",
    settings: "Interview settings",
    paperclip: "Attach a file",
    pencil: "Edit",
  };

  function hasName(el) {
    return (
      (el.getAttribute("aria-label") || "").trim() ||
      (el.getAttribute("aria-labelledby") || "").trim() ||
      (el.getAttribute("title") || "").trim() ||
      (el.textContent || "").trim()
    );
  }

  function iconName(el) {
    var svg = el.querySelector("svg[class*='lucide-']");
    if (!svg) return "";
    var match = /lucide-([a-z0-9-]+)/.exec(svg.getAttribute("class") || "");
    if (!match) return "";
    return ICONS[match[1]] || match[1].replace(/-/g, " ");
  }

  function fix(root) {
    var buttons = root.querySelectorAll("button, [role='button'], div[type='button']");
    for (var i = 0; i < buttons.length; i++) {
      var el = buttons[i];
      var role = el.getAttribute("role");
      if (el.tagName !== "BUTTON" && !role) el.setAttribute("role", "button");
      // A focusable button marked presentational is still a button; the role only hides its name.
      if (el.tagName === "BUTTON" && (role === "presentation" || role === "none")) el.removeAttribute("role");
      if (hasName(el)) continue;
      var name = NAMES[el.id] || iconName(el);
      // The composer's only button without an id or a lucide icon is the microphone.
      if (!name && el.closest("#message-composer")) name = "Record a spoken answer";
      if (name) el.setAttribute("aria-label", name);
    }
    // Chainlit also toasts a failed log-in as "Unauthorized: credentialssignin".
    var toasts = root.querySelectorAll("[data-sonner-toast] [data-title]");
    for (var k = 0; k < toasts.length; k++) {
      if (/credentialssignin/i.test(toasts[k].textContent || "")) toasts[k].textContent = LOGIN_FAILED;
    }
    // Sidebar menus hold <div>s straight inside <ul>: make them list items.
    var lists = root.querySelectorAll("ul[data-sidebar='menu'] > :not(li)");
    for (var j = 0; j < lists.length; j++) {
      if (!lists[j].getAttribute("role")) lists[j].setAttribute("role", "listitem");
    }
  }

  var pending = false;
  function schedule() {
    if (pending) return;
    pending = true;
    window.requestAnimationFrame(function () {
      pending = false;
      fix(document);
    });
  }
  new MutationObserver(schedule).observe(document.documentElement, { childList: true, subtree: true });
  schedule();
})();

// The home screen's short instructions (text from ui/chainlit/assets.py: WELCOME).
(function () {
  "use strict";
  var script = document.currentScript;
  var base = script ? script.src.replace(/room\.js(\?.*)?$/, "") : "/chat/public/";
  var welcome = null;
  fetch(base + "room-welcome.json", { credentials: "same-origin" })
    .then(function (r) { return r.ok ? r.json() : null; })
    .then(function (data) { welcome = data; show(); })
    .catch(function () {});

  function show() {
    var screen = document.getElementById("welcome-screen");
    if (!welcome || !screen || document.getElementById("room-welcome")) return;
    var box = document.createElement("section");
    box.id = "room-welcome";
    box.setAttribute("aria-label", welcome.title);
    box.className = "w-full max-w-[48rem] text-sm px-2";
    var heading = document.createElement("h2");
    heading.className = "font-semibold mb-1";
    heading.textContent = welcome.title;
    var list = document.createElement("ol");
    list.className = "list-decimal pl-5 space-y-1";
    welcome.steps.forEach(function (step) {
      var item = document.createElement("li");
      item.textContent = step;
      list.appendChild(item);
    });
    box.appendChild(heading);
    box.appendChild(list);
    screen.appendChild(box);
  }
  new MutationObserver(show).observe(document.documentElement, { childList: true, subtree: true });
})();

// Live hints while a practice answer is recorded (ui/chainlit/live_hints.py). The server sends
// them with cl.send_window_message, which Chainlit posts to window.parent: this page itself.
// One small hint at a time, in the header's middle so it never covers the question, gone after
// a few seconds; a screen reader hears it politely.
(function () {
  "use strict";
  var TYPE = "interview-coach-live-hint";
  var SHOWN_MS = 6000;
  var timer = null;

  function hintBox() {
    var box = document.getElementById("live-hint");
    if (box) return box;
    box = document.createElement("div");
    box.id = "live-hint";
    box.setAttribute("role", "status");
    box.setAttribute("aria-live", "polite");
    box.setAttribute("data-state", "hidden");
    document.body.appendChild(box);
    return box;
  }

  window.addEventListener("message", function (event) {
    var data = event.data;
    if (event.source !== window || !data || data.type !== TYPE || typeof data.text !== "string") return;
    var box = hintBox();
    box.textContent = data.text;
    box.setAttribute("data-kind", String(data.kind || ""));
    box.setAttribute("data-state", "shown");
    if (timer) window.clearTimeout(timer);
    timer = window.setTimeout(function () {
      box.setAttribute("data-state", "hidden");
    }, SHOWN_MS);
  });
})();

// A dropped connection is not a log-out. Chainlit treats any failed GET /user as "logged out" and
// sends the page to the log-in screen, which, while the network is down, ends on the browser's
// error page and loses an answer being recorded (ui/chainlit/camera.py). While the network is
// down that request waits for it instead (retried every few seconds for up to three minutes); a
// real answer from the server, 401 included, is passed on unchanged.
(function () {
  "use strict";
  var RETRY_MS = 3000;
  var TRIES = 60;
  var originalFetch = window.fetch;

  function isUserRequest(input, init) {
    var url = typeof input === "string" ? input : (input && input.url) || "";
    var method = ((init && init.method) || (input && input.method) || "GET").toUpperCase();
    try {
      return method === "GET" && /\/user$/.test(new URL(url, window.location.href).pathname);
    } catch (error) {
      return false;
    }
  }

  window.fetch = function (input, init) {
    if (!isUserRequest(input, init)) return originalFetch.apply(this, arguments);
    var self = this;
    var args = arguments;
    return new Promise(function (resolve, reject) {
      function attempt(tries) {
        originalFetch.apply(self, args).then(resolve, function (error) {
          if (tries >= TRIES) reject(error);
          else window.setTimeout(function () { attempt(tries + 1); }, RETRY_MS);
        });
      }
      attempt(1);
    });
  };
})();

// A microphone answer stops by itself when the microphone disappears mid-answer (unplugged, turned
// off, taken by another app): Chainlit's recorder would go on sending silence. The server is told
// first, so it says why the answer ended (ui/chainlit/mic_stream.py); the same stop is made when the
// server says the answer reached the length limit. Camera answers watch their own tracks
// (elements/CameraRecorder.jsx).
(function () {
  "use strict";
  var STOP = "interview-coach-stop-microphone";
  var LOST = "interview-coach-microphone-lost";
  var media = navigator.mediaDevices;

  // Chainlit's microphone toggle: the button just before the upload button, showing an "x" while it records.
  function recordingToggle() {
    var upload = document.getElementById("upload-button");
    var buttons = document.querySelectorAll("#message-composer button");
    var previous = null;
    for (var i = 0; i < buttons.length && buttons[i] !== upload; i++) previous = buttons[i];
    return previous && previous.querySelector("svg[class*='lucide-x']") ? previous : null;
  }

  function stopMicrophone() {
    var toggle = recordingToggle();
    if (toggle) toggle.click();
  }

  if (media && media.getUserMedia) {
    var getUserMedia = media.getUserMedia.bind(media);
    media.getUserMedia = function (constraints) {
      return getUserMedia(constraints).then(function (stream) {
        // Chainlit's recorder asks for sound only; a page's own track.stop() fires no "ended".
        if (constraints && constraints.audio && !constraints.video) {
          stream.getAudioTracks().forEach(function (track) {
            track.addEventListener("ended", function () {
              if (recordingToggle()) window.postMessage({ type: LOST }, window.location.origin);
            });
          });
        }
        return stream;
      });
    };
  }

  // Chainlit passes every window message on to the server in the same dispatch, so the server
  // hears of a lost microphone before the "audio_end" that the stop sends after its own awaits.
  window.addEventListener("message", function (event) {
    var data = event.data;
    if (event.source === window && data && (data.type === STOP || data.type === LOST)) stopMicrophone();
  });
})();
