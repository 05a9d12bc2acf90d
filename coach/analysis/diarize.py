"""Tell two voices apart in a mono call: spectral voice features of each stretch of speech,
clustered into two. With the optional ``[diarize]`` extra (resemblyzer) its voice
embeddings are used instead; see OFFLINE-MODELS.md for how well each does.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

from coach.analysis.audio import SAMPLE_RATE
from coach.analysis.transcript import Word

CHUNK_PAUSE_S = 0.3  # a pause this long may be a change of speaker
MIN_CHUNK_S = 0.25
FRAME = 400  # 25 ms at 16 kHz
HOP = 160  # 10 ms
BANDS = 24
PITCH_WEIGHT = 5.0


def _band_edges() -> Any:
    import numpy as np

    # log-spaced bands between 80 Hz and 7.6 kHz, in FFT bins of a 512-point frame
    hz = np.geomspace(80, 7600, BANDS + 1)
    return np.clip((hz / (SAMPLE_RATE / 2) * 256).astype(int), 1, 256)


def voice_features(samples: Any) -> Any:
    """Mean and spread of log band energies, plus a pitch estimate, for one stretch."""
    import numpy as np

    if len(samples) < FRAME:
        samples = np.pad(samples, (0, FRAME - len(samples)))
    frames = np.lib.stride_tricks.sliding_window_view(samples, FRAME)[::HOP]
    window = np.hanning(FRAME)
    spectrum = np.abs(np.fft.rfft(frames * window, n=512)) ** 2
    edges = _band_edges()
    bands = np.stack(
        [spectrum[:, a:b].sum(axis=1) + 1e-10 for a, b in itertools.pairwise(edges)],
        axis=1,
    )
    logs = np.log(bands)
    energy = logs.sum(axis=1)
    voiced = logs[energy > np.percentile(energy, 40)] if len(logs) > 4 else logs
    pitch = _pitch(samples)
    return np.concatenate([voiced.mean(axis=0), voiced.std(axis=0), [pitch]])


def _pitch(samples: Any) -> float:
    """Median fundamental frequency over voiced 40 ms frames (normalised autocorrelation,
    60–400 Hz), in log Hz; 0 when nothing is voiced."""
    import numpy as np

    size, hop = 640, 160
    low, high = SAMPLE_RATE // 400, SAMPLE_RATE // 60
    if len(samples) < size:
        return 0.0
    frames = np.lib.stride_tricks.sliding_window_view(samples, size)[::hop]
    frames = frames - frames.mean(axis=1, keepdims=True)
    energy = (frames**2).sum(axis=1)
    keep = energy > max(1e-6, float(np.percentile(energy, 50)) * 0.5)
    lags = []
    for frame in frames[keep]:
        spectrum = np.fft.rfft(frame, n=2 * size)
        corr = np.fft.irfft(spectrum * np.conj(spectrum))[:size]
        if corr[0] <= 0:
            continue
        corr = corr / corr[0]
        lag = int(np.argmax(corr[low:high])) + low
        if corr[lag] > 0.5:
            lags.append(lag)
    if not lags:
        return 0.0
    return float(np.log(SAMPLE_RATE / float(np.median(lags))))


def _embeddings(audio: Any, chunks: Sequence[Sequence[Word]]) -> Any:
    import numpy as np

    try:  # optional extra: real speaker embeddings when resemblyzer is installed
        from resemblyzer import VoiceEncoder

        encoder = VoiceEncoder("cpu", verbose=False)
        vectors = [encoder.embed_utterance(_slice(audio, c)) for c in chunks]
        return np.stack(vectors)
    except ImportError:
        pass
    return np.stack([voice_features(_slice(audio, c)) for c in chunks])


def _slice(audio: Any, words: Sequence[Word]) -> Any:
    start = max(0, int(words[0].start * SAMPLE_RATE))
    end = min(len(audio), int(words[-1].end * SAMPLE_RATE) + 1)
    return audio[start:end]


def two_means(points: Any, iterations: int = 30, weights: Any = None) -> tuple[Any, float]:
    """k-means with k=2 from the two farthest points; labels and a 0–1 separation."""
    import numpy as np

    if len(points) < 2:
        return np.zeros(len(points), dtype=int), 0.0
    mean, spread = points.mean(axis=0), points.std(axis=0) + 1e-6
    z = (points - mean) / spread
    if weights is not None:
        z = z * weights
    first = int(np.argmax(np.linalg.norm(z - z.mean(axis=0), axis=1)))
    second = int(np.argmax(np.linalg.norm(z - z[first], axis=1)))
    centres = np.stack([z[first], z[second]])
    labels = np.zeros(len(z), dtype=int)
    for _ in range(iterations):
        distances = np.linalg.norm(z[:, None, :] - centres[None, :, :], axis=2)
        labels = distances.argmin(axis=1)
        if len(set(labels.tolist())) < 2:
            break
        updated = np.stack([z[labels == k].mean(axis=0) for k in (0, 1)])
        if np.allclose(updated, centres):
            break
        centres = updated
    if len(set(labels.tolist())) < 2:
        return labels, 0.0
    within = np.mean([np.linalg.norm(z[labels == k] - centres[k], axis=1).mean() for k in (0, 1)])
    between = float(np.linalg.norm(centres[0] - centres[1]))
    separation = between / (between + 2 * float(within) + 1e-9)
    return labels, separation


def speech_segments(
    audio: Any, min_silence_s: float = 0.25, min_speech_s: float = 0.15
) -> list[tuple[int, int]]:
    """(start, end) sample ranges of speech, cut at silences found from frame energy."""
    import numpy as np

    frame = SAMPLE_RATE // 50  # 20 ms
    count = len(audio) // frame
    if count == 0:
        return []
    energy = np.sqrt(np.mean(audio[: count * frame].reshape(count, frame) ** 2, axis=1))
    floor = float(np.percentile(energy, 10))
    threshold = max(floor * 4, float(np.percentile(energy, 90)) * 0.05, 1e-4)
    loud = energy > threshold
    segments: list[tuple[int, int]] = []
    start: int | None = None
    quiet = 0
    gap = int(min_silence_s * 50)
    for i, is_loud in enumerate(loud):
        if is_loud:
            if start is None:
                start = i
            quiet = 0
        elif start is not None:
            quiet += 1
            if quiet >= gap:
                segments.append((start, i - quiet + 1))
                start, quiet = None, 0
    if start is not None:
        segments.append((start, count))
    shortest = int(min_speech_s * 50)
    return [(a * frame, b * frame) for a, b in segments if b - a >= shortest]


SHORT_SEGMENT_S = 0.5  # "Да," / "Yes," — too short to trust its own voice features


def _smooth_short(segments: Sequence[tuple[int, int]], labels: Any) -> Any:
    """A short stretch belongs with the neighbour it is closer to in time: "Да, удобно"
    is one speaker even when "Да" alone sounds different."""
    out = labels.copy()
    for i, (start, end) in enumerate(segments):
        if (end - start) / SAMPLE_RATE >= SHORT_SEGMENT_S:
            continue
        gaps = []
        if i > 0:
            gaps.append((start - segments[i - 1][1], i - 1))
        if i + 1 < len(segments):
            gaps.append((segments[i + 1][0] - end, i + 1))
        gaps = [
            (gap, j)
            for gap, j in gaps
            if (segments[j][1] - segments[j][0]) / SAMPLE_RATE >= SHORT_SEGMENT_S
        ]
        if gaps:
            out[i] = labels[min(gaps)[1]]
    return out


def split_voices(
    audio: Any, turns: Sequence[tuple[int, list[Word]]], pause_s: float = 1.5
) -> tuple[list[tuple[int, list[Word]]], float]:
    """Re-split a mono channel's words by voice: (voice 0/1, words) in time order, and a
    0–1 confidence that two voices were told apart.

    Stretches of speech between silences are clustered by voice; each word takes the
    voice of the stretch it falls in.
    """
    import numpy as np

    words = sorted((w for _, ws in turns for w in ws), key=lambda w: w.start)
    segments = speech_segments(audio)
    if len(segments) < 2 or not words:
        return [(0, list(ws)) for _, ws in turns], 0.0
    try:
        from resemblyzer import VoiceEncoder

        encoder = VoiceEncoder("cpu", verbose=False)
        features = np.stack([encoder.embed_utterance(audio[a:b]) for a, b in segments])
    except ImportError:
        features = np.stack([voice_features(audio[a:b]) for a, b in segments])
        voiced = features[:, -1] > 0
        if voiced.any():  # an unvoiced stretch ("s", a breath) gets the typical pitch
            features[~voiced, -1] = float(np.median(features[voiced, -1]))
    weights = None
    if features.shape[1] == 2 * BANDS + 1:
        # pitch tells voices apart best; the band energies sharpen it
        weights = np.ones(features.shape[1])
        weights[-1] = PITCH_WEIGHT
    labels, separation = two_means(features, weights=weights)
    labels = _smooth_short(segments, labels)
    starts = np.array([a / SAMPLE_RATE for a, _ in segments])
    ends = np.array([b / SAMPLE_RATE for _, b in segments])
    out: list[tuple[int, list[Word]]] = []
    for word in words:
        centre = (word.start + word.end) / 2
        inside = np.where((starts <= centre) & (centre <= ends))[0]
        if len(inside):
            index = int(inside[0])
        else:  # the closest stretch by its edges, not its middle
            index = int(np.argmin(np.maximum(starts - centre, 0) + np.maximum(centre - ends, 0)))
        voice = int(labels[index])
        if out and out[-1][0] == voice and word.start - out[-1][1][-1].end < pause_s:
            out[-1][1].append(word)
        else:
            out.append((voice, [word]))
    confidence = min(1.0, max(0.0, (separation - 0.15) / 0.35))
    return out, round(confidence, 2)
