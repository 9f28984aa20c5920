"""The browser-playable rendition: H.264 (+AAC) in MP4 with the index at the front.

A file that already holds H.264 (8-bit 4:2:0, at most 1920 px) and AAC is remuxed: packets are copied,
which takes seconds even for an hour of video. Anything else (HEVC from iPhones, VP9 WebM, MJPEG AVI,
3GP with AMR audio) is transcoded, one stream at a time: H.264 video that fits is still copied when
only the audio needs converting. Presentation timestamps are kept as they are (variable frame rate
included), so a time in the rendition is the same moment as in the original, and the display rotation
travels as metadata, which every current browser applies.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction

import av

from vib.media.errors import MediaError
from vib.media.probe import ClipFacts

MAX_LONG_SIDE = 1920
_BROWSER_PIX_FMTS = ("yuv420p", "yuvj420p")
_X264_OPTIONS = {"preset": "veryfast", "crf": "23"}
_AUDIO_RATES = (44100, 48000)

Progress = Callable[[float], None]


def needs_transcoding(facts: ClipFacts) -> bool:
    return not _video_fits(facts) or not _audio_fits(facts)


def _video_fits(facts: ClipFacts) -> bool:
    return facts.video_codec == "h264" and facts.pix_fmt in _BROWSER_PIX_FMTS and max(facts.width, facts.height) <= MAX_LONG_SIDE


def _audio_fits(facts: ClipFacts) -> bool:
    return not facts.has_audio or facts.audio_codec == "aac"


def scaled_size(width: int, height: int, long_side: int = MAX_LONG_SIDE) -> tuple[int, int]:
    """Even dimensions no larger than the source, with the long side capped."""
    scale = min(1.0, long_side / max(width, height))
    return max(2, round(width * scale / 2) * 2), max(2, round(height * scale / 2) * 2)


def open_mp4(dst: str) -> av.container.OutputContainer:
    """An MP4 for writing, its index (moov) moved to the front when it closes."""
    return av.open(str(dst), "w", format="mp4", options={"movflags": "+faststart"})


def add_h264_stream(out, width: int, height: int, time_base: Fraction, rate, rotation: int = 0):
    """A browser-playable H.264 stream (yuv420p) that keeps timestamps in `time_base` exactly."""
    stream = out.add_stream("libx264", rate=rate)
    stream.width, stream.height = width, height
    stream.pix_fmt = "yuv420p"
    # The input's time base, not an average rate: variable-rate timestamps must survive exactly.
    stream.time_base = time_base
    stream.codec_context.time_base = time_base
    stream.options = dict(_X264_OPTIONS)
    stream.thread_type = "AUTO"
    if rotation:
        stream.set_display_rotation(rotation)
    return stream


def aac_rate(rate: int) -> int:
    """The sample rate an AAC rendition keeps: the source's when common, else 48 kHz."""
    return rate if rate in _AUDIO_RATES else 48000


class AacWriter:
    """Encodes audio frames of any format to AAC, numbering samples on from `first_sample`."""

    def __init__(self, out, rate: int, layout: str, first_sample: int = 0) -> None:
        self.out = out
        self.rate = rate
        self.stream = out.add_stream("aac", rate=rate)
        self.stream.layout = layout
        self.resampler = av.AudioResampler(format="fltp", layout=layout, rate=rate, frame_size=1024)
        self.samples = first_sample

    def write(self, frame: av.AudioFrame | None) -> None:
        """Encode one frame; None flushes the resampler (call finish() after)."""
        for piece in self.resampler.resample(frame):
            piece.pts, piece.time_base = self.samples, Fraction(1, self.rate)
            self.samples += piece.samples
            self.out.mux(self.stream.encode(piece))

    def finish(self) -> None:
        self.write(None)
        self.out.mux(self.stream.encode(None))


def make_playable(src: str, dst: str, facts: ClipFacts, progress: Progress | None = None) -> None:
    """Write the rendition of `src` to `dst` (an .mp4 path), reporting progress from 0 to 1."""
    report = progress or (lambda fraction: None)
    try:
        with av.open(str(src)) as source, open_mp4(dst) as out:
            _convert(source, out, facts, report)
    except av.FFmpegError as exc:
        raise MediaError("conversion_failed", str(exc)) from exc
    report(1.0)


def _convert(source, out, facts: ClipFacts, report: Progress) -> None:
    video_in = source.streams.video[0]
    audio_in = source.streams.audio[0] if source.streams.audio else None
    video = _Copy(video_in, out) if _video_fits(facts) else _VideoTranscode(video_in, out, facts)
    audio = None
    if audio_in is not None:
        audio = _Copy(audio_in, out) if _audio_fits(facts) else _AudioTranscode(audio_in, out)
    by_index = {video_in.index: video, **({audio_in.index: audio} if audio_in is not None else {})}
    # Floats, not Fractions: this loop runs once per packet.
    seconds_per_tick = float(video_in.time_base) / max(facts.duration_ms / 1000, 0.001)
    start = video_in.start_time or 0
    next_report = 0.01
    for packet in source.demux([s for s in (video_in, audio_in) if s is not None]):
        index = packet.stream.index
        by_index[index].feed(packet)
        if index == video_in.index and packet.pts is not None:
            fraction = (packet.pts - start) * seconds_per_tick
            if fraction >= next_report:
                report(min(fraction, 1.0))
                next_report = fraction + 0.01
    video.finish()
    if audio is not None:
        audio.finish()


class _Copy:
    def __init__(self, stream_in, out) -> None:
        self.stream = out.add_stream_from_template(stream_in)
        self.out = out

    def feed(self, packet) -> None:
        if packet.dts is None:  # demuxer flush packet
            return
        packet.stream = self.stream
        self.out.mux(packet)

    def finish(self) -> None:
        pass


class _VideoTranscode:
    def __init__(self, stream_in, out, facts: ClipFacts) -> None:
        stored_w, stored_h = stream_in.codec_context.width, stream_in.codec_context.height
        self.width, self.height = scaled_size(stored_w, stored_h)
        self.out = out
        rate = stream_in.average_rate or stream_in.guessed_rate or 30
        self.stream = add_h264_stream(out, self.width, self.height, stream_in.time_base, rate, facts.rotation)
        stream_in.thread_type = "AUTO"

    def feed(self, packet) -> None:
        for frame in packet.decode():
            if frame.pts is None:
                continue
            picture = frame.reformat(self.width, self.height, format="yuv420p", interpolation="AREA")
            picture.pts, picture.time_base = frame.pts, frame.time_base
            self.out.mux(self.stream.encode(picture))

    def finish(self) -> None:
        self.out.mux(self.stream.encode(None))


class _AudioTranscode:
    def __init__(self, stream_in, out) -> None:
        layout = "stereo" if stream_in.codec_context.channels >= 2 else "mono"
        rate = aac_rate(stream_in.codec_context.sample_rate)
        start = stream_in.start_time * stream_in.time_base if stream_in.start_time else Fraction(0)
        self.writer = AacWriter(out, rate, layout, first_sample=round(start * rate))

    def feed(self, packet) -> None:
        for frame in packet.decode():
            self.writer.write(frame)

    def finish(self) -> None:
        self.writer.finish()
