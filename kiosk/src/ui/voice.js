// Voice prompts: the device synthesises speech (POST /kiosk/api/speech, espeak-ng, Mandarin voice) and the
// page plays it with <audio>, so "stop" is pause and "repeat" is play from the start.
import { post } from './api.js';
import { state } from './state.js';

const audio = new Audio();
audio.preload = 'auto';
let lastText = '';
let seq = 0;

export function voiceAvailable() {
  return state.settings.voice?.available === true;
}

export function voiceActive() {
  return voiceAvailable() && state.voice;
}

/** Speak a prompt (replacing whatever is playing). Quietly does nothing when voice is off or unavailable. */
export async function say(text) {
  if (!text) return;
  lastText = text;
  if (!voiceActive()) return;
  const my = ++seq;
  try {
    const { url } = await post('/kiosk/api/speech', { text: text.slice(0, 1000), lang: state.lang });
    if (my !== seq || !voiceActive()) return;
    audio.src = url;
    audio.currentTime = 0;
    await audio.play();
  } catch {
    // Speech is a help, never a blocker: a failed synthesis or a blocked autoplay leaves the screen as it is.
  }
}

/** Voice prompt volume, percent (remote setting audio.volume); applies to what plays now too. */
export function setVolume(percent) {
  const v = Number(percent);
  if (Number.isFinite(v)) audio.volume = Math.min(1, Math.max(0, v / 100));
}

export function stop() {
  seq++;
  audio.pause();
}

export function repeat() {
  if (audio.src && !audio.error) {
    audio.currentTime = 0;
    void audio.play().catch(() => {});
  } else void say(lastText);
}

export function lastSpoken() {
  return lastText;
}

export function voiceAudio() {
  return audio;
}
