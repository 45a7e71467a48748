"""The follow-up about six months after the work ends: three short questions by text.

Each is answered with a number from 1 to 5 or with YES or NO (in the parent's language). An
answer is thanked by the next question, and the last by a thank-you. A parent who does not
answer the first is asked once more a week later, and then left alone. A reply that is not
an answer (or suggests any risk) is handled as any other message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.core.model import Intent

WELLBEING, HELPED, RECOMMEND = "wellbeing", "helped", "recommend"
QUESTIONS = (WELLBEING, HELPED, RECOMMEND)

FIRST = "six_month_follow_up"
REMINDER = "six_month_reminder"
THANKS = "six_month_thanks"
# The message that asks each question; the reminder asks the first again.
ASKED_BY = {
    FIRST: WELLBEING,
    REMINDER: WELLBEING,
    "six_month_question_2": HELPED,
    "six_month_question_3": RECOMMEND,
}
NEXT_MESSAGE = {
    WELLBEING: "six_month_question_2",
    HELPED: "six_month_question_3",
    RECOMMEND: THANKS,
}
SCALES = {WELLBEING: "number", HELPED: "number", RECOMMEND: "yes_no"}

QUESTION_LABELS = {
    WELLBEING: "How they are doing now (1 not so good, 5 really good)",
    HELPED: "Whether our time together helped (1 not much, 5 a lot)",
    RECOMMEND: "Would tell a friend about us",
}

REMINDER_AFTER = timedelta(days=7)  # unanswered this long: asked once more
ANSWER_WINDOW = timedelta(days=30)  # a reply later than this is an ordinary message

_NUMBER = re.compile(r"^\W*([1-5])(?:\s*(?:/|out of|of)\s*5)?\W*(?:\s+\S+){0,4}\W*$", re.I)
_NUMBER_WORDS = {"one": "1", "two": "2", "three": "3", "four": "4", "five": "5"}


@dataclass(frozen=True)
class PendingQuestion:
    question: str
    asked_at: datetime


def read_answer(question: str, body: str, intent: Intent) -> str | None:
    """The answer in a reply ('1'..'5', 'yes', 'no'), or None when it is not one."""
    text = " ".join(body.split())
    if not text or len(text) > 60:
        return None
    if SCALES[question] == "number":
        found = _NUMBER.match(text)
        if found:
            return found.group(1)
        word = text.strip(" .!").lower()
        return _NUMBER_WORDS.get(word)
    if intent is Intent.CONFIRM:
        return "yes"
    if intent is Intent.CANCEL:
        return "no"
    return None


_PLEASANTRIES = {"thanks", "thank", "you", "ty", "x", "xx", "xxx", "cheers", "ok", "okay"}
LOW_SCORES = {"1", "2"}


def needs_a_person(question: str, answer: str, body: str) -> bool:
    """A low score, or words beside the answer: a person reads it (the answer is still kept).

    "2, not great tbh" must reach someone, not only the activity report.
    """
    if SCALES[question] == "number" and answer in LOW_SCORES:
        return True
    words = [w for w in re.findall(r"[^\W\d_]+", body.lower()) if w not in _PLEASANTRIES]
    if SCALES[question] == "number":
        words = [w for w in words if w not in _NUMBER_WORDS and w not in ("out", "of")]
    else:
        words = words[1:]  # the first word is the YES or NO, in whichever language
    return bool(words)


def pending(
    asked: list[tuple[str, datetime]], answered: set[str], at: datetime
) -> PendingQuestion | None:
    """The question a reply would answer: the latest asked, not yet answered, not too old.

    `asked` is (message name, when it was queued) of the questionnaire texts to this parent.
    """
    recent = [(name, when) for name, when in asked if name in ASKED_BY]
    if not recent:
        return None
    name, when = max(recent, key=lambda item: item[1])
    question = ASKED_BY[name]
    if question in answered or at - when > ANSWER_WINDOW:
        return None
    return PendingQuestion(question, when)


def reminder_due(first_sent_at: datetime, answered_any: bool, reminded: bool, at: datetime) -> bool:
    """Asked once more a week after the first question, if nothing came back; never again."""
    return (
        not answered_any
        and not reminded
        and first_sent_at + REMINDER_AFTER <= at < first_sent_at + ANSWER_WINDOW
    )


def key(family_id: int, parent_id: int, message: str) -> str:
    return f"{message}:{family_id}:{parent_id}"
