// Timestamped evidence of one recorded answer; each timestamp plays the answer's recording from there.
// The recording is the <audio>/<video> element Chainlit shows in the same message.
import { Button } from "@/components/ui/button";

export default function EvidencePlayer() {
  // A reopened thread's elements come back from the chat store with their props as JSON text.
  const data = typeof props === "string" ? JSON.parse(props) : props;
  const items = data.items || [];
  const play = (event, seconds) => {
    const message = event.currentTarget.closest("[data-step-type]") || document;
    const media = message.querySelector("audio, video");
    if (!media) return;
    media.currentTime = seconds;
    const started = media.play();
    if (started && started.catch) started.catch(() => {});
  };
  return (
    <ul className="flex flex-col gap-1 list-none p-0 m-0" aria-label={`Evidence in the ${data.answer} answer`}>
      {items.map((item, index) => (
        <li key={index} className="flex items-start gap-2">
          <Button
            variant="outline"
            size="sm"
            data-seconds={item.seconds}
            aria-label={`Play the ${data.answer} answer from ${item.stamp}`}
            onClick={(event) => play(event, item.seconds)}
          >
            ▶ {item.stamp}
          </Button>
          <span className="text-sm pt-1">{item.text}</span>
        </li>
      ))}
    </ul>
  );
}
