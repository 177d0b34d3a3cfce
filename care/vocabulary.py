"""The words the drafter listens for, in one table a therapist could read and amend.

Every entry is a plain phrase, matched case-insensitively on word boundaries with curly and
straight apostrophes alike (``care.detection.phrase_spans``); nothing here is a regex. When
phrases overlap in a text, the longest one counts, so "not sure" hides the "sure" inside it
and "between now and" the "now" an in-the-room exercise is told by: add the longer phrase
rather than an exception.

An agreement is a proposal of a future action by the patient followed by the patient's
acceptance (``care.detection``). The lists here say what each piece sounds like:

- ``proposals`` propose on their own ("would you be willing to", "your homework"); the
  ``openers`` ("could you", "how about", "let's") propose only when the sentence or its turn
  also points past the session (``homework_words``: a cadence, a day, "this week", "try"...),
  since "could you say more" and "how about we look at that" are not homework.
- ``not_proposals`` ask to talk, remember or imagine ("could you tell me", "let's look at").
- ``not_homework`` marks a sentence that proposes something other than homework: done in the
  room ("right now", "together now"), hypothetical ("if you ever"), past ("last week you"),
  or planned by the therapist for themselves.
- ``agreements`` / ``declines`` / ``asides``: the patient's stance; the last one said decides.
- ``revisions``: the therapist changing what was just proposed ("actually, let's say three").
- ``own_plans`` / ``endorsements``: a plan the patient proposes and the therapist welcomes.
- ``kinds``: the words that tell a reflection, a pride list and an experiment apart; anything
  else that recurs is a custom practice.

The lists lean narrow where a wrong draft would put words in a patient's mouth; a missed
draft costs the therapist one click to add by hand.
"""

from __future__ import annotations

from dataclasses import dataclass

from journal.models import Commitment


@dataclass(frozen=True)
class CadenceWords:
    cadence: Commitment.Cadence
    phrases: tuple[str, ...]
    #: Phrases said after a count ("three mornings a week"): the count before them is the target.
    counted: tuple[str, ...] = ()


@dataclass(frozen=True)
class KindWords:
    kind: Commitment.Kind
    phrases: tuple[str, ...]
    #: The cadences the kind can be counted by, when not every one: pride entries are kept by
    #: the ISO week (``journal.selectors.period_practised``), so a pride practice is weekly.
    cadences: tuple[Commitment.Cadence, ...] = tuple(Commitment.Cadence)


@dataclass(frozen=True)
class Vocabulary:
    proposals: tuple[str, ...]
    openers: tuple[str, ...]
    not_proposals: tuple[str, ...]
    homework_words: tuple[str, ...]
    not_homework: tuple[str, ...]
    #: Longer phrases holding a ``not_homework`` word that still point past the session.
    homework_despite: tuple[str, ...]
    agreements: tuple[str, ...]
    declines: tuple[str, ...]
    asides: tuple[str, ...]
    revisions: tuple[str, ...]
    #: How a patient takes back a yes a turn later ("actually, I don't think I can").
    withdrawals: tuple[str, ...]
    own_plans: tuple[str, ...]
    endorsements: tuple[str, ...]
    #: Words that, first in the proposed action, ask the patient to do less of it or none
    #: ("could you try to stop telling yourself..."): nothing is proposed.
    negations: tuple[str, ...]
    not_negations: tuple[str, ...]
    kinds: tuple[KindWords, ...]
    cadences: tuple[CadenceWords, ...]
    #: Number words (digits count too). A range ("two or three") sets its lower end: a target
    #: is something to meet, and the product never counts a patient short of enough.
    numbers: dict[str, int]
    weekdays: dict[str, tuple[int, ...]]
    #: Words that place an hour said without am or pm in the morning or the evening.
    morning: tuple[str, ...]
    evening: tuple[str, ...]


