"""Each transcript format a therapist may have, read into the same turns: who spoke, what they
said, on which line (care/formats.py, care/transcripts.py).

Every case is a short export written as the tool writes it; what is asserted is what the
therapist would see after recording it: the turns' roles, words and lines, the format named,
the speakers proposed, and nothing of the file's machinery (cue numbers, timings, tags) in the
words.
"""

from __future__ import annotations

import io

import docx
import pytest

from care.transcripts import NO_TURNS, Speaker, TranscriptError, transcript_parse, transcript_speakers

T, P = Speaker.THERAPIST, Speaker.PATIENT


def turns(source: str | bytes, **roles: str) -> list[tuple[Speaker, str, int]]:
    parsed = transcript_parse(source, speaker_roles=roles or None)
    return [(turn.speaker, turn.text, turn.line) for turn in parsed.turns]


def test_plain_role_labels_in_any_case():
    source = "therapist: Could you try it?\nCLIENT: Yes.\nCounsellor: Good.\nPaciente: Vale."
    assert turns(source) == [(T, "Could you try it?", 1), (P, "Yes.", 2), (T, "Good.", 3), (P, "Vale.", 4)]
    assert transcript_parse(source).roles_proposed is False


def test_caps_and_crlf_are_named_as_such():
    assert transcript_parse("THERAPIST: Hello.\nCLIENT: Hi.").format == "caps"
    crlf = transcript_parse("Therapist: Hello.\r\nClient: Hi.\r\n")
    assert (crlf.format, [turn.line for turn in crlf.turns]) == ("crlf", [1, 2])


def test_t_and_c_labels():
    parsed = transcript_parse("T: Shall we say three a week?\nC: Three, yes.")
    assert parsed.format == "tc"
    assert [(turn.speaker, turn.text) for turn in parsed.turns] == [
        (T, "Shall we say three a week?"),
        (P, "Three, yes."),
    ]


def test_named_speakers_are_proposed_by_who_asks_and_proposes():
    source = (
        "Dr. Lee: How was the week?\nJordan: Long.\nDr. Lee: Could you try one question on Thursday?\n"
        "Jordan: Okay, I'll try.\n"
    )
    parsed = transcript_parse(source)
    assert parsed.format == "named"
    assert parsed.roles_proposed is True
    assert parsed.speaker_roles == {"Dr. Lee": T, "Jordan": P}
    assert [(seen.name, seen.turns, seen.role) for seen in transcript_speakers(source)] == [
        ("Dr. Lee", 2, T),
        ("Jordan", 2, P),
    ]


def test_the_therapist_confirms_or_swaps_who_is_who():
    source = "Sam: How was the week?\nAlex: Could you tell me more about that?\nSam: Sure.\nAlex: Okay."
    swapped = transcript_parse(source, speaker_roles={"sam": "patient", "ALEX": "therapist"})
    assert [(turn.name, turn.speaker) for turn in swapped.turns] == [
        ("Sam", P),
        ("Alex", T),
        ("Sam", P),
        ("Alex", T),
    ]
    with pytest.raises(TranscriptError) as unknown:
        transcript_parse(source, speaker_roles={"Robin": "therapist"})
    assert unknown.value.code == "unknown_speaker"
    with pytest.raises(TranscriptError) as invalid:
        transcript_parse(source, speaker_roles={"Sam": "nurse"})
    assert invalid.value.code == "invalid_role"


def test_timestamps_before_labels():
    source = "[00:01:38] Therapist: Could you try it?\n\n[00:01:45] Client: I will."
    parsed = transcript_parse(source)
    assert parsed.format == "timestamped"
    assert [(turn.speaker, turn.text, turn.line) for turn in parsed.turns] == [
        (T, "Could you try it?", 1),
        (P, "I will.", 3),
    ]


def test_markdown_bold_labels():
    source = "# Session 4\n\n**Therapist:** Could you try it?\n\n**Client:** I will.\n"
    parsed = transcript_parse(source)
    assert (parsed.format, parsed.title) == ("markdown", "Session 4")
    assert [(turn.speaker, turn.text) for turn in parsed.turns] == [(T, "Could you try it?"), (P, "I will.")]


# A name is a speaker once it recurs (or is marked as one): a one-off "Note: ..." is words.
@pytest.mark.parametrize(
    "stamps",
    [("[10:02] ", "[10:03] ", "[10:03] ", "[10:04] "), ("10:02 AM - ", "10:03 AM - ", "10:03 AM - ", "10:04 AM - ")],
)
def test_a_chat_log_with_one_persons_messages_in_a_row_as_one_turn(stamps):
    said = ["Dr. Lee: Could you try it this week?", "Jordan: ok will do", "Jordan: thursday?", "Dr. Lee: Thursday."]
    parsed = transcript_parse("\n".join(stamp + line for stamp, line in zip(stamps, said, strict=True)))
    assert parsed.format == "chat"
    assert [(turn.name, turn.text, turn.lines) for turn in parsed.turns] == [
        ("Dr. Lee", "Could you try it this week?", (1,)),
        ("Jordan", "ok will do thursday?", (2, 3)),
        ("Dr. Lee", "Thursday.", (4,)),
    ]


