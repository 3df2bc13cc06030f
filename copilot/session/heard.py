"""An agent's final from ASR with its set lines written as said (:mod:`phrasebook.agent_lines`), for file and
live transcription alike (the pipeline applies it to every recognised agent final; transcripts are taken as
written)."""

from __future__ import annotations

import unicodedata
from dataclasses import replace
from typing import Any

from phrasebook.agent_lines import correct


def _plain_chars(text: str) -> list[int]:
    return [i for i, c in enumerate(text) if not (c.isspace() or unicodedata.category(c)[0] in "PZS")]


def agent_final(utt: Any, pb: Any) -> Any:
    """``utt`` (an :class:`asr.types.Utterance`) with its text corrected when it is an agent's final; its words
    (file mode's word times) get the same characters, position for position."""
    if not utt.final or utt.speaker != "agent" or not utt.text:
        return utt
    text = correct(utt.text, pb)
    if text == utt.text:
        return utt
    return _with_text(utt, text)


PAIR_GAP = 1.0
"""Seconds between two agent finals of a recording within which a set line may run across them (file mode cuts
a final at every 0.6 s pause: 「为 南行法院」 | 「庆祥」)."""


def agent_finals(utts: list[Any], pb: Any) -> list[Any]:
    """A recording's finals (file mode: all of a channel at once) with the agent's set lines written as said, also a
    line that runs across two consecutive agent finals less than ``PAIR_GAP`` apart (each keeps its own characters'
    positions). Live finals go one by one through :func:`agent_final` (a final already shown is not revised)."""
    out = [agent_final(u, pb) for u in utts]
    agent = [i for i, u in enumerate(out) if u.final and u.speaker == "agent" and u.text]
    for i, j in zip(agent, agent[1:], strict=False):
        a, b = out[i], out[j]
        if j != i + 1 or not 0 <= b.start - a.end <= PAIR_GAP:
            continue
        joined = a.text + " " + b.text
        fixed = correct(joined, pb)
        if fixed == joined:
            continue
        cut = len(a.text)
        out[i] = _with_text(a, fixed[:cut])
        out[j] = _with_text(b, fixed[cut + 1:])
    return out


def _with_text(utt: Any, text: str) -> Any:
    if text == utt.text:
        return utt
    return replace(utt, text=text, words=_respelled(utt.words, text))


def _respelled(words: tuple, text: str) -> tuple:
    """``words`` with the plain characters of ``text``, position for position (unchanged when they do not line up)."""
    if not words:
        return words
    new = [text[i] for i in _plain_chars(text)]
    if len(new) != sum(len(_plain_chars(w.text)) for w in words):
        return words
    out, k = [], 0
    for w in words:
        chars = list(w.text)
        for i in _plain_chars(w.text):
            chars[i] = new[k]
            k += 1
        out.append(replace(w, text="".join(chars)))
    return tuple(out)
