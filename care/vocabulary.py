"""The words the draft detector listens for, in one table a therapist could read and amend.

Every entry is a plain phrase, matched case-insensitively on word boundaries with curly and
straight apostrophes alike (``care.detection.phrase_spans``); nothing here is a regex. When
phrases overlap in a text, the longest one counts, so "not sure" hides the "sure" inside it
and "once a week" the "just once" it overlaps: add the longer phrase rather than an exception.

The lists are deliberately narrow. A missed draft costs the therapist one click to add it by
hand; a wrong draft puts words in a patient's mouth. Open, exploratory questions ("What if
you could...", "What would it take for you to be kind to yourself?") are not proposals.
Broad openers ("could you", "let's") are proposals only because a practice phrase must share
their sentence, and the ``not_proposals`` beside them ("could you tell me", "let's talk
about") hide them where the therapist asks to talk about a practice rather than to do it.

Some words in a patient's answer look like a stance but take none ("it won't be perfect"
is not a refusal): ``asides`` lists them, so the longest match hides the word inside.
"""

from __future__ import annotations

from dataclasses import dataclass

from journal.models import Commitment


@dataclass(frozen=True)
class Practice:
    """One practice a therapist may propose. ``title`` is the draft's label: ``{count}`` is the
    target in words, ``{when}`` the cadence as said (or the cadence's usual words).

    ``cadences`` are those the practice can be counted by, when not every one: pride entries
    are kept by the ISO week (``journal.selectors.period_practised``), so "three things
    you're proud of every day" drafts the weekly practice and the cadence word is not used
    (neither its number nor its words in the title); the sentence as said stays in the
    draft's details for the therapist to read.
    """

    kind: Commitment.Kind
    title: str
    phrases: tuple[str, ...]
    cadences: tuple[Commitment.Cadence, ...] = tuple(Commitment.Cadence)


@dataclass(frozen=True)
class CadenceWords:
    cadence: Commitment.Cadence
    #: How a title says this cadence when the therapist named none.
    usual: str
    phrases: tuple[str, ...]
    #: Phrases said after a count ("three mornings a week"): the count before them is the
    #: target and part of the cadence as said. Without a count ("a few times a week") the
    #: title uses the usual words, since "Reflect on your efforts times a week" reads as nothing.
    counted: tuple[str, ...] = ()


@dataclass(frozen=True)
class Vocabulary:
    #: A therapist inviting the patient to do something between sessions.
    proposals: tuple[str, ...]
    #: Openings that hold a proposal's words but ask to talk, remember or imagine.
    not_proposals: tuple[str, ...]
    #: A patient taking the invitation up, however tentatively ("I can try" counts).
    agreements: tuple[str, ...]
    #: A patient turning it down or putting it off; hesitation and doubt count too ("we'll
    #: see", "I don't know if that's me"), so a polite "okay" before them agrees to nothing.
    declines: tuple[str, ...]
    #: Words in an answer that hold a stance word but take no stance.
    asides: tuple[str, ...]
    practices: tuple[Practice, ...]
    #: Words that, before a practice phrase in the same clause, ask the patient to do less of
    #: it or none ("stop telling yourself you're a failure"): that practice is not proposed.
    #: A clause ends at a comma, semicolon, colon, dash or bracket, not at "and": "stop
    #: criticising yourself and telling yourself..." stays unproposed, as missing beats inventing.
    negations: tuple[str, ...]
    #: Longer phrases holding a negation word that still ask for the practice.
    not_negations: tuple[str, ...]
    cadences: tuple[CadenceWords, ...]
    #: Number words (digits count too). A number sets the target where it comes just before
    #: the practice ("three things you're proud of") or in or just before the cadence ("twice
    #: a week", "three mornings a week"); anywhere else it counts something else ("without
    #: rereading it three times"). A range ("two or three", "two to three", "2-3") sets its
    #: lower end: a target is something to meet, and the product never counts a patient short
    #: of what they could have read as enough.
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
        "could you",
        "can you",
        "would you",
        "will you",
        "how about",
        "what if you tried",
        "I wonder if you could",
        "I'd like you to",
        "I would like you to",
        "I'd invite you to",
        "I want to suggest",
        "I'd suggest",
        "I would suggest",
        "my suggestion is",
        "let's",
        "let's try",
        "let's also try",
        "let's agree",
        "your homework",
        "between now and our next session",
    ),
    not_proposals=(
        "could you tell me",
        "can you tell me",
        "would you tell me",
        "will you tell me",
        "could you say more",
        "can you say more",
        "could you describe",
        "can you describe",
        "can you remember",
        "could you remember",
        "can you imagine",
        "could you imagine",
        "can you think of",
        "could you think of",
        "would you say",
        "let's talk",
        "let's talk about",
        "let's look at",
        "let's look back",
        "let's think about",
        "let's explore",
        "let's go back",
        "let's come back",
        "let's discuss",
        "let's review",
    ),
    agreements=(
        "yes",
        "yeah",
        "yep",
        "okay",
        "ok",
        "alright",
        "all right",
        "sure",
        "of course",
        "absolutely",
        "definitely",
        "no problem",
        "I can try",
        "I'll try",
        "I will try",
        "I can do that",
        "I can do it",
        "I could do that",
        "I could try",
        "I can manage that",
        "I can manage",
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
        "I can't wait",
        "can't wait",
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
        "not sure I can",
        "not sure I could",
        "not sure that's me",
        "I don't know",
        "don't know if",
        "don't know whether",
        "don't know if I can",
        "we'll see",
        "we will see",
        "I doubt",
        "doubt it",
        "not convinced",
        "it won't",
        "won't happen",
        "it won't happen",
        "probably won't",
        "probably not",
        "not going to happen",
        "not gonna happen",
        "unlikely",
    ),
    asides=(
        "it won't be perfect",
        "it won't be easy",
        "it won't hurt",
        "won't hurt to try",
        "it won't take long",
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
            cadences=(Commitment.Cadence.WEEKLY,),
        ),
        Practice(
            kind=Commitment.Kind.EXPERIMENT,
            title="Try a new recipe {when}",
            phrases=("new recipe", "new dish"),
        ),
        Practice(
            kind=Commitment.Kind.EXPERIMENT,
            title="Try something new {when}",
            # An action on it, never "something new" alone: "talk about something new".
            phrases=(
                "try something new",
                "trying something new",
                "tried something new",
                "do something new",
                "doing something new",
                "cook something new",
                "cooking something new",
                "make something new",
                "making something new",
            ),
        ),
        Practice(
            kind=Commitment.Kind.EXPERIMENT,
            title="Take one imperfect action {when}",
            phrases=(
                "imperfect action",
                "do it imperfectly",
                "do something imperfect",
                "doing something imperfect",
                "do something imperfectly",
                "small experiment",
                "experiment",
            ),
        ),
    ),
    negations=(
        "stop",
        "stopping",
        "quit",
        "quitting",
        "not",
        "don't",
        "never",
        "no longer",
        "less",
        "fewer",
        "instead of",
        "rather than",
        "avoid",
    ),
    not_negations=(
        "don't stop",
        "never stop",
        "not only",
        "not just",
        "don't forget",
        "never forget",
        "less-than-perfect",
        "less than perfect",
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
            counted=("times a day",),
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
                "every weekend",
            ),
            counted=(
                "times a week",
                "times per week",
                "days a week",
                "days per week",
                "mornings a week",
                "evenings a week",
                "nights a week",
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
        "once": 1,
        "twice": 2,
        "thrice": 3,
    },
)
