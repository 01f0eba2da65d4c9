// Records a camera answer in the room (see ui/chainlit/camera.py): a small muted self-view,
// MediaRecorder (WebM, audio + video) sent in one-second pieces, and 320-px JPEG frames at a
// few per second for the face analysis that runs on this server while the candidate speaks.
// Every text comes from the server (props.texts).
//
// The recording lives outside React, in one store per question on `window`: Chainlit re-creates
// a custom element's component whenever the message is updated or the websocket reconnects, and
// a recording held in component state would be stopped and lost with it. A re-created recorder
// finds its store and shows the same recording; a store no recorder comes back to is submitted.
import { useEffect, useRef, useState } from "react";
import { Button } from "@/components/ui/button";
import { Square, Video } from "lucide-react";

const VIDEO_TYPES = ["video/webm;codecs=vp8,opus", "video/webm;codecs=vp9,opus", "video/webm"];
// Frames captured but not yet sent are capped (ten seconds at 5 fps) so a stalled server
// costs face analysis, never the browser's memory.
const MAX_PENDING_FRAMES = 50;
// MediaRecorder fires "stop" after its last piece; if a browser never does, the answer is still sent.
const STOP_GRACE_MS = 3000;
// A call that fails on the way (connection lost, server restarting) is sent again, with growing
// pauses, for this long: every piece is kept in the page until the server has it.
const RETRY_FOR_MS = 180000;
const RETRY_PAUSES_MS = [500, 1000, 2000, 4000];
// A recording whose recorder went away for good (the element was removed) is submitted after this.
const ORPHAN_MS = 5000;
// The recording stops this much before the answer-length limit (props.maxSeconds): the server
// refuses a file even slightly longer than the limit, and the encoder's last frames land after
// the stop.
const LIMIT_MARGIN_S = 0.25;
const STORES = (window.__interviewCoachCamera = window.__interviewCoachCamera || {});

// The server answered and said no: sending it again would not help.
class Refused extends Error {}

function toBase64(blob) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    // A data URL; the MIME type before ";base64," may itself hold commas (codecs=vp8,opus).
    reader.onload = () => {
      const url = String(reader.result);
      const marker = url.indexOf(";base64,");
      resolve(marker < 0 ? "" : url.slice(marker + 8));
    };
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(blob);
  });
}

function storeFor(questionId) {
  if (!STORES[questionId]) {
    STORES[questionId] = { questionId, phase: "idle", message: "", seconds: 0, views: new Set(), run: null };
  }
  return STORES[questionId];
}

function update(store, changes) {
  Object.assign(store, changes);
  store.views.forEach((view) => view());
}

