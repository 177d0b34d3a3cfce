"""The words the draft detector listens for, in one table a therapist could read and amend.

Every entry is a plain phrase, matched case-insensitively on word boundaries with curly and
straight apostrophes alike (``care.detection.phrase_spans``); nothing here is a regex. When
phrases overlap in a text, the longest one counts, so "not sure" hides the "sure" inside it
and "once a week" the "just once" it overlaps: add the longer phrase rather than an exception.

The lists are deliberately narrow. A missed draft costs the therapist one click to add it by
hand; a wrong draft puts words in a patient's mouth. Open, exploratory questions ("What if
you could...", "What would it take for you to be kind to yourself?") are not proposals.
"""

from __future__ import annotations

from dataclasses import dataclass

from journal.models import Commitment


@dataclass(frozen=True)
class Practice:
    """One practice a therapist may propose. ``title`` is the draft's label: ``{count}`` is the
    target in words, ``{when}`` the cadence as said (or the cadence's usual words)."""

    kind: Commitment.Kind
    title: str
    phrases: tuple[str, ...]


@dataclass(frozen=True)
class CadenceWords:
    cadence: Commitment.Cadence
    #: How a title says this cadence when the therapist named none.
    usual: str
    phrases: tuple[str, ...]


@dataclass(frozen=True)
class Vocabulary:
    #: A therapist inviting the patient to do something between sessions.
    proposals: tuple[str, ...]
    #: A patient taking the invitation up, however tentatively ("I can try" counts).
    agreements: tuple[str, ...]
    #: A patient turning it down or putting it off; hesitation without a yes counts too.
    declines: tuple[str, ...]
    practices: tuple[Practice, ...]
    cadences: tuple[CadenceWords, ...]
    #: Number words (digits count too). A number sets the target where it comes just before
    #: the practice ("three things you're proud of") or inside the cadence ("twice a week");
    #: anywhere else it counts something else ("without rereading it three times").
    numbers: dict[str, int]


VOCABULARY = Vocabulary(
    proposals=(
        "would you be willing to",
        "would you be open to",
        "are you willing to",
        "what would it take for you to commit",
        "can you commit",
        "could you commit",
        "will you commit",
        "could you try",
        "can you try",
        "would you try",
        "would you like to try",
        "would you consider",
        "how about",
        "I'd like you to",
        "I would like you to",
        "I'd invite you to",
        "I want to suggest",
        "I'd suggest",
        "my suggestion is",
        "let's try",
        "let's agree",
        "your homework",
        "between now and our next session",
    ),
    agreements=(
        "yes",
        "yeah",
        "yep",
        "okay",
        "ok",
        "sure",
        "of course",
        "absolutely",
        "definitely",
        "no problem",
        "I can try",
        "I'll try",
        "I will try",
        "I can do that",
        "I think I can do that",
        "I can commit to that",
        "I can commit",
        "I'll commit",
        "I'll give it a shot",
        "I'll give it a try",
        "I'll give it a go",
        "I'll do it",
        "I'll do that",
        "I will",
        "I'm willing",
        "I am willing",
        "I'm in",
        "let's do it",
        "let's do this",
        "sounds good",
        "that sounds doable",
        "I'll start",
    ),
    declines=(
        "no,",
        "no.",
        "no!",
        "nope",
        "not really",
        "I don't think I can",
        "I don't think so",
        "I don't want to",
        "I'm not ready",
        "not ready",
        "I'd rather not",
        "I would rather not",
        "I can't",
        "I cannot",
        "I won't",
        "I will not",
        "not this week",
        "not this weekend",
        "not today",
        "not right now",
        "not yet",
        "maybe later",
        "maybe another time",
        "that's too much",
        "that's a lot",
        "too much for me",
        "I'm not sure",
        "not sure",
    ),
    practices=(
        Practice(
            kind=Commitment.Kind.REFLECTION_DAILY,
            title="Reflect on your efforts {when}",
            phrases=(
                "reflect on your efforts",
                "reflect on your effort",
                "reflecting on your efforts",
                "notice your effort",
                "notice your efforts",
                "noticing your efforts",
                "notice what you tried",
                "telling yourself",
                "tell yourself",
                "kind words",
                "journal about your day",
                "write about your day",
            ),
        ),
        Practice(
            kind=Commitment.Kind.PRIDE_WEEKLY,
            title="Write down {count} things you're proud of {when}",
            phrases=(
                "things you're proud of",
                "things you are proud of",
                "things you feel proud of",
                "things that made you proud",
                "moments you're proud of",
                "proud of each week",
                "proud of every week",
                "proud of this week",
            ),
        ),
        Practice(
            kind=Commitment.Kind.EXPERIMENT,
            title="Try a new recipe {when}",
            phrases=("new recipe", "new dish"),
        ),
        Practice(
            kind=Commitment.Kind.EXPERIMENT,
            title="Try something new {when}",
            phrases=("try something new", "trying something new", "something new"),
        ),
        Practice(
            kind=Commitment.Kind.EXPERIMENT,
            title="Take one imperfect action {when}",
            phrases=("imperfect action", "do it imperfectly", "small experiment", "experiment"),
        ),
    ),
    cadences=(
        CadenceWords(
            cadence=Commitment.Cadence.DAILY,
            usual="each day",
            phrases=(
                "each day",
                "every day",
                "daily",
                "a day",
                "every morning",
                "each morning",
                "every evening",
                "each evening",
                "twice a day",
                "every night",
                "each night",
                "before bed",
            ),
        ),
        CadenceWords(
            cadence=Commitment.Cadence.WEEKLY,
            usual="each week",
            phrases=(
                "each week",
                "every week",
                "a week",
                "weekly",
                "per week",
                "once a week",
                "twice a week",
                "two times a week",
                "three times a week",
                "four times a week",
                "every weekend",
            ),
        ),
        CadenceWords(
            cadence=Commitment.Cadence.ONCE,
            usual="",
            phrases=(
                "this once",
                "just once",
                "only once",
                "today",
                "tonight",
                "tomorrow",
                "this weekend",
                "this new recipe",
            ),
        ),
    ),
    numbers={
        "one": 1,
        "two": 2,
        "three": 3,
        "four": 4,
        "five": 5,
        "six": 6,
        "seven": 7,
        "eight": 8,
        "nine": 9,
        "ten": 10,
        "a couple of": 2,
        "twice": 2,
        "thrice": 3,
    },
)
