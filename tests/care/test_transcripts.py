"""Reading session transcripts, and the draft commitments drawn from them.

Each transcript under ``tests/care/transcripts/`` has its exact drafts and warnings in
``EXPECTED``; a new file without an entry fails ``test_every_sample_transcript_has_its_expectations``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from care.detection import Draft, drafts_detect
from care.transcripts import SPEAKER_LABELS, Speaker, Transcript, TranscriptError, transcript_parse

HERE = Path(__file__).parent / "transcripts"
T44 = Path(__file__).parents[2] / "seeds" / "transcripts" / "T44.txt"

# (kind, cadence, target_count) of each draft, in order, and (line, code) of each warning.
EXPECTED: dict[str, tuple[list[tuple[str, str, int]], list[tuple[int, str]]]] = {
    "counselor_client_mornings.txt": (
        [("reflection_daily", "daily", 1), ("pride_weekly", "weekly", 5)],
        [],
    ),
    "declined_then_smaller_step.txt": (
        [("experiment", "once", 1)],
        [],
    ),
    "no_commitment.txt": ([], []),
    "cadences.txt": (
        [
            ("reflection_daily", "daily", 1),
            ("reflection_daily", "weekly", 2),
            ("experiment", "weekly", 1),
            ("pride_weekly", "weekly", 4),
        ],
        [],
    ),
    "malformed_crlf.txt": (
        [("reflection_daily", "daily", 1)],
        [(2, "no_speaker"), (6, "empty_turn"), (11, "placeholder"), (16, "empty_turn"), (17, "placeholder")],
    ),
    "praise_is_not_a_proposal.txt": ([], []),
    "named_speakers.txt": ([("pride_weekly", "weekly", 2)], []),
}


def _summary(drafts: list[Draft]) -> list[tuple[str, str, int]]:
    return [(draft.kind, draft.cadence, draft.target_count) for draft in drafts]


def _lines(text: str) -> list[str]:
    return re.split(r"\r\n|\r|\n", text.removeprefix("\ufeff"))


# The sample session T44.


def test_t44_drafts_exactly_the_three_practices_agreed():
    drafts = drafts_detect(transcript_parse(T44.read_bytes()))

    assert _summary(drafts) == [
        ("experiment", "once", 1),
        ("reflection_daily", "daily", 1),
        ("pride_weekly", "weekly", 3),
    ]
    assert [draft.title for draft in drafts] == [
        "Try this new recipe",
        "Take a few minutes each day to reflect on your efforts",
        "Write down three things you're proud of each week",
    ]


def test_t44_quotes_both_turns_of_each_agreement_with_their_lines():
    drafts = drafts_detect(transcript_parse(T44.read_bytes()))

    recipe = drafts[0]
    assert recipe.details == (
        "That sounds like a great starting point. What would it take for you to commit to trying this new recipe, "
        "just for the sake of trying it, without worrying about how it turns out?"
    )
    assert recipe.evidence.startswith(
        "Therapist (line 37): That sounds like a great starting point. What would it take for you to commit"
    )
    assert "\nPatient (line 39): I think I'd need to give myself permission to fail." in recipe.evidence
    assert recipe.evidence.endswith("I think I can commit to that, just this once.")
    assert [draft.evidence.split("\n")[0].split(")")[0] for draft in drafts] == [
        "Therapist (line 37",
        "Therapist (line 53",
        "Therapist (line 69",
    ]


def test_t44_warns_once_about_the_final_placeholder_turn():
    transcript = transcript_parse(T44.read_bytes())

    assert transcript.title == "Transcript T44"
    assert [(w.line, w.code) for w in transcript.warnings] == [(81, "placeholder")]
    assert transcript.warnings[0].detail == "Line 81: the therapist's turn is a placeholder and was skipped."
    assert len(transcript.turns) == 39
    assert transcript.turns[-1].text == "Okay. Let's do this."


def test_t44_seed_is_the_shared_sample_byte_for_byte():
    # The seed is read by the demo and by these tests: a re-saved copy (other line endings,
    # a BOM) would test something other than the session the API promises.
    assert T44.read_bytes().startswith(b"# Transcript T44\n\nPatient: Lately")
    assert T44.read_bytes().endswith(b"Therapist: [Answer not properly formatted or missing]\n")


# The sample transcripts.


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_sample_transcript_yields_exactly_its_drafts_and_warnings(name):
    transcript = transcript_parse((HERE / name).read_bytes())
    drafts, warnings = EXPECTED[name]

    assert _summary(drafts_detect(transcript)) == drafts
    assert [(w.line, w.code) for w in transcript.warnings] == warnings


def test_every_sample_transcript_has_its_expectations():
    assert sorted(path.name for path in HERE.glob("*.txt")) == sorted(EXPECTED)


def test_counselor_and_client_in_any_case_and_curly_apostrophes_read_as_therapist_and_patient():
    raw = (HERE / "counselor_client_mornings.txt").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the file keeps its BOM
    transcript = transcript_parse(raw)

    assert transcript.title == "Check-in with Sam, week 3"
    assert [turn.speaker for turn in transcript.turns[:4]] == [Speaker.THERAPIST, Speaker.PATIENT] * 2
    assert transcript.turns[2].text == "What did you say to yourself afterwards?"
    assert [draft.title for draft in drafts_detect(transcript)] == [
        "Try noticing your efforts every morning",
        "Write down five things you feel proud of each week",
    ]


def test_a_hedged_yes_agrees_but_a_yes_taken_back_declines():
    drafts = drafts_detect(transcript_parse((HERE / "declined_then_smaller_step.txt").read_bytes()))

    # "I don't think I can" and "I can try, but not this weekend" decline; "I'm not sure ...
    # But okay, I'll do it" agrees, and "three times" (rereading an email) is not the target.
    assert len(drafts) == 1
    assert drafts[0].title == "Try an imperfect action today"
    assert "Patient (line 10): I'm not sure it will help." in drafts[0].evidence


def test_a_recurring_cadence_said_first_wins_and_sets_the_target_it_counts():
    drafts = drafts_detect(transcript_parse((HERE / "cadences.txt").read_bytes()))

    assert [draft.title for draft in drafts] == [
        "Write a few kind words to yourself each evening",
        "Reflect on your efforts twice a week instead of every day",
        "Try something new every weekend",
        "Write down 4 things you're proud of",
    ]


def test_continuation_lines_join_a_turn_and_a_skipped_answer_drafts_nothing():
    raw = (HERE / "malformed_crlf.txt").read_bytes()
    assert b"\r\n" in raw  # the file keeps its Windows line endings
    transcript = transcript_parse(raw)

    assert transcript.title == "Session 6 (transcribed)"
    assert transcript.turns[1].text == (
        "Would you be willing to take one imperfect action before we meet again, "
        "like cooking from it without measuring everything?"
    )
    assert transcript.warnings[0].detail == ("Line 2: 2 lines of text were found before the first speaker and skipped.")
    [draft] = drafts_detect(transcript)
    assert draft.details == 'That is fine. Could you try telling yourself "good enough" each night before bed?'
    assert draft.evidence == (
        'Therapist (line 12): That is fine. Could you try telling yourself "good enough" each night before bed?\n'
        "Patient (line 14): I can try that. It might feel silly, though."
    )


def test_a_single_line_of_notes_before_the_first_speaker_is_named_as_one_line():
    transcript = transcript_parse("Ran ten minutes late.\nTherapist: Hello.\nPatient: Hi.")
    [warning] = transcript.warnings
    assert (warning.line, warning.code) == (1, "no_speaker")
    assert warning.detail == "Line 1: a line of text was found before the first speaker and skipped."


def test_a_speaker_may_carry_a_name_in_parentheses_before_the_colon():
    transcript = transcript_parse((HERE / "named_speakers.txt").read_bytes())

    assert [(turn.speaker, turn.line) for turn in transcript.turns] == [
        (Speaker.THERAPIST, 3),
        (Speaker.PATIENT, 4),
        (Speaker.THERAPIST, 5),
        (Speaker.PATIENT, 6),
        (Speaker.THERAPIST, 9),
        (Speaker.PATIENT, 10),
    ]
    assert transcript.turns[2].text == "Could you write down two things you're proud of each week?"
    assert transcript.turns[3].text == (
        "Alright, I can do it. It might take me a while, though. "
        "Nurse (Ann): a line with no known speaker continues the turn before it."
    )
    [draft] = drafts_detect(transcript)
    assert draft.title == "Write down two things you're proud of each week"
    assert draft.evidence.startswith("Therapist (line 5): Could you write down")


# Small cases, written inline.

KIND_WORDS = "Therapist: Could you try telling yourself kind words each day?\n"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"{KIND_WORDS}Patient: No, I'd rather not.", []),
        (f"{KIND_WORDS}Patient: Not really.", []),
        (f"{KIND_WORDS}Patient: I see.", []),
        (
            "Therapist: Starting today, could you try kind words each evening?\nPatient: Yes.",
            [("reflection_daily", "daily", 1)],
        ),
        ("Therapist: Could you try kind words just once a week?\nPatient: Yes.", [("reflection_daily", "weekly", 1)]),
        (f"{KIND_WORDS}Patient: Sure.", [("reflection_daily", "daily", 1)]),
        (f"{KIND_WORDS}Patient: Yes, but I can\u2019t do it daily.", []),
        ("Therapist: Could you try telling yourself kind words?\nPatient: Yes.", [("reflection_daily", "daily", 1)]),
        ("Therapist: How about writing down things you're proud of?\nPatient: Okay.", [("pride_weekly", "weekly", 3)]),
        ("Therapist: Could you try an experiment?\nPatient: I will.", [("experiment", "once", 1)]),
        ("Therapist: Could you try an experiment?\nTherapist: Or not.\nPatient: I will.", []),
        ("Patient: Could you try an experiment?\nTherapist: I will.", []),
        ("Therapist: Would you try something new?\n\nPatient: I can't, I won't.", []),
        ("therapist:could you try something new?\nclient  :   i'll give it a shot", [("experiment", "once", 1)]),
    ],
)
def test_a_proposal_drafts_only_when_the_patients_next_turn_agrees(text, expected):
    assert _summary(drafts_detect(transcript_parse(text))) == expected


# From an outside review: each therapist turn, patient reply, and what should be drafted
# (kind, cadence, target_count, title), or nothing.
REVIEWED: list[tuple[str, str, list[tuple[str, str, int, str]]]] = [
    # 1. "something new" alone is not a practice; an action on it is.
    ("How about we talk about something new today?", "Sure.", []),
    (
        "How about you cook something new this weekend?",
        "Sure.",
        [("experiment", "once", 1, "Cook something new this weekend")],
    ),
    (
        "Could you do something imperfect today?",
        "Okay.",
        [("experiment", "once", 1, "Do something imperfect today")],
    ),
    # 2. A practice the therapist asks the patient to stop is not proposed.
    ("Could you try to stop telling yourself that you're a failure every day?", "I'll try.", []),
    ("Would you quit telling yourself you're lazy?", "Yes.", []),
    ("Can you spend less time telling yourself what went wrong?", "Sure.", []),
    ("Could you try not telling yourself it has to be perfect?", "Okay.", []),
    (
        "Instead of telling yourself you failed, could you try to notice your efforts each day?",
        "I'll try.",
        [("reflection_daily", "daily", 1, "Notice your efforts each day")],
    ),
    (
        "Could you try a less-than-perfect experiment today?",
        "Okay.",
        [("experiment", "once", 1, "Try a less-than-perfect experiment today")],
    ),
    # 3. Uncertainty after a polite "okay" is not a yes.
    (
        "Could you try telling yourself kind words each day?",
        "Okay. I hear you. I honestly don't know if that's me.",
        [],
    ),
    ("Could you try telling yourself kind words each day?", "Sure. We'll see.", []),
    ("Could you try telling yourself kind words each day?", "I'm not sure I can do that.", []),
    ("Could you try telling yourself kind words each day?", "Yes, I'm not sure that's me though.", []),
    (
        "Could you try telling yourself kind words each day?",
        "I don't know if it will help, but okay, I'll try.",
        [("reflection_daily", "daily", 1, "Try telling yourself kind words each day")],
    ),
    # Doubt after a yes takes it back, even a gentle one: missing a draft beats inventing one.
    ("Could you try telling yourself kind words each day?", "I'll try, we'll see how it goes.", []),
    # 4. A yes taken back by what is likely.
    (
        "Could you try something new this weekend?",
        "Yes, but honestly I'm working doubles so probably it won't happen.",
        [],
    ),
    ("Could you try something new this weekend?", "Okay. Probably not, though.", []),
    ("Could you try something new this weekend?", "Sure, but that's unlikely.", []),
    (
        "Could you try something new this weekend?",
        "Okay, I'll try. It won't be perfect.",
        [("experiment", "once", 1, "Try something new this weekend")],
    ),
    # 5. Cadences: a reflection may be weekly; pride is counted by the week; "N mornings a week".
    (
        "Could you notice your efforts four times a week?",
        "Yes.",
        [("reflection_daily", "weekly", 4, "Notice your efforts four times a week")],
    ),
    (
        "Could you write down three things you're proud of every day?",
        "Yes.",
        [("pride_weekly", "weekly", 3, "Write down three things you're proud of every day")],
    ),
    (
        "Could you write down things you're proud of twice a day?",
        "Yes.",
        [("pride_weekly", "weekly", 3, "Write down things you're proud of twice a day")],
    ),
    (
        "Could you reflect on your efforts three mornings a week?",
        "Yes.",
        [("reflection_daily", "weekly", 3, "Reflect on your efforts three mornings a week")],
    ),
    (
        "Could you reflect on your efforts 5 times a week?",
        "Yes.",
        [("reflection_daily", "weekly", 5, "Reflect on your efforts 5 times a week")],
    ),
    (
        "Could you reflect on your efforts at 9 each evening?",
        "Yes.",
        [("reflection_daily", "daily", 1, "Reflect on your efforts at 9 each evening")],
    ),
    (
        "Could you reflect on your efforts a few times a week?",
        "Sure.",
        [("reflection_daily", "weekly", 1, "Reflect on your efforts a few times a week")],
    ),
    # 6. A range sets the gentler end as the target.
    (
        "Could you write down two or three things you're proud of each week?",
        "Yes.",
        [("pride_weekly", "weekly", 2, "Write down two or three things you're proud of each week")],
    ),
    (
        "Could you write down three or four small things you're proud of each week?",
        "Yes.",
        [("pride_weekly", "weekly", 3, "Write down three or four small things you're proud of each week")],
    ),
    (
        "Could you reflect on your efforts two to three evenings a week?",
        "Yes.",
        [("reflection_daily", "weekly", 2, "Reflect on your efforts two to three evenings a week")],
    ),
    (
        "Could you try something new once or twice a week?",
        "Yes.",
        [("experiment", "weekly", 1, "Try something new once or twice a week")],
    ),
    # 7. More ways to propose and to agree.
    (
        "Could you write down two things you're proud of each week?",
        "Alright, I can do it.",
        [("pride_weekly", "weekly", 2, "Write down two things you're proud of each week")],
    ),
    (
        "Can you tell yourself kind words each evening?",
        "I can manage that.",
        [("reflection_daily", "daily", 1, "Tell yourself kind words each evening")],
    ),
    (
        "What if you tried something new tomorrow?",
        "All right.",
        [("experiment", "once", 1, "Try something new tomorrow")],
    ),
    (
        "I wonder if you could reflect on your efforts each night.",
        "I could do that.",
        [("reflection_daily", "daily", 1, "Reflect on your efforts each night")],
    ),
    (
        "Will you write down three things you're proud of?",
        "I will.",
        [("pride_weekly", "weekly", 3, "Write down three things you're proud of")],
    ),
    # ... but asking to talk about a practice proposes nothing.
    ("Could you tell me about the things you're proud of this week?", "Sure.", []),
    ("Let's talk about telling yourself kind words.", "Okay.", []),
    ("Can you imagine telling yourself kind words each day?", "Yes, maybe.", []),
    # 8. "I can't wait" is eager, not a refusal.
    (
        "Let's also try something new this weekend.",
        "I can't wait!",
        [("experiment", "once", 1, "Try something new this weekend")],
    ),
    ("Let's try something new this weekend.", "I can't.", []),
]


@pytest.mark.parametrize(("proposal", "reply", "expected"), REVIEWED)
def test_reviewed_cases_draft_exactly_what_was_agreed(proposal, reply, expected):
    drafts = drafts_detect(transcript_parse(f"Therapist: {proposal}\nPatient: {reply}"))

    assert [(d.kind, d.cadence, d.target_count, d.title) for d in drafts] == expected


def test_a_lone_carriage_return_ends_a_line_too():
    transcript = transcript_parse("# Old Mac file\rTherapist: Hello.\rPatient: Hi.\r\rTherapist: Bye.")

    assert transcript.title == "Old Mac file"
    assert [turn.line for turn in transcript.turns] == [2, 3, 5]


@pytest.mark.parametrize(
    ("source", "code"),
    [
        ("", "no_turns"),
        ("  \n\t\n \r\n", "no_turns"),
        ("# Only a title\n\n", "no_turns"),
        ("Some notes\nwith no speaker at all", "no_turns"),
        ("Therapist: [Answer not properly formatted or missing]\nPatient: [missing]\nPatient:", "no_turns"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not_text"),
        (b"Therapist: caf\xe9", "not_text"),
        (b"\xff\xfeT\x00h\x00", "not_text"),
        ("Therapist: hello\x00world", "not_text"),
        ("Therapist: hello\x1b[31m red", "not_text"),
        (b"Therapist: hi\x07\nPatient: hello", "not_text"),
    ],
)
def test_what_is_not_a_transcript_is_refused_with_its_reason(source, code):
    with pytest.raises(TranscriptError) as refused:
        transcript_parse(source)

    assert refused.value.code == code
    assert refused.value.attr == "transcript"


def test_tabs_and_form_feeds_are_text():
    transcript = transcript_parse("Therapist:\tHello,\fagain.\nPatient: Hi.")

    assert [turn.text for turn in transcript.turns] == ["Hello,\fagain.", "Hi."]


# Properties over any text.

speaker_lines = st.lists(
    st.tuples(
        st.sampled_from([*SPEAKER_LABELS, "Therapist", "CLIENT", "Nurse", "# Title", ""]),
        st.sampled_from([":", " : ", ": ", "", "\t:"]),
        st.text(max_size=40),
    ).map("".join),
    max_size=12,
).map(lambda lines: "\n".join(lines))


def _parsed(source: str | bytes) -> Transcript | None:
    """The transcript, or None where it is refused for one of its two reasons; anything else raises."""
    try:
        return transcript_parse(source)
    except TranscriptError as refused:
        if refused.code not in {"not_text", "no_turns"}:
            raise
        return None


@given(text=st.one_of(st.text(), speaker_lines))
@settings(max_examples=300, deadline=None)
def test_any_text_parses_or_is_refused_and_what_parses_can_be_searched_for_drafts(text):
    transcript = _parsed(text)
    if transcript is None:
        return

    lines = _lines(text)
    for turn in transcript.turns:
        # Each turn's role is its speaker's (a label's, given or proposed), and its line holds its words' start.
        assert transcript.speaker_roles[turn.name] is turn.speaker
        assert 1 <= turn.line <= len(lines)
        assert turn.text
        assert turn.text == turn.text.strip()
    for draft in drafts_detect(transcript):
        assert draft.target_count >= 1
        assert len(draft.title) <= 80


@given(data=st.binary(max_size=200))
@settings(max_examples=200, deadline=None)
def test_any_bytes_parse_or_are_refused(data):
    _parsed(data)
