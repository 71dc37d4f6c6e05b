"""media: probing, frame timestamps from the stream, audio on the clip timeline."""

from __future__ import annotations

import numpy as np
import pytest
from clipgen import tone, write_video

from ava_detect import media
from ava_detect.errors import InputError


def test_variable_frame_rate_clip_keeps_its_own_timestamps(tmp_path):
    # Alternating 40 ms and 80 ms frame spacing: index / fps would be wrong from frame 2 on.
    times = [0.0]
    for i in range(29):
        times.append(times[-1] + (0.04 if i % 2 == 0 else 0.08))
    clip = write_video(tmp_path / "vfr.mp4", times)

    info = media.probe(clip)
    assert info.variable_frame_rate is True
    assert info.frame_count == 30
    assert info.fps == pytest.approx(29 / times[-1], rel=1e-3)

    frames = list(media.iter_frames(clip))
    assert [f.index for f in frames] == list(range(30))
    np.testing.assert_allclose([f.t_s for f in frames], times, atol=1e-3)
    # The picture matches its timestamp: frame i was drawn with grey level 10 + 10 i.
    assert frames[7].rgb.mean() == pytest.approx(80, abs=3)


def test_constant_rate_clip_is_not_flagged_variable(tmp_path):
    clip = write_video(tmp_path / "cfr.mp4", [i / 25 for i in range(50)])
    info = media.probe(clip)
    assert info.variable_frame_rate is False
    assert info.fps == pytest.approx(25.0, rel=1e-3)
    assert info.duration_s == pytest.approx(2.0, abs=1e-3)
    assert (info.width, info.height, info.rotation) == (96, 64, 0)
    assert info.has_audio is False
    assert len(info.sha256) == 64


def test_video_that_starts_late_is_placed_on_the_audio_timeline(tmp_path):
    # Audio from 0 s, first video frame at 0.5 s: frame times must say 0.5, not 0.
    audio = tone(440, 2.0)
    clip = write_video(tmp_path / "late.mp4", [0.5 + i / 25 for i in range(25)], audio=audio)
    info = media.probe(clip)
    assert info.start_s == pytest.approx(0.5, abs=0.002)
    frames = list(media.iter_frames(clip))
    assert frames[0].t_s == pytest.approx(0.5, abs=0.002)
    assert frames[-1].t_s == pytest.approx(0.5 + 24 / 25, abs=0.002)


def test_audio_tone_reads_back_with_its_frequency_and_onset(tmp_path):
    sr = 16000
    audio = tone(440, 3.0, sr=sr, start_s=1.0)
    clip = write_video(tmp_path / "tone.mp4", [i / 25 for i in range(75)], audio=audio)
    info = media.probe(clip)
    assert info.has_audio and info.audio_sample_rate == sr and info.audio_channels == 1

    samples = media.read_audio(clip, sr=sr)
    assert samples.dtype == np.float32
    assert len(samples) / sr == pytest.approx(3.0, abs=0.1)
    loud = samples[int(1.5 * sr) : int(2.5 * sr)]
    spectrum = np.abs(np.fft.rfft(loud * np.hanning(len(loud))))
    peak_hz = np.argmax(spectrum) * sr / len(loud)
    assert peak_hz == pytest.approx(440, abs=2)
    assert np.sqrt(np.mean(loud**2)) == pytest.approx(0.5 / np.sqrt(2), rel=0.1)
    # The tone starts at 1.0 s on the clip's timeline (AAC priming must not shift it).
    envelope = np.abs(samples)
    onset_s = np.argmax(envelope > 0.1) / sr
    assert onset_s == pytest.approx(1.0, abs=0.01)


def test_audio_resampled_to_another_rate(tmp_path):
    clip = write_video(
        tmp_path / "tone.mp4",
        [i / 25 for i in range(25)],
        audio=tone(1000, 1.0, sr=44100),
        audio_sr=44100,
    )
    samples = media.read_audio(clip, sr=8000)
    spectrum = np.abs(np.fft.rfft(samples[2000:6000]))
    assert np.argmax(spectrum) * 8000 / 4000 == pytest.approx(1000, abs=3)


def test_clip_without_audio_has_no_audio(tmp_path):
    clip = write_video(tmp_path / "silent.mp4", [i / 25 for i in range(10)])
    assert media.probe(clip).has_audio is False
    with pytest.raises(InputError, match="no audio stream"):
        media.read_audio(clip)


def test_downscale_keeps_aspect_and_even_sizes(tmp_path):
    clip = write_video(tmp_path / "big.mp4", [i / 25 for i in range(3)], size=(640, 360))
    frame = next(media.iter_frames(clip, max_side=320))
    assert frame.rgb.shape == (180, 320, 3)


def test_read_frame_at_returns_the_frame_on_screen(tmp_path):
    times = [i / 10 for i in range(20)]  # 10 fps
    clip = write_video(tmp_path / "seek.mp4", times)
    frame = media.read_frame_at(clip, 1.23)
    assert frame.t_s == pytest.approx(1.2, abs=1e-3)
    assert frame.rgb.mean() == pytest.approx(10 + 12 * 10, abs=3)


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"", "empty"), (b"this is not a video at all\n" * 10, "not a video file")],
)
def test_unreadable_files_raise_clear_input_errors(tmp_path, content, message):
    path = tmp_path / "clip.mp4"
    path.write_bytes(content)
    with pytest.raises(InputError, match=message):
        media.probe(path)


def test_missing_file_and_audio_only_file(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        media.probe(tmp_path / "nope.mp4")
    import av

    audio_only = tmp_path / "voice.m4a"
    with av.open(str(audio_only), "w") as out:
        stream = out.add_stream("aac", rate=16000, layout="mono")
        frame = av.AudioFrame.from_ndarray(tone(300, 0.5)[None, :], format="flt", layout="mono")
        frame.sample_rate = 16000
        frame.pts = 0
        out.mux(stream.encode(frame))
        out.mux(stream.encode())
    with pytest.raises(InputError, match="no video stream"):
        media.probe(audio_only)
