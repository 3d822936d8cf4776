"""Opt-out replies: which incoming texts say "stop sending me messages", and which lift that.

Carriers and the law (TCPA in the US, GDPR and UWG in Germany) expect a sender to honour a STOP
reply. A reply counts only when the *whole* text is a stop word or phrase, in any case, with any
punctuation, spaces or emoji around it (``STOP``, ``Stop.``, ``stopp!!``, ``Abmelden 🙏``,
``désinscrire``): a sentence that merely contains the word (``Stop the delivery please``, ``Can
you stop by at 5?``) is a conversation, not an opt-out, and a missed customer message is worse
than asking them once more. ``START`` / ``Anmelden`` lifts it. The words are configurable
(``[optouts]`` in the config adds to the built-in lists).

    detect_reply("STOP!")              -> "stop"
    detect_reply("Stop the delivery")  -> None
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Literal

Reply = Literal["stop", "start"]

#: Folded (see :func:`fold_reply`): lower case, accents and punctuation removed, spaces single.
STOP_WORDS: tuple[str, ...] = (
    "stop",
    "stopp",
    "stop all",
    "stopall",
    "stop please",
    "please stop",
    "unsubscribe",
    "unsubscribe me",
    "cancel",
    "end",
    "quit",
    "opt out",
    "optout",
    "remove me",
    "abmelden",
    "abbestellen",
    "austragen",
    "abmeldung",
    "stop bitte",
    "stopp bitte",
    "abmelden bitte",
    "bitte abmelden",
    "bitte stop",
    "bitte stopp",
    "keine sms",
    "desinscrire",
    "desabonner",
    "arret",
    "arreter",
    "baja",
    "cancelar",
    "parar",
    "annulla",
    "disiscrivimi",
)
START_WORDS: tuple[str, ...] = (
    "start",
    "unstop",
    "subscribe",
    "resume",
    "anmelden",
    "wieder anmelden",
    "inscrire",
    "alta",
)

_NOT_WORD = re.compile(r"[^\w]+", re.UNICODE)
#: Longer than this (in characters, once folded) is never a one-word reply.
_MAX_REPLY = 40


def fold_reply(text: str) -> str:
    """``"  Désinscrire !"`` -> ``"desinscrire"``: case, accents, punctuation and emoji dropped."""
    if text.isascii():  # most replies: no accents to take apart (a sync folds every one)
        plain = text.lower()
    else:
        decomposed = unicodedata.normalize("NFKD", text.casefold())
        plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(_NOT_WORD.sub(" ", plain).replace("_", " ").split())


class ReplyWords:
    """The stop and start phrases in force: the built-in ones plus the configured ones."""

    def __init__(self, stop: Iterable[str] = (), start: Iterable[str] = ()) -> None:
        self.stop = frozenset(fold_reply(w) for w in (*STOP_WORDS, *stop) if fold_reply(w))
        self.start = frozenset(fold_reply(w) for w in (*START_WORDS, *start) if fold_reply(w))

    def detect(self, text: str | None) -> Reply | None:
        """ "stop", "start" or None for an incoming text."""
        if not text or len(text) > _MAX_REPLY * 4:
            return None
        folded = fold_reply(text)
        if not folded or len(folded) > _MAX_REPLY:
            return None
        if folded in self.stop:
            return "stop"
        if folded in self.start:
            return "start"
        return None


DEFAULT_WORDS = ReplyWords()


def detect_reply(text: str | None, words: ReplyWords = DEFAULT_WORDS) -> Reply | None:
    return words.detect(text)


def quoted_reply(text: str, limit: int = 20) -> str:
    """How the reply is quoted on a contact or thread: its first line, cut to ``limit``."""
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


__all__ = [
    "DEFAULT_WORDS",
    "START_WORDS",
    "STOP_WORDS",
    "Reply",
    "ReplyWords",
    "detect_reply",
    "fold_reply",
    "quoted_reply",
]
