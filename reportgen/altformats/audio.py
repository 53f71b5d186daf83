"""The audio version: the document read aloud by espeak-ng in a British English voice,
encoded as MP3 by lame with ID3 tags.

It opens with a short spoken contents (the section headings), then reads each block
with a pause after headings. Numbers, phone numbers and years are rewritten into words
first (:mod:`speech`), so they are read as a person would say them.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from reportgen.altformats.linear import TextBlock
from reportgen.altformats.speech import to_speech
from reportgen.errors import RenderError
from reportgen.fsutil import atomic_path

VOICE = "en-gb"
WORDS_PER_MINUTE = 150  # espeak-ng's default is 175; slower is easier to follow


@dataclass(frozen=True)
class AudioTags:
    title: str
    artist: str  # the partnership
    album: str  # e.g. "Community safety leaflet"
    year: str
    comment: str = ""


def script(blocks: list[TextBlock]) -> str:
    """The SSML espeak-ng reads: contents first, then every block, in spoken words."""
    title = next((b.text for b in blocks if b.kind == "title"), "")
    headings = [b.text for b in blocks if b.kind == "heading" and b.level == 1]
    parts = [f"<p>{escape(to_speech(title))}.</p>"] if title else []
    if headings:
        listed = "; ".join(escape(to_speech(h)) for h in headings)
        parts.append(f"<p>This recording has {len(headings)} parts: {listed}.</p><break time=\"800ms\"/>")
    for b in blocks:
        if b.kind == "title":
            continue
        text = escape(to_speech(b.text))
        if b.kind == "heading":
            parts.append(f'<break time="600ms"/><p>{text}.</p><break time="400ms"/>')
        else:
            parts.append(f"<p>{text}</p>")
    return '<speak xml:lang="en-GB">' + "\n".join(parts) + "</speak>"


def _need(tool: str, package: str) -> str:
    exe = shutil.which(tool)
    if exe is None:
        raise RenderError(f"the audio version needs {tool}, which is not installed", hint=f"apt-get install {package}")
    return exe


def render_mp3(blocks: list[TextBlock], dest: Path, tags: AudioTags, *, rate: int = WORDS_PER_MINUTE) -> Path:
    """Speak ``blocks`` into an MP3 at ``dest`` (written atomically)."""
    espeak = _need("espeak-ng", "espeak-ng")
    lame = _need("lame", "lame")
    with tempfile.TemporaryDirectory(prefix="reportgen-audio-") as tmp:
        ssml = Path(tmp) / "script.ssml"
        wav = Path(tmp) / "speech.wav"
        ssml.write_text(script(blocks), encoding="utf-8")
        run = subprocess.run(
            [espeak, "-v", VOICE, "-s", str(rate), "-m", "-f", str(ssml), "-w", str(wav)],
            capture_output=True, text=True, check=False,
        )
        if run.returncode != 0 or not wav.exists():
            raise RenderError(f"espeak-ng failed: {run.stderr.strip()[:200]}")
        with atomic_path(dest) as tmp_mp3:
            enc = subprocess.run(
                [lame, "--quiet", "-m", "m", "-b", "64", "--add-id3v2",
                 "--tt", tags.title, "--ta", tags.artist, "--tl", tags.album, "--ty", tags.year,
                 "--tc", tags.comment, "--tg", "Speech", str(wav), str(tmp_mp3)],
                capture_output=True, text=True, check=False,
            )
            if enc.returncode != 0:
                raise RenderError(f"lame failed: {enc.stderr.strip()[:200]}")
    return dest