VTT_VOICE = """WEBVTT

1
00:00:01.000 --> 00:00:04.000
<v Dr. Lee>What would it be like to ask one question?</v>

2
00:00:04.500 --> 00:00:06.000
<v Dr. Lee>Just one.</v>

3
00:00:06.500 --> 00:00:08.000
<v Jordan>Okay. <i>One</i> question.</v>
"""


def test_webvtt_voice_tags_without_cue_numbers_timings_or_tags_in_the_words():
    parsed = transcript_parse(VTT_VOICE)
    assert parsed.format == "vtt_voice"
    assert [(turn.name, turn.text, turn.lines) for turn in parsed.turns] == [
        ("Dr. Lee", "What would it be like to ask one question? Just one.", (5, 9)),
        ("Jordan", "Okay. One question.", (13,)),
    ]
    assert parsed.speaker_roles == {"Dr. Lee": T, "Jordan": P}
    # A quote from the turn's second cue names that cue's line, not the turn's first.
    assert parsed.turns[0].line_at(parsed.turns[0].text.index("Just")) == 9


def test_zooms_webvtt_cues_of_name_and_text():
    cues = ["Maya Ruiz: Could you try it tonight?", "Sam Ortiz: Yes, tonight.", "Maya Ruiz: Good.", "Sam Ortiz: Bye."]
    source = "WEBVTT\n\n" + "\n".join(
        f"{n}\n00:00:0{n}.000 --> 00:00:0{n}.500\n{cue}\n" for n, cue in enumerate(cues, start=1)
    )
    parsed = transcript_parse(source)
    assert parsed.format == "vtt_zoom"
    assert [(turn.name, turn.text, turn.line) for turn in parsed.turns] == [
        ("Maya Ruiz", "Could you try it tonight?", 5),
        ("Sam Ortiz", "Yes, tonight.", 9),
        ("Maya Ruiz", "Good.", 13),
        ("Sam Ortiz", "Bye.", 17),
    ]


def test_srt_speakers_with_no_cue_number_or_timing_in_the_words():
    source = (
        "1\n00:00:01,000 --> 00:00:03,000\nTherapist: Could you try it\nthree times a week?\n\n"
        "2\n00:00:03,500 --> 00:00:05,000\nClient: 3 times, yes.\n"
    )
    parsed = transcript_parse(source)
    assert parsed.format == "srt"
    assert [(turn.speaker, turn.text, turn.lines) for turn in parsed.turns] == [
        (T, "Could you try it three times a week?", (3, 4)),
        (P, "3 times, yes.", (8,)),
    ]
    assert all("-->" not in turn.text and "00:00" not in turn.text for turn in parsed.turns)


@pytest.mark.parametrize(
    ("headers", "format_"),
    [(("Speaker 1  00:12:31", "Speaker 2  00:12:35"), "otter"), (("Dr. Lee   4:05", "Jordan   4:09"), "teams")],
)
def test_a_header_line_then_the_words_below_it(headers, format_):
    therapist, patient = headers
    source = f"{therapist}\nCould you try it?\nJust once.\n\n{patient}\nYes.\n\n{therapist}\nGood.\n\n{patient}\nBye.\n"
    parsed = transcript_parse(source)
    assert parsed.format == format_
    assert [(turn.speaker, turn.text, turn.lines) for turn in parsed.turns] == [
        (T, "Could you try it? Just once.", (2, 3)),
        (P, "Yes.", (6,)),
        (T, "Good.", (9,)),
        (P, "Bye.", (12,)),
    ]
    assert all("00:12" not in turn.text and "4:0" not in turn.text for turn in parsed.turns)


def _docx(*paragraphs: str) -> bytes:
    document = docx.Document()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_a_word_file_is_read_paragraph_by_paragraph():
    parsed = transcript_parse(_docx("Session 3", "Therapist: Could you try it?", "Client: I will."))
    assert parsed.format == "docx"
    assert [(turn.speaker, turn.text, turn.line) for turn in parsed.turns] == [
        (T, "Could you try it?", 2),
        (P, "I will.", 3),
    ]


def test_a_file_with_no_turns_is_refused_naming_the_formats_it_could_be():
    with pytest.raises(TranscriptError) as refused:
        transcript_parse("Notes from today.\nWe talked about the week.\n")
    assert refused.value.code == "no_turns"
    assert refused.value.detail == NO_TURNS
    for accepted in ("Therapist: …", "WebVTT", "SRT", "Otter", "Teams", "Zoom", "chat logs", "Word (.docx)"):
        assert accepted in NO_TURNS


@pytest.mark.parametrize("roles", [{"Sam": "therapist", "Alex": "therapist"}, {"Sam": "patient", "Alex": "patient"}])
def test_roles_given_that_leave_no_therapist_or_no_patient_are_refused(roles):
    source = "Sam: How was the week?\nAlex: Could you tell me more about that?\nSam: Sure.\nAlex: Okay."
    with pytest.raises(TranscriptError) as refused:
        transcript_parse(source, speaker_roles=roles)
    assert (refused.value.code, refused.value.attr) == ("invalid_roles", "speaker_roles")
