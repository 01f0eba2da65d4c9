// Records a camera answer in the room (see ui/chainlit/camera.py): a small muted self-view,
// MediaRecorder (WebM, audio + video) sent in one-second pieces, and 320-px JPEG frames at a
// few per second for the face analysis that runs on this server while the candidate speaks.
// Every text comes from the server (props.texts).
import { useEffect, useRef, useState } from "react";
import { Button } from "@/components/ui/button";
import { Square, Video } from "lucide-react";

const VIDEO_TYPES = ["video/webm;codecs=vp8,opus", "video/webm;codecs=vp9,opus", "video/webm"];

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

export default function CameraRecorder() {
  // A reopened thread's elements come back from the chat store with their props as JSON text.
  const data = typeof props === "string" ? JSON.parse(props) : props;
  const texts = data.texts || {};
  const [phase, setPhase] = useState("idle"); // idle | starting | recording | sending | sent
  const [message, setMessage] = useState("");
  const [seconds, setSeconds] = useState(0);
  const video = useRef(null);
  const run = useRef(null);

  const call = async (name, payload) => {
    const reply = await callAction({ name, payload: { questionId: data.questionId, ...payload } });
    const response = reply && reply.response;
    if (response && response.ok === false) throw new Error(response.message);
    return response || {};
  };

  const release = () => {
    const current = run.current;
    if (!current) return;
    clearInterval(current.frameTimer);
    clearInterval(current.clockTimer);
    current.stream.getTracks().forEach((track) => track.stop());
    if (video.current) video.current.srcObject = null;
  };

  useEffect(() => () => {
    const current = run.current;
    if (current && current.recorder.state !== "inactive") current.recorder.stop();
    release();
  }, []);

  const sendFrame = async (current) => {
    const source = video.current;
    if (current.framePending || !source || source.readyState < 2 || !source.videoWidth) return;
    current.framePending = true;
    try {
      const canvas = current.canvas;
      canvas.width = data.frameWidth;
      canvas.height = Math.round((source.videoHeight * data.frameWidth) / source.videoWidth);
      canvas.getContext("2d").drawImage(source, 0, 0, canvas.width, canvas.height);
      const t = (performance.now() - current.started) / 1000;
      const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", 0.7));
      if (blob && !current.stopping) await call("camera_frame", { t, jpeg: await toBase64(blob) });
    } catch (error) {
      // A lost frame costs a fifth of a second of face analysis; the recording goes on.
    } finally {
      current.framePending = false;
    }
  };

  const finish = async (reason) => {
    const current = run.current;
    if (!current || current.stopping) return;
    current.stopping = true;
    setPhase("sending");
    setMessage(reason === "device_lost" ? texts.device_lost : texts.sending);
    const stopped = new Promise((resolve) => {
      current.recorder.onstop = resolve;
    });
    if (current.recorder.state !== "inactive") current.recorder.stop();
    await stopped;
    release();
    try {
      await current.pieces; // every piece is on the server before the answer is submitted
      await call("camera_stop", { reason });
      setPhase("sent");
      setMessage(texts.sent);
    } catch (error) {
      setPhase("idle");
      setMessage(String(error.message || error));
    }
  };

  const start = async () => {
    setMessage("");
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia || !window.MediaRecorder) {
      setMessage(texts.no_device);
      return;
    }
    setPhase("starting");
    let stream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480 }, audio: true });
    } catch (error) {
      setPhase("idle");
      const name = error && error.name;
      if (name === "NotAllowedError" || name === "SecurityError") setMessage(texts.denied);
      else if (name === "NotFoundError" || name === "OverconstrainedError") setMessage(texts.no_device);
      else setMessage((texts.failed || "").replace("{error}", String((error && error.message) || error)));
      return;
    }
    try {
      await call("camera_start", {});
    } catch (error) {
      stream.getTracks().forEach((track) => track.stop());
      setPhase("idle");
      setMessage(String(error.message || error));
      return;
    }
    const mimeType = VIDEO_TYPES.find((type) => MediaRecorder.isTypeSupported(type)) || "";
    const recorder = new MediaRecorder(stream, { mimeType, videoBitsPerSecond: 600000 });
    const current = {
      stream,
      recorder,
      started: performance.now(),
      canvas: document.createElement("canvas"),
      pieces: Promise.resolve(),
      index: 0,
      stopping: false,
      framePending: false,
    };
    run.current = current;
    recorder.ondataavailable = (event) => {
      if (!event.data || !event.data.size) return;
      const index = current.index++;
      // Pieces go one after the other so the server appends them in order.
      current.pieces = current.pieces.then(async () => call("camera_chunk", { index, data: await toBase64(event.data) }));
    };
    stream.getTracks().forEach((track) => {
      track.onended = () => finish("device_lost");
    });
    if (video.current) {
      video.current.srcObject = stream;
      video.current.play().catch(() => {});
    }
    recorder.start(data.chunkMs);
    current.frameTimer = setInterval(() => sendFrame(current), 1000 / data.fps);
    current.clockTimer = setInterval(() => {
      const elapsed = (performance.now() - current.started) / 1000;
      setSeconds(Math.floor(elapsed));
      if (elapsed >= data.maxSeconds) finish("limit");
    }, 500);
    setSeconds(0);
    setPhase("recording");
    setMessage(texts.recording);
  };

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