export default function CameraRecorder() {
  // A reopened thread's elements come back from the chat store with their props as JSON text.
  const data = typeof props === "string" ? JSON.parse(props) : props;
  const texts = data.texts || {};
  const store = storeFor(data.questionId);
  const [, redraw] = useState(0);
  const video = useRef(null);
  store.callAction = callAction;

  const call = async (name, payload) => {
    const reply = await store.callAction({ name, payload: { questionId: data.questionId, ...payload } });
    const response = reply && reply.response;
    if (response && response.ok === false) throw new Refused(response.message);
    return response || {};
  };

  // The server ignores a piece or a stop it already has, so sending one again is safe.
  const callRetrying = async (current, name, payload) => {
    const deadline = performance.now() + RETRY_FOR_MS;
    for (let attempt = 0; ; attempt++) {
      try {
        const response = await call(name, payload);
        if (current.offline) {
          current.offline = false;
          if (!current.stopping) update(store, { message: texts.recording });
        }
        return response;
      } catch (error) {
        if (error instanceof Refused || performance.now() > deadline) throw error;
        if (!current.offline) {
          current.offline = true;
          update(store, { message: texts.reconnecting });
        }
        await new Promise((resolve) => setTimeout(resolve, RETRY_PAUSES_MS[Math.min(attempt, RETRY_PAUSES_MS.length - 1)]));
      }
    }
  };

  const release = (current) => {
    clearInterval(current.frameTimer);
    clearInterval(current.clockTimer);
    clearTimeout(current.limitTimer);
    current.stream.getTracks().forEach((track) => {
      track.onended = null;
      track.stop();
    });
    current.source.srcObject = null;
    if (video.current) video.current.srcObject = null;
  };

  const captureFrame = async (current) => {
    const source = current.source;
    if (current.stopping || source.readyState < 2 || !source.videoWidth) return;
    // The time is taken when the picture is drawn, on the same clock as the recording.
    const t = (performance.now() - current.started) / 1000;
    const canvas = document.createElement("canvas");
    canvas.width = data.frameWidth;
    canvas.height = Math.round((source.videoHeight * data.frameWidth) / source.videoWidth);
    canvas.getContext("2d").drawImage(source, 0, 0, canvas.width, canvas.height);
    const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", 0.7));
    if (!blob) return;
    current.frames.push({ t, blob });
    if (current.frames.length > MAX_PENDING_FRAMES) current.frames.shift();
    current.frameSending = current.frameSending.then(() => sendFrames(current));
  };

  // One call at a time, carrying every frame captured since the last one: frames reach the
  // server in time order, and a slow round trip batches them instead of lowering the rate.
  const sendFrames = async (current) => {
    const batch = current.frames.splice(0, current.frames.length);
    if (!batch.length || current.liveFace === false) return;
    try {
      const frames = await Promise.all(batch.map(async ({ t, blob }) => ({ t, jpeg: await toBase64(blob) })));
      const response = await callRetrying(current, "camera_frames", { frames });
      if (response.live === null) current.liveFace = false;
    } catch (error) {
      // Lost frames cost a little face analysis; the recording goes on.
    }
  };

  // Why the recording stopped when the candidate did not stop it; the server's reply says it again,
  // naming the devices that were lost.
  const STOP_MESSAGES = { device_lost: texts.device_lost, limit: texts.limit };

  const finish = async (reason) => {
    const current = store.run;
    if (!current || current.stopping) return;
    current.stopping = true;
    clearTimeout(store.orphanTimer);
    clearTimeout(current.limitTimer);
    update(store, { phase: "sending", message: STOP_MESSAGES[reason] || texts.sending });
    clearInterval(current.frameTimer);
    // A recorder whose tracks ended has already stopped by itself: waiting for a second "stop"
    // event would wait forever.
    if (current.recorder.state !== "inactive") current.recorder.stop();
    await Promise.race([current.stopped, new Promise((resolve) => setTimeout(resolve, STOP_GRACE_MS))]);
    // By now every track that went away with the device has ended too (a webcam takes its microphone).
    const ended = current.stream.getTracks().filter((track) => track.readyState === "ended");
    const lost = reason === "device_lost" ? ended.map((track) => track.kind) : [];
    release(current);
    try {
      // Every piece and frame is on the server before the answer is submitted.
      await current.pieces;
      await current.frameSending;
      const response = await callRetrying(current, "camera_stop", { reason, lost });
      update(store, { phase: "sent", message: response.message || texts.sent, run: null });
    } catch (error) {
      update(store, { phase: "idle", message: String(error.message || error), run: null });
    }
  };
  store.finish = finish;

  // Shown by this recorder, or by the next one Chainlit creates for the same question.
  useEffect(() => {
    const view = () => redraw((n) => n + 1);
    store.views.add(view);
    clearTimeout(store.orphanTimer);
    if (store.run && video.current) {
      video.current.srcObject = store.run.stream;
      video.current.play().catch(() => {});
    }
    return () => {
      store.views.delete(view);
      if (!store.run) return;
      store.orphanTimer = setTimeout(() => {
        if (!store.views.size && store.finish) store.finish("stopped");
      }, ORPHAN_MS);
    };
  }, []);

  const start = async () => {
    update(store, { message: "" });
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia || !window.MediaRecorder) {
      update(store, { message: texts.no_device });
      return;
    }
    update(store, { phase: "starting" });
    let stream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480 }, audio: true });
    } catch (error) {
      const name = error && error.name;
      let message = (texts.failed || "").replace("{error}", String((error && error.message) || error));
      if (name === "NotAllowedError" || name === "SecurityError") message = texts.denied;
      else if (name === "NotFoundError" || name === "OverconstrainedError") message = texts.no_device;
      update(store, { phase: "idle", message });
      return;
    }
    let accepted;
    try {
      accepted = await call("camera_start", {});
    } catch (error) {
      stream.getTracks().forEach((track) => track.stop());
      update(store, { phase: "idle", message: String(error.message || error) });
      return;
    }
    const mimeType = VIDEO_TYPES.find((type) => MediaRecorder.isTypeSupported(type)) || "";
    const recorder = new MediaRecorder(stream, { mimeType, videoBitsPerSecond: 600000 });
    // The frames are drawn from a video element of the store's own, which no re-render replaces.
    const source = document.createElement("video");
    source.muted = true;
    source.playsInline = true;
    source.srcObject = stream;
    source.play().catch(() => {});
    const current = {
      stream,
      recorder,
      source,
      started: 0,
      frames: [],
      frameSending: Promise.resolve(),
      liveFace: accepted.liveFace !== false,
      pieces: Promise.resolve(),
      index: 0,
      stopping: false,
      offline: false,
    };
    current.stopped = new Promise((resolve) => {
      recorder.onstop = resolve;
    });
    recorder.ondataavailable = (event) => {
      if (!event.data || !event.data.size) return;
      const index = current.index++;
      // Pieces go one after the other so the server appends them in order.
      current.pieces = current.pieces.then(async () =>
        callRetrying(current, "camera_chunk", { index, data: await toBase64(event.data) }),
      );
    };
    // A track ends by itself when its device is unplugged, turned off or taken by another app.
    stream.getTracks().forEach((track) => {
      track.onended = () => finish("device_lost");
    });
    if (video.current) {
      video.current.srcObject = stream;
      video.current.play().catch(() => {});
    }
    recorder.start(data.chunkMs);
    current.started = performance.now();
    const limitS = data.maxSeconds - LIMIT_MARGIN_S;
    current.limitTimer = setTimeout(() => finish("limit"), limitS * 1000);
    if (current.liveFace) current.frameTimer = setInterval(() => captureFrame(current), 1000 / data.fps);
    current.clockTimer = setInterval(() => {
      const elapsed = (performance.now() - current.started) / 1000;
      if (Math.floor(elapsed) !== store.seconds) update(store, { seconds: Math.floor(elapsed) });
      if (elapsed >= limitS) finish("limit"); // in case the browser delayed the timer
    }, 500);
    update(store, { run: current, seconds: 0, phase: "recording", message: texts.recording });
  };

  const { phase, message, seconds } = store;
  const recording = phase === "recording";
  return (
    <div className="flex flex-col gap-2" data-camera-recorder={phase}>
      <div className="flex items-center gap-2">
        {recording ? (
          <Button variant="destructive" size="sm" onClick={() => finish("stopped")}>
            <Square className="h-4 w-4" aria-hidden="true" /> {texts.stop} ({seconds} s)
          </Button>
        ) : (
          <Button variant="outline" size="sm" disabled={phase !== "idle"} onClick={start}>
            <Video className="h-4 w-4" aria-hidden="true" /> {texts.start}
          </Button>
        )}
      </div>
      <video
        ref={video}
        muted
        playsInline
        aria-label={texts.self_view}
        className="rounded-md border"
        style={{ width: 160, display: recording ? "block" : "none", transform: "scaleX(-1)" }}
      />
      {message ? (
        <p role={phase === "idle" ? "alert" : "status"} className="text-sm text-muted-foreground">
          {message}
        </p>
      ) : null}
    </div>
  );
}
