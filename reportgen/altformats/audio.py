"""The audio version: the document read aloud by espeak-ng in a British English voice,
encoded as MP3 by lame, with ID3 tags and a chapter list (CHAP and CTOC frames) so a
listener can skip from section to section.

Each chapter (the opening, then one per top-level section) is spoken into its own WAV;
the WAVs are joined with a pause between sections, and each chapter's start time is the
sum of the lengths of the audio actually made before it, not an estimate. Every chapter
opens with its heading spoken. Numbers, phone numbers and years are rewritten into words
first (:mod:`speech`), so they are read as a person would say them.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import wave
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from reportgen.altformats.linear import TextBlock
from reportgen.altformats.speech import to_speech
from reportgen.errors import RenderError
from reportgen.fsutil import atomic_path

# espeak-ng's "en-gb" is the voice its English pronunciation rules were written for (its author
# is British; en-gb-x-rp, -gbclan and -gbcwmd are accent variants derived from it by phoneme
# substitution, and Debian ships no MBROLA British voice in main). It is the clearest British
# English voice on a stock Debian system.
VOICE = "en-gb"
# espeak-ng's -s speed; measured on the demo leaflet this gives about 150-160 spoken words a
# minute over the whole file, pauses included (tests/test_audio_chapters.py measures it).
SPEED = 180
SECTION_PAUSE_S = 1.5  # silence between chapters: a listener hears a section end
WORDS_PER_MINUTE_RANGE = (150.0, 160.0)  # a comfortable listening rate for synthetic speech


@dataclass(frozen=True)
class AudioTags:
    title: str
    artist: str  # the partnership
    album: str  # e.g. "Community safety leaflet"
    year: str
    comment: str = ""


@dataclass(frozen=True)
class Chapter:
    title: str
    blocks: tuple[TextBlock, ...]


def chapters(blocks: list[TextBlock]) -> list[Chapter]:
    """The opening (title, contents) and then one chapter per top-level section."""
    out: list[Chapter] = []
    title = next((b.text for b in blocks if b.kind == "title"), "Introduction")
    current_title = title
    current: list[TextBlock] = []
    for b in blocks:
        if b.kind == "heading" and b.level <= 1:
            if current:
                out.append(Chapter(current_title, tuple(current)))
            current_title, current = b.text, []
        current.append(b)
    if current:
        out.append(Chapter(current_title, tuple(current)))
    return out


def chapter_script(chapter: Chapter, *, contents: list[str] | None = None) -> str:
    """The SSML espeak-ng reads for one chapter, in spoken words. The opening chapter lists
    the parts so a listener knows what is coming and that they can skip."""
    parts: list[str] = []
    for b in chapter.blocks:
        text = escape(to_speech(b.text))
        if b.kind in ("title", "heading"):
            parts.append(f'<p>{text}.</p><break time="700ms"/>')
        else:
            parts.append(f"<p>{text}</p>")
        if b.kind == "title" and contents:
            listed = "; ".join(escape(to_speech(h)) for h in contents)
            parts.append(f'<p>This recording has {len(contents)} parts: {listed}.</p><break time="800ms"/>')
    return '<speak xml:lang="en-GB">' + "\n".join(parts) + "</speak>"


def script(blocks: list[TextBlock]) -> str:
    """All the words spoken, chapter after chapter (for counting and checking)."""
    found = chapters(blocks)
    contents = [c.title for c in found[1:]]
    return "\n".join(chapter_script(c, contents=contents if i == 0 else None) for i, c in enumerate(found))


def _need(tool: str, package: str) -> str:
    exe = shutil.which(tool)
    if exe is None:
        raise RenderError(f"the audio version needs {tool}, which is not installed", hint=f"apt-get install {package}")
    return exe


def _speak(espeak: str, ssml: str, wav: Path, speed: int) -> None:
    src = wav.with_suffix(".ssml")
    src.write_text(ssml, encoding="utf-8")
    run = subprocess.run([espeak, "-v", VOICE, "-s", str(speed), "-m", "-f", str(src), "-w", str(wav)],
                         capture_output=True, text=True, check=False)
    if run.returncode != 0 or not wav.exists():
        raise RenderError(f"espeak-ng failed: {run.stderr.strip()[:200]}")


def _join(wavs: list[Path], dest: Path, pause_s: float) -> list[tuple[int, int]]:
    """Concatenate WAVs with silence between; returns each part's (start, end) in ms."""
    spans: list[tuple[int, int]] = []
    with wave.open(str(wavs[0]), "rb") as first:
        params = first.getparams()
    silence = b"\0" * (int(params.framerate * pause_s) * params.sampwidth * params.nchannels)
    frames_done = 0
    with wave.open(str(dest), "wb") as out:
        out.setparams(params)
        for i, path in enumerate(wavs):
            if i:
                out.writeframes(silence)
                frames_done += len(silence) // (params.sampwidth * params.nchannels)
            with wave.open(str(path), "rb") as part:
                if (part.getframerate(), part.getsampwidth(), part.getnchannels()) != (
                    params.framerate, params.sampwidth, params.nchannels
                ):
                    raise RenderError(f"espeak-ng wrote {path.name} in a different format from the first part")
                n = part.getnframes()
                out.writeframes(part.readframes(n))
            start = frames_done * 1000 // params.framerate
            frames_done += n
            spans.append((start, frames_done * 1000 // params.framerate))
    return spans


def _tag_chapters(mp3: Path, titles: list[str], spans: list[tuple[int, int]]) -> None:
    from mutagen.id3 import CHAP, CTOC, ID3, TIT2, CTOCFlags

    tags = ID3(str(mp3))
    ids = [f"chp{i}" for i in range(len(titles))]
    tags.add(CTOC(element_id="toc", flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED, child_element_ids=ids,
                  sub_frames=[TIT2(text=["Contents"])]))
    for element, title, (start, end) in zip(ids, titles, spans, strict=True):
        tags.add(CHAP(element_id=element, start_time=start, end_time=end, sub_frames=[TIT2(text=[title])]))
    tags.save(str(mp3), v2_version=3)


def render_mp3(blocks: list[TextBlock], dest: Path, tags: AudioTags, *, speed: int = SPEED) -> Path:
    """Speak ``blocks`` into a chaptered MP3 at ``dest`` (written atomically)."""
    espeak = _need("espeak-ng", "espeak-ng")
    lame = _need("lame", "lame")
    found = chapters(blocks)
    if not found:
        raise RenderError("the audio version has nothing to say: the document has no text")
    contents = [c.title for c in found[1:]]
    with tempfile.TemporaryDirectory(prefix="reportgen-audio-") as tmp:
        wavs = []
        for i, chapter in enumerate(found):
            wav = Path(tmp) / f"part{i:03d}.wav"
            _speak(espeak, chapter_script(chapter, contents=contents if i == 0 else None), wav, speed)
            wavs.append(wav)
        whole = Path(tmp) / "speech.wav"
        spans = _join(wavs, whole, SECTION_PAUSE_S)
        with atomic_path(dest) as tmp_mp3:
            enc = subprocess.run(
                [lame, "--quiet", "-m", "m", "-b", "64", "--add-id3v2",
                 "--tt", tags.title, "--ta", tags.artist, "--tl", tags.album, "--ty", tags.year,
                 "--tc", tags.comment, "--tg", "Speech", str(whole), str(tmp_mp3)],
                capture_output=True, text=True, check=False,
            )
            if enc.returncode != 0:
                raise RenderError(f"lame failed: {enc.stderr.strip()[:200]}")
            _tag_chapters(Path(tmp_mp3), [c.title for c in found], spans)
    return dest