# fmt: off
_DAY_NAMES = {
    "monday": 1, "tuesday": 2, "wednesday": 3, "thursday": 4, "friday": 5, "saturday": 6, "sunday": 7,
    "mon": 1, "tue": 2, "tues": 2, "wed": 3, "thu": 4, "thur": 4, "thurs": 4, "fri": 5, "sat": 6, "sun": 7,
}

VOCABULARY = Vocabulary(
    proposals=(
        "would you be willing to", "would you be willing", "would you be open to", "are you willing to",
        "would you be up for", "are you up for", "would you be prepared to",
        "what would it take for you to commit", "can you commit", "could you commit", "will you commit",
        "I'd like you to", "I would like you to", "I'd love you to", "I'd love for you to", "I want you to",
        "I'd invite you to", "I invite you to", "I'd encourage you to", "I'm going to ask you to",
        "I'd ask you to", "I'd suggest", "I would suggest", "I want to suggest", "my suggestion is",
        "I'd recommend", "you'd be willing", "you'd be up for", "you'd be open to", "I wonder if you'd",
        "would it be worth", "might it be worth", "is it worth", "would it help to", "it might help to",
        "I wonder if you could", "I wonder if you might", "I'm wondering whether you might",
        "I'm wondering whether you could", "I'm wondering if you could", "I'm wondering if you might",
        "I wonder whether you could", "I wonder whether you might",
        "your homework", "the homework", "for homework", "as homework", "homework for this week", "some homework",
        "the assignment is", "the first assignment is", "the second assignment is", "your assignment",
        "the plan for this week is", "the plan this week is", "your job is", "your job this week",
        "your job between now and then", "the task is", "the challenge is", "can I set you a challenge",
        "I'm going to suggest", "I am going to suggest", "I'm going to ask you to", "I am going to ask you to",
        "I'm going to give you", "I am going to give you", "let's pencil", "let's write that down as",
        "your task is", "your task this week", "your assignment is", "your experiment is",
        "your experiment this week", "the experiment is",
        "between now and our next session", "between now and next time", "between now and next week",
        "between now and then", "between now and when we meet", "before we meet again", "before next session",
        "before our next session", "until next time", "until we meet", "over the next week",
        "over the coming week", "in the coming week", "for the next week", "this coming week",
        "which days could you", "which day could you", "what days could you", "what day could you",
        "when could you", "what time could you", "which days would you", "which day would you",
        "which days will you", "when will you", "when would you", "what time would you", "can we agree", "could we agree", "shall we agree", "let's agree", "shall we say", "let's say",
        "how would you feel about", "what would you think about", "what do you think about trying",
        "what do you reckon to", "how do you feel about", "how do you feel about trying", "would it be okay to",
        "would it be possible for you to", "do you think you could", "do you think you might",
        "do you want to try", "would you like to try", "would you consider", "what would it be like to",
        "what would it be like if you", "let's have you", "let's set", "let's plan", "let's make",
        "let's try", "let's also try", "let's build in", "let's put", "let's schedule",
        "the practice this week", "your practice this week", "your plan is", "the plan is",
    ),
    openers=(
        "could you", "can you", "would you", "will you", "could you try", "can you try", "would you try",
        "how about", "what about", "what if you", "what if", "what if you tried", "maybe you could", "perhaps you could",
        "you could", "you might", "you might try", "try to", "try", "let's", "so", "and", "also",
        "shall we", "why don't you", "why not", "see if you can", "see whether you can",
        "give it a go", "give it a try",
    ),
    not_proposals=(
        "could you tell me", "can you tell me", "would you tell me", "will you tell me",
        "could you say more", "can you say more", "could you describe", "can you describe",
        "can you remember", "could you remember", "can you imagine", "could you imagine",
        "can you think of", "could you think of", "would you say", "would you like to talk",
        "can you see", "could you see", "can you picture", "could you picture",
        "let's talk", "let's look at", "let's look back", "let's think about", "let's explore",
        "let's go back", "let's come back", "let's discuss", "let's review", "let's check in", "let's start",
        "let's begin", "let's pause", "let's stop", "let's leave it", "let's wrap up", "let's see",
        "let's book", "let's meet", "let's schedule our", "let's pick this up", "let's take a look",
        "let's notice what", "let's slow down", "let's stay with", "let's sit with", "let's name",
        "let's unpack", "let's get into", "let's spend a few minutes", "let's take a moment",
        "let's take a minute", "what about you", "how about you tell me", "what if you could",
        "what if you were", "what if you had", "what if you didn't", "what would it be like for",
        "so what", "so how", "so why", "so when", "so you", "so it", "so that", "so I", "so it's",
        "and what", "and how", "and when", "and why", "also,", "try this", "try that",
        "what could you", "what can you", "what might you", "what's one", "what is one", "what's something",
        "what is something", "what else could you", "how could you", "how might you", "how can you",
        "how would you", "what would you do", "what do you think you could", "what's a small", "what's one small",
        "let's say you", "let's say that", "let's say it", "let's say for", "what if I", "what if we",
        "what if it", "what if that", "what if they", "what if he", "what if she", "what if there",
    ),
    homework_words=(
        "each day", "every day", "daily", "a day", "each morning", "every morning", "each evening",
        "every evening", "each night", "every night", "before bed", "at bedtime", "each week", "every week",
        "a week", "weekly", "per week", "times a week", "this week", "next week", "this weekend",
        "tomorrow", "tonight", "today", "between now and", "before we meet", "next time", "next session",
        "homework", "at home", "practice", "practise", "experiment", "try", "trying", "log", "diary",
        "diary card", "journal", "write down", "jot down", "keep a", "keep track", "track",
        "schedule", "plan", "proud", "notice", "monday", "tuesday", "wednesday", "thursday", "friday",
        "saturday", "sunday", "mondays", "tuesdays", "wednesdays", "thursdays", "fridays", "saturdays",
        "sundays", "weekends", "weekdays", "after work", "after your shift", "on the days",
        "on your days off", "in the mornings", "in the evenings", "o'clock", "once", "twice", "routine",
        "reminder", "check in with yourself", "go for", "book", "sign up", "reach out", "call", "text",
    ),
    not_homework=(
        "right now", "now", "here", "in the room", "in here", "in session", "with me", "together",
        "for a moment", "for a minute", "a few breaths", "if you ever", "imagine", "suppose",
        "hypothetically", "one day", "someday", "some day", "in the future", "down the line",
        "eventually", "would you ever", "last week", "last night", "last weekend", "yesterday", "earlier this week",
        "last monday", "last tuesday", "last wednesday", "last thursday", "last friday", "last saturday", "last sunday", "last time", "did you", "have you been",
        "how did", "how was", "were you able", "you've been",
        "I'll send", "I will send", "I'll email", "I'll print", "I'll bring", "I'll look", "I'll find",
        "I'll check", "I'll write", "I'll call", "I'll get", "I'm going to send", "let me send",
        "let me get", "let me find", "I'll put", "I'll make a note", "before we finish today",
        "before we end today", "as we sit here", "with your eyes closed", "close your eyes",
        "your partner", "your wife", "your husband", "your mum", "your mom", "your dad", "your son",
        "your daughter", "your boss",
    ),
    homework_despite=(
        "between now and", "from now on", "now and then", "now and again", "here and there", "here's",
        "here is", "together with", "with me next time", "bring it with", "bring them with",
        "bring that with", "show me next time", "what if you tried", "what if you did", "if you tried", "to me next time", "did you know", "how did it go",
    ),
    agreements=(
        "yes", "yeah", "yep", "yup", "yes please", "okay", "ok", "okey", "alright", "all right", "sure",
        "of course", "absolutely", "definitely", "no problem", "deal", "fine", "fair enough", "I think so",
        "I can try", "I'll try", "I will try", "I can do that", "I can do it", "I could do that",
        "I could try", "I can manage that", "I can manage", "I think I can do that", "I can commit to that",
        "I can commit", "I'll commit", "I'll give it a shot", "I'll give it a try", "I'll give it a go",
        "I'll give that a go", "I'll give that a try", "I'll have a go", "I'll do it", "I'll do that",
        "I will", "I'm willing", "I am willing", "I'm in", "I'm up for", "I'm up for that",
        "I'm game", "let's do it", "let's do this", "let's try it", "let's go with that", "sounds good",
        "sounds fair", "sounds like a plan", "that's fair", "that works", "that could work", "works for me",
        "that sounds doable", "that's doable", "doable", "that I can do", "I can do", "can do", "will do",
        "I'll start", "I can't wait", "can't wait", "happy to", "I'd like that", "I'd like to",
        "why not", "I suppose so", "I guess so", "I guess I can", "I suppose I can", "I'll do my best",
        "I'll manage", "I like that", "I like it", "I love that", "that's manageable", "manageable",
        "I could manage", "I could", "mm-hm", "mhm", "uh-huh", "go on then", "go on", "aye", "I'll", "I will", "right,",
        "right.", "yes, okay", "let's", "I'm going to", "I'm gonna", "will try", "gonna try", "I shall", "I'll be there", "agreed",
        "I agree", "count me in", "that feels right", "that feels doable", "that feels manageable",
    ),
    declines=(
        "no,", "no.", "no!", "no thanks", "no thank you", "nope", "nah", "not really", "I don't think I can", "I don't think so",
        "I don't want to", "I'm not ready", "absolutely not", "definitely not", "of course not", "certainly not",
        "cant", "i cant", "wont", "dont think so", "is a lot", "I won't.", "I won't,", "I won't do", "I won't be able",
        "I won't manage", "not ready", "I'd rather not", "I would rather not",
        "I'd prefer not", "I'd prefer not to", "let's not", "I can't", "I cannot", "I will not",
        "not this week", "not this weekend", "not today", "not right now", "not yet", "maybe later",
        "maybe another time", "that's too much", "that's a lot", "too much for me", "too much",
        "I'm not sure", "not sure", "not sure I can", "not sure I could", "not sure that's me",
        "I don't know", "don't know if", "don't know whether", "don't know if I can", "we'll see",
        "we will see", "I doubt", "doubt it", "not convinced", "it won't", "won't happen",
        "it won't happen", "probably won't", "probably not", "not going to happen", "not gonna happen",
        "unlikely", "not for me", "I'll pass", "pass on that", "skip that", "leave that one",
        "can we leave that", "can we skip", "can we drop", "drop that", "not that one", "no way",
        "I'd rather leave", "I'd rather not do", "I'd rather skip", "not something I can", "I couldn't",
        "that's not going to work", "that won't work", "doesn't work for me", "hold off",
        "I'm not doing", "I'm not going to", "not up for", "not keen", "I'm not keen", "I'll think about it",
        "I'll see", "I'll probably forget", "I'll forget", "I'll never", "I'd never", "I'll just end up",
        "I'll feel", "I'll only", "I'll get it wrong", "I'll mess", "I'll fail", "I'll panic", "I'll be sick",
        "I'll look", "I'll be honest", "I'll admit",
    ),
    asides=(
        "it won't be perfect", "it won't be easy", "it won't hurt", "won't hurt to try", "it won't take long",
        "no pressure", "no promises", "no idea", "no matter", "no big deal", "no rush", "not perfectly",
        "not perfect", "not every", "not always", "not much", "not a lot", "no, that's fine",
        "no, that's okay", "no, I can", "no, I will", "no, I'll", "no, I could", "no, that works",
        "no, that makes sense", "no, it's fine", "not too much", "no more than", "too much pressure",
        "I can't promise", "can't promise", "I don't know why", "I don't know how", "I don't know what",
        "I don't know, maybe", "not sure why", "not sure how", "I can't believe", "I can't remember",
        "I can't think", "I won't lie", "I won't promise", "I'm not sure it will help", "not sure it will help",
        "I don't know if it will help", "I doubt it'll be perfect", "I couldn't tell", "I can't wait",
        "not to mention", "not bad", "no excuses", "no harm", "not the end of the world",
        "too much to", "I couldn't believe", "I don't think it'll be perfect", "if I said yes", "said yes",
        "say yes", "saying yes", "say no", "saying no", "said no", "one no", "a no", "no one", "no-one", "no idea",
    ),
    revisions=(
        "actually", "instead", "let's say", "let's make it", "let's make that", "make it", "make that",
        "more realistic", "more doable", "more manageable", "scale it back", "scale that back",
        "start with", "start smaller", "smaller", "how about just", "what about just", "maybe just",
        "just one", "just two", "just three", "or even", "let's go with", "change that to", "rather than",
        "cut it down", "cut that down", "let's drop it to", "fewer", "only", "let's keep it to",
        "keep it to", "what if we said", "what if it were", "what if it was", "would that be more",
        "is that more", "does that feel more", "let's aim for", "aim for", "on second thought", "shall we say",
        "could we say", "can we say", "what about", "how about", "maybe", "let's do",
    ),
    withdrawals=(
        "actually", "on second thought", "on second thoughts", "thinking about it", "wait", "hang on",
        "you know what", "hmm, actually", "scratch that", "now that I think", "the more I think",
    ),
    own_plans=(
        "I could", "I might", "maybe I could", "maybe I'll", "maybe I can", "what if I", "what about if I",
        "I think I'll", "I'm going to", "I'm gonna", "I want to", "I'd like to", "I'll try to",
        "I was thinking I", "I was thinking of", "I was thinking about", "how about I", "what if I tried",
        "I thought I could", "I thought I might", "I'll", "I will", "I plan to", "I can",
    ),
    endorsements=(
        "that sounds great", "that sounds good", "that sounds like a plan", "that sounds like a great",
        "that sounds like a good", "that sounds perfect", "that sounds really", "sounds great",
        "sounds good", "sounds like a plan", "I love that", "I love it", "love that", "love it",
        "great idea", "good idea", "lovely idea", "brilliant", "wonderful", "perfect", "let's do that",
        "let's make that", "let's go with that", "let's go with it", "let's write that down",
        "let's put that down", "let's add that", "let's add it", "I like that", "I like it",
        "I really like that", "that's a great", "that's a good", "that's a lovely", "that's perfect",
        "that's exactly", "yes, let's", "go for it", "absolutely", "great plan", "good plan",
        "excellent", "fantastic", "that would be great", "that'd be great", "that works", "deal",
        "I'd love that", "I'd love for you to", "that's a plan", "nice", "great", "yes", "sounds much better",
        "sounds better", "much better", "better idea", "even better", "that's better", "good plan", "spot on",
    ),
    negations=("stop", "stopping", "quit", "quitting", "not", "don't", "never", "no longer", "less",
               "fewer", "avoid", "avoiding", "cut out", "give up"),
    not_negations=("don't stop", "never stop", "not only", "not just", "don't forget", "never forget",
                   "less-than-perfect", "less than perfect", "not perfect", "not perfectly"),
    kinds=(
        KindWords(
            kind=Commitment.Kind.PRIDE_WEEKLY,
            phrases=(
                "proud", "pride", "went well", "go well", "did well", "done well", "do well", "wins",
                "win", "accomplishments", "accomplished", "achievements", "achieved", "successes",
                "good things you did", "things you did well", "things you managed", "what you managed",
                "what you got done", "what you did right", "small victories", "victories",
            ),
            cadences=(Commitment.Cadence.WEEKLY,),
        ),
        KindWords(
            kind=Commitment.Kind.REFLECTION_DAILY,
            phrases=(
                "effort", "efforts", "notice what you tried", "tell yourself", "telling yourself",
                "say to yourself", "saying to yourself", "kind words", "kind to yourself", "kindness",
                "self-compassion", "self compassion", "compassionate", "doing your best", "my best",
                "good enough", "that's enough", "reflect", "reflecting", "reflection",
                "journal about your day", "write about your day", "soothing", "kind voice",
                "kinder voice", "gentle with yourself", "speak to yourself", "talk to yourself",
                "compassion break", "self-talk", "the friend", "a friend would", "hand on your heart",
                "to yourself", "you did", "that you did", "one thing you did", "something you did", "mattered",
                "care about", "got done", "despite", "the way you'd speak", "speak to", "kind", "gentle", "soothe",
                "soften", "warm", "defence", "compassion", "hand on", "moment when", "moment in the day",
                "what you managed", "noticing", "notice",
                "warm", "loving-kindness", "your inner critic", "the critic", "notice the critic",
            ),
        ),
        KindWords(
            kind=Commitment.Kind.EXPERIMENT,
            phrases=(
                "experiment", "new recipe", "new dish", "something new", "imperfect", "imperfectly",
                "just once", "one time", "this once", "test", "test out", "see what happens",
                "find out", "prediction", "predict", "risk", "ask", "send", "submit", "post", "invite",
                "sign up", "go to", "attend", "leave it", "leave the", "hand in", "turn in", "raise",
                "speak up", "say no", "let it be", "on purpose", "deliberately", "without checking",
                "without rereading", "without editing", "without fixing", "without correcting",
            ),
        ),
    ),
    cadences=(
        CadenceWords(
            cadence=Commitment.Cadence.DAILY,
            phrases=(
                "each day", "every day", "daily", "a day", "per day", "every single day", "every morning",
                "each morning", "every evening", "each evening", "every night", "each night", "nightly",
                "before bed", "at bedtime", "every bedtime", "twice a day", "once a day", "each afternoon",
                "every afternoon", "day by day", "every lunchtime", "each lunchtime", "every workday",
                "in the mornings", "in the evenings", "at night", "each time you", "every time you",
                "whenever you",
            ),
            counted=("times a day", "times each day", "times per day", "times every day"),
        ),
        CadenceWords(
            cadence=Commitment.Cadence.WEEKLY,
            phrases=(
                "each week", "every week", "a week", "weekly", "per week", "once a week", "twice a week",
                "every weekend", "each weekend", "on weekends", "at the weekend", "at weekends",
                "over the weekend", "each sunday", "every sunday",
            ),
            counted=(
                "times a week", "times per week", "times this week", "days a week", "days per week",
                "days this week", "mornings a week", "evenings a week", "nights a week", "times each week",
                "days each week", "walks a week", "sessions a week", "afternoons a week", "shifts a week",
                "times over the week", "times before we meet", "times before next session",
            ),
        ),
        CadenceWords(
            cadence=Commitment.Cadence.ONCE,
            phrases=(
                "this once", "just once", "only once", "one time", "once", "today", "tonight", "tomorrow",
                "this week", "by the end of the week", "before we meet", "before next session",
                "this weekend", "this new recipe", "one evening", "one afternoon", "one morning", "one day",
                "one night", "at some point", "sometime",
            ),
        ),
    ),
    numbers={
        "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
        "ten": 10, "a couple of": 2, "a couple": 2, "couple of": 2, "once": 1, "twice": 2, "thrice": 3,
    },
    weekdays={
        **{name: (day,) for name, day in _DAY_NAMES.items()},
        **{f"{name}s": (day,) for name, day in _DAY_NAMES.items() if len(name) > 3},
        "weekdays": (1, 2, 3, 4, 5), "weekday": (1, 2, 3, 4, 5), "workdays": (1, 2, 3, 4, 5),
        "weekends": (6, 7), "weekend": (6, 7),
    },
    morning=("morning", "mornings", "breakfast", "wake", "wakes", "waking", "up", "before work", "am", "a.m.",
             "commute", "sunrise", "early"),
    evening=("evening", "evenings", "night", "tonight", "dinner", "supper", "after work", "bed", "bedtime",
             "pm", "p.m.", "after the shift", "after your shift", "sunset", "late"),
)
# fmt: on
