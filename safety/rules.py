"""The rules: the first, high-precision reading of risk language (safety/risk.py says how it is used).

Each rule is a readable pattern, and the corpus in ``tests/safety/corpus/`` says what they must catch
and what they must leave. How a sentence is read:

1. **Normalised**: lower case, curly quotes straightened, the spellings people type on a
   phone mapped to one form ("im", "dont", "wanna", "kms", "unalive", "sucide").
2. Split into **clauses** (at ``,`` ``;`` "but" "so"), so that "I'm not suicidal, but I wish I
   could sleep and not wake up" is read as the two things it says.
3. A clause that matches a **risk pattern** counts unless its own words undo it:
   - a **negation** of the intent just before it ("I'm *not* suicidal", "I would *never* hurt
     myself"), though not uncertainty ("I'm not sure I want to live" counts);
   - the **past told as past** ("when I was 16 I used to cut"), unless it says it is back
     ("again", "lately", "still");
   - **someone else's** words or a story ("my friend said she wants to die", "the character
     kills himself in the novel");
   - the **idioms** of a kitchen and of everyday talk ("killing myself to get the menu out",
     "I could die of embarrassment", "I cut myself on the mandoline").

Low mood alone is not risk: "I'm worthless", "everything is pointless" are not flagged.
Every pattern is linear (bounded gaps, no nested repetition, no look-ahead over the rest of the
clause), so no text can stall it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from safety.kinds import Kind

# --- Normalising -------------------------------------------------------------------------------

_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'", "\u201c": '"', "\u201d": '"'})
#: Spellings typed on phones, one word each, mapped to the form the patterns use.
_WORDS = {
    "im": "i'm",
    "ive": "i've",
    "id": "i'd",
    "dont": "don't",
    "doesnt": "doesn't",
    "didnt": "didn't",
    "cant": "can't",
    "cannot": "can't",
    "wont": "won't",
    "wouldnt": "wouldn't",
    "shouldnt": "shouldn't",
    "couldnt": "couldn't",
    "isnt": "isn't",
    "wasnt": "wasn't",
    "aint": "isn't",
    "havent": "haven't",
    "hasnt": "hasn't",
    "hadnt": "hadn't",
    "arent": "aren't",
    "werent": "weren't",
    "hes": "he's",
    "shes": "she's",
    "youre": "you're",
    "theyre": "they're",
    "sh": "self harm",
    "ngl": "",
    "tbh": "",
    "lol": "",
    "whats": "what's",
    "thats": "that's",
    "theres": "there's",
    "its": "it's",
    "wanna": "want to",
    "gonna": "going to",
    "gotta": "got to",
    "tryna": "trying to",
    "u": "you",
    "ur": "your",
    "rn": "right now",
    "tn": "tonight",
    "tmrw": "tomorrow",
    "idk": "i don't know",
    "idc": "i don't care",
    "kms": "kill myself",
    "ctb": "end my life",
    "unalive": "kill",
    "unaliving": "killing",
    "sewerslide": "suicide",
    "sucide": "suicide",
    "suicde": "suicide",
    "suiside": "suicide",
    "suicidel": "suicidal",
    "sucidal": "suicidal",
    "suicdal": "suicidal",
    "suicial": "suicidal",
    "myslef": "myself",
    "mysef": "myself",
    "mself": "myself",
    "meself": "myself",
    "myselfe": "myself",
    "lyf": "life",
    "selfharm": "self harm",
    "wnat": "want",
    "whant": "want",
    "dissapear": "disappear",
    "dissappear": "disappear",
    "anymore": "any more",
    "alot": "a lot",
    "nobody": "no one",
    "noone": "no one",
    "everybody": "everyone",
}
_APOSTROPHE_FORMS = {"i m": "i'm", "i ve": "i've", "i d": "i'd", "i ll": "i'll", "don t": "don't", "can t": "can't"}
_TOKEN = re.compile(r"[a-z0-9']+")


#: Words after which "ill" is being unwell, not "I'll": "I feel ill", "he got ill".
_ILL_AFTER = {
    "feel",
    "feeling",
    "felt",
    "am",
    "was",
    "be",
    "been",
    "got",
    "get",
    "getting",
    "very",
    "so",
    "too",
    "mentally",
    "i'm",
    "look",
    "looks",
    "looked",
    "fall",
    "fell",
    "falling",
    "become",
    "became",
    "gravely",
    "terminally",
    "chronically",
    "is",
    "are",
    "were",
    "seriously",
    "quite",
    "pretty",
    "really",
    "an",
    "the",
}


def normalised(text: str) -> str:
    """Lower case, one spelling per word, words separated by single spaces."""
    words = [_WORDS.get(word.strip("'"), word.strip("'")) for word in _TOKEN.findall(text.translate(_QUOTES).lower())]
    words = [
        "i'll" if word == "ill" and (n == 0 or words[n - 1] not in _ILL_AFTER) else word for n, word in enumerate(words)
    ]
    line = " ".join(word for word in words if word)
    for split, joined in _APOSTROPHE_FORMS.items():  # "i m" from "I`m" lost in tokenising
        line = re.sub(rf"\b{split}\b", joined, line)
    return line


# --- Sentences and clauses -----------------------------------------------------------------------

# One character class each, no nesting: linear on any input.
_SENTENCE_END = re.compile(r"[.!?\u2026\n]+")
_CLAUSE_BREAK = re.compile(r"[,;:]+| - | but | so | though | although | and now | and then ")


def sentences(text: str) -> list[str]:
    """The text's sentences, as written, at ``.`` ``!`` ``?`` ``…`` and line ends."""
    return [part.strip() for part in _SENTENCE_END.split(text) if part.strip()]


# --- The patterns ------------------------------------------------------------------------------

#: Who the clause is about when the pattern does not say "myself": "I" with up to three words
#: before the verb ("I *really just honestly* want to die"; bounded, so linear), or no subject
#: at all, as journals write ("want to die tonight", "honestly suicidal again").
_ADVERB = r"(?:really|just|honestly|so|still|kinda|kind of|sometimes|literally|actually|seriously|truly|almost|lowkey)"
_ME = rf"(?:^(?:{_ADVERB} ){{0,2}}|\bi(?:'m|'ve|'d|'ll)?(?P<gap>(?: [a-z']+){{0,3}}) )"

_DIE = (
    r"(?:die|be dead|not be alive|not exist|stop existing|not be here|disappear forever|disappear for good"
    r"|end it(?! with| between)|end it all|end my life|not wake up|go to sleep forever|sleep forever|stop living)"
)

#: The words of wanting, and of death, for the shape "wanting ... dying" whatever the words between,
#: as long as those are the few that cannot bring in someone else ("I wish *my plants* wouldn't die").
_DESIRE = (
    r"(?:want|wants|wanted|wanting|wish|wishes|wished|wishing|hope|hopes|hoped|hoping|pray|prays|praying|urge|urges"
    r"|ready|longing|long)"
)
_SOFT = (
    r"(?:i|i'd|i'll|i'm|just|could|would|can|to|so|really|only|quietly|peacefully|painlessly|honestly|simply|finally"
    r"|already|actually|of|that|it|all|be|by|in|my|sleep|me|somehow|go|and|never|not|don't|didn't|wouldn't|won't|will"
    r"|kind|the|someday|one|day|soon|tonight|keep|kept|keeps|literally|part|for|something|had|have|was|were)"
)
_DEATH = (
    r"(?:die|dying|be dead|dead|death|suicide|end myself|end my life|end things|end it all|not wake up|don't wake up"
    r"|didn't wake up|never wake up|stop existing|stopped existing|not exist|not make it|don't make it|not be here"
    r"|not be alive|be gone|disappear forever|happens? to me|happen to me|get hit|got hit|hit me|stop breathing)"
)

_PATTERNS: list[tuple[Kind, str]] = [
    (Kind.SUICIDAL, rf"\b{_DESIRE}(?: {_SOFT}){{0,6}} {_DEATH}\b(?! (?:of|from|laughing|for|down)\b)"),
    (Kind.SUICIDAL, r"\bsuicide (?:thoughts|ideation|urges|feelings|attempt)\b"),
    (Kind.SUICIDAL, r"\bend(?:ing)? things\b(?! (?:with|between|off|on))"),
    (
        Kind.SUICIDAL,
        r"\b(?:everyone|everybody|my family|my (?:\w+ )?(?:kids|friends|parents|mom|mum|dad|partner|team|crew|wife"
        r"|husband|sister|brother)|the people (?:i love|around me)|people|they|the world|every ?one|the team|the crew)"
        r" (?:would|will|'d)(?: \w+){0,2} (?:be )?(?:better|happier|relieved|lighter|easier|fine|okay|better off)"
        r"(?: off)?(?: \w+){0,2} (?:without me|if i (?:was|were|wasn't|weren't|died|disappeared|was gone|were gone"
        r"|was dead|were dead)|with me gone|once i'm gone|when i'm gone)\b",
    ),
    (
        Kind.SUICIDAL,
        r"\bwouldn't(?: \w+)? (?:care|mind)(?: \w+)? if (?:a|the|my|some|something|someone) (?:\w+ ){0,2}(?:hit me"
        r"|went down|crashed|killed me|ran me over|fell on me|happened to me)\b",
    ),
    (Kind.SUICIDAL, r"\bwouldn't(?: \w+)? (?:care|mind) if i (?:died|didn't wake up|got hit|never woke up|was gone)\b"),
    (Kind.SUICIDAL, r"\bcan't (?:picture|see|imagine) myself (?:still |being )?(?:alive|here|around|living)\b"),
    (
        Kind.SUICIDAL,
        r"\b(?:don't|do not|can't|no longer) (?:see|find|have) (?:a|any) (?:reason|point) (?:to|in) (?:keep living|live"
        r"|living|go on|going on|stay|staying|be alive|being alive|keep going)\b",
    ),
    # Suicidal thoughts, said outright.
    (Kind.SUICIDAL, r"\b(?:kill|killing|off|offing|end|ending) myself\b"),
    (Kind.SUICIDAL, r"\bend(?:ing|ed)? (?:my|my own) life\b"),
    (Kind.SUICIDAL, r"\btak(?:e|ing) my (?:own )?life\b"),
    (Kind.SUICIDAL, r"\bend(?:ing)? it all\b"),
    (Kind.SUICIDAL, r"\b(?:commit|committing|attempt|attempting|try|trying) (?:to )?(?:commit )?suicide\b"),
    (
        Kind.SUICIDAL,
        rf"{_ME}(?:(?:feel|feeling|felt|am|was|been|getting|get|so|very|pretty|a bit|a little) ){{0,2}}suicidal\b",
    ),
    (Kind.SUICIDAL, r"\b(?:my|having|had|have|with|getting|get|the) suicidal (?:thoughts|ideation|feelings|urges)\b"),
    (Kind.SUICIDAL, r"^suicidal\b"),
    (
        Kind.SUICIDAL,
        r"\b(?:think|thinking|thought|thoughts|fantasi[sz]e|fantasi[sz]ing|dream|dreaming|obsessing) (?:about|of) "
        r"(?:suicide|killing myself|ending it|ending my life|dying|being dead|not being here|not existing"
        r"|not waking up|my own death|death)\b",
    ),
    (Kind.SUICIDAL, rf"{_ME}(?:want|wanted|wanting|wish|wished|need|needed|ready|plan|planning) to {_DIE}\b"),
    (
        Kind.SUICIDAL,
        r"\b(?:not sure|don't know if|don't know whether|unsure if|unsure whether|no idea if|not certain)(?: if| whether)?"
        r"(?: i| i'm)?(?: \w+){0,2} (?:want to|can|going to) (?:live|be alive|keep living|go on|stay alive|be here any more"
        r"|keep going|survive)\b",
    ),
    (Kind.SUICIDAL, r"\bwish(?:ed)? i (?:was|were|could be|had been) dead\b"),
    (Kind.SUICIDAL, r"\bwish(?:ed)? i (?:was|were|had been|had) never (?:been )?born\b"),
    (Kind.SUICIDAL, r"\bwish(?:ed)? i (?:hadn't|had not) been born\b"),
    (Kind.SUICIDAL, r"\bwanting to (?:die|be dead|not exist|stop existing|end it all|end my life)\b"),
    (
        Kind.SUICIDAL,
        r"\b(?:easier|better|simpler) (?:for (?:everyone|everybody|them|all of them) )?if i (?:just )?(?:(?:was|were)"
        r" (?:dead|gone|not here|not around|never born)|stopped existing|disappeared|died|didn't exist|wasn't here)\b",
    ),
    (
        Kind.SUICIDAL,
        r"\b(?:easier|better|simpler) (?:for (?:everyone|everybody|them) )?if i (?:wasn't|weren't) (?:here|around|alive)\b",
    ),
    (Kind.SUICIDAL, r"\bwish(?:ed)? i (?:could|would) (?:just )?(?:die|stop existing|not exist|cease to exist)\b"),
    (Kind.SUICIDAL, r"\bwish(?:ed)? i (?:wasn't|weren't|was not|were not) (?:here|alive|around)\b"),
    (
        Kind.SUICIDAL,
        r"\b(?:better off|better) (?:dead|without me|if i (?:was|were|wasn't|weren't|didn't|were not|was not)"
        r" (?:gone|here|around|alive|exist)|with me gone|once i'm gone|if i disappeared)\b",
    ),
    (
        Kind.SUICIDAL,
        r"\b(?:don't|do not|didn't|no longer) (?:\w+ ){0,3}want to (?:live|be alive|exist|be here any more"
        r"|be around any more|go on|wake up any more|keep living|keep going any more|wake up tomorrow)\b",
    ),
    (Kind.SUICIDAL, r"\b(?:don't|do not) want to be (?:here|alive) any (?:more|longer)\b"),
    (Kind.SUICIDAL, r"\bno (?:reason|point) (?:to|in) (?:live|living|going on|being alive|being here|staying alive)\b"),
    (Kind.SUICIDAL, r"\bnothing (?:left )?to live for\b"),
    (
        Kind.SUICIDAL,
        r"\b(?:life|living|my life) (?:is|isn't|is not|feels|doesn't feel) (?:not )?worth (?:it any more|living)\b",
    ),
    (Kind.SUICIDAL, r"\bnot worth (?:living|being alive|staying alive)\b"),
    (
        Kind.SUICIDAL,
        r"\bwhat's (?:even )?the point (?:of|in) (?:living|life|going on|being alive|being here|staying alive)\b",
    ),
    (
        Kind.SUICIDAL,
        r"\b(?:sleep|go to sleep|fall asleep|close my eyes|lie down) and (?:just )?(?:never|not) wake up\b",
    ),
    (
        Kind.SUICIDAL,
        r"\b(?:hope|hoping|wish|pray|praying) (?:that )?i (?:don't|do not|never|won't|wouldn't|didn't) wake up\b",
    ),
    (Kind.SUICIDAL, r"\bnot wake up (?:tomorrow|again|ever|in the morning)\b"),
    (
        Kind.SUICIDAL,
        r"\bwouldn't mind (?:if i (?:died|didn't wake up|was gone|were gone|got hit)|dying|being dead|not waking up)\b",
    ),
    (
        Kind.SUICIDAL,
        r"\b(?:no one|nobody|anyone) would(?: \w+)? (?:care|notice|miss me)(?: \w+){0,2} if i (?:died|was gone|were gone"
        r"|disappeared|wasn't here|weren't here|killed myself)\b",
    ),
    (
        Kind.SUICIDAL,
        r"\bif i (?:died|was gone|were gone|disappeared) (?:\w+ ){0,2}no one would (?:care|notice|miss me)\b",
    ),
    (
        Kind.SUICIDAL,
        r"\bwant (?:it all|everything|my life|this life) to (?:end|be over|stop) (?:forever|for good|permanently)?",
    ),
    (Kind.SUICIDAL, r"\b(?:done|tired|sick) (?:with|of) (?:living|being alive|life|existing)\b"),
    (Kind.SUICIDAL, r"\bcan't (?:go on|keep living|do life)(?: like this)? any (?:more|longer)\b"),
    (Kind.SUICIDAL, r"\bcan't go on living\b"),
    (Kind.SUICIDAL, r"\b(?:rather|prefer to) be dead\b"),
    # Self-harm: the act, the urge, a relapse.
    (Kind.SELF_HARM, r"\bself (?:harm|harmed|harming|injury|injure|injured|injuring|hurt)\b"),
    (Kind.SELF_HARM, r"\bharm(?:ed|ing)? myself\b"),
    (Kind.SELF_HARM, r"\bhurt(?:ing)? myself\b"),
    (
        Kind.SELF_HARM,
        r"\b(?:want|wanted|wanting|urge|urges|need|needed|going|tempted|trying not|try not) to (?:cut|burn|hit|scratch"
        r"|hurt|bruise|punch|starve) (?:myself|my (?:arm|arms|wrist|wrists|thigh|thighs|leg|legs|skin|stomach))\b",
    ),
    (
        Kind.SELF_HARM,
        r"\b(?:cut|cutting|burned|burnt|burning|hit|hitting|scratched|scratching|punched) "
        r"(?:myself|my (?:arm|arms|wrist|wrists|thigh|thighs|legs|skin)) (?:again|on purpose|to (?:feel|cope|calm|punish|stop))\b",
    ),
    (
        Kind.SELF_HARM,
        r"\b(?:cut|burned|burnt|hit|hurt|scratched|bruised|bit|punched|pressed|held|put|slammed|banged|dragged|ran)"
        r" (?:myself|my \w+)(?: \w+){0,6} on purpose\b",
    ),
    (
        Kind.SELF_HARM,
        r"\b(?:hit|hitting|punched|punching|scratched|scratching|cut|cutting|burned|burnt|bit|biting) (?:myself|my "
        r"(?:arms?|legs?|thighs?|wrists?|skin|face|head|hands?)) (?:until|till|til) (?:it|they|i) (?:bled|bruised|bleed|hurt"
        r"|bruise|couldn't feel)\b",
    ),
    (Kind.SELF_HARM, r"\b(?:cut|cutting|burned|burnt|burning) myself\b(?! (?:a|an|some|another|the|out|off)\b)"),
    (Kind.SELF_HARM, r"\bcut (?:my|both) wrists\b"),
    (
        Kind.SELF_HARM,
        r"^(?:i |i've |i have )?(?:\w+ )?(?:cut|cutting|burned|burning) (?:again|tonight|last night|today)\b",
    ),
    (
        Kind.SELF_HARM,
        r"\b(?:want|wanna|need|urge|urges|going|tempted|itching|dying) to (?:cut|self harm|burn|hurt)(?: myself)?"
        r"(?: (?:so|really) bad| again| tonight| deep| deeper|$)",
    ),
    (
        Kind.SELF_HARM,
        r"\b(?:hit|hitting|punch|punched|punching|slap|slapped|slapping|bite|bit|biting|scratch|scratched|scratching) myself\b",
    ),
    (
        Kind.SELF_HARM,
        r"\b(?:cut|cutting|sliced|slicing|carved|carving|carve|burned|burnt|burning|scratched|stabbed) (?:into )?my "
        r"(?:thigh|thighs|wrist|wrists|stomach|forearm|forearms|arm|arms|leg|legs|skin|hip|hips)\b",
    ),
    (
        Kind.SELF_HARM,
        r"\b(?:punched|hit|banged|slammed) (?:the|a) wall (?:until|till|til) (?:my )?(?:knuckles|hands?|fists?|head) (?:split|bled|broke|cracked)\b",
    ),
    (
        Kind.SELF_HARM,
        r"\b(?:banged|bashed|hit|slammed) my head (?:against|on|into) (?:the|a) (?:wall|floor|door|table|counter)\b",
    ),
    (
        Kind.SELF_HARM,
        r"\b(?:grab|grabbing|get|getting|reach for|reaching for|use|using|pick up|picking up) (?:a|the|my) (?:blade|razor|razor blade)\b",
    ),
    (Kind.SELF_HARM, r"\b(?:need|want|wanted|needed) to feel (?:pain|the pain|physical pain|it hurt)\b"),
    (
        Kind.SELF_HARM,
        r"\b(?:started|start|been|keep|kept|back to|went back to) cutting\b(?! (?:the|onions|carrots|vegetables|corners|\w+ for))",
    ),
    (Kind.SELF_HARM, r"\bcutting again\b"),
    (Kind.SELF_HARM, r"\brelaps(?:e|ed|ing) (?:on|with|into)? ?(?:cutting|self harm|burning|hurting myself)\b"),
    (Kind.SELF_HARM, r"\b(?:clean|free) (?:from|of) (?:cutting|self harm)\b"),
    (Kind.SELF_HARM, r"\b(?:the|my) (?:urge|urges|need) to (?:cut|hurt myself|self harm|burn myself)\b"),
    (
        Kind.SELF_HARM,
        r"\b(?:razor|blade|blades) (?:to|on|against|across) my (?:arm|arms|wrist|wrists|thigh|thighs|skin|leg|legs)\b",
    ),
    # Plans, means, methods.
    (
        Kind.PLAN,
        r"\b(?:saving|saved|stockpiling|stockpiled|hoarding|hoarded|collecting) (?:up )?(?:my |all my |the )?(?:pills|meds|tablets|medication|sleeping pills)\b",
    ),
    (
        Kind.PLAN,
        r"\bhow many (?:pills|tablets|of my meds|of these)(?: \w+){0,4} (?:it would take|would it take|to take|does it take|it takes|to die|would kill)\b",
    ),
    (
        Kind.PLAN,
        r"\b(?:take|taking|swallow|swallowing) (?:all|every one of) (?:my|the|of my) (?:pills|meds|tablets|medication)\b",
    ),
    (
        Kind.PLAN,
        rf"{_ME}(?:(?:want|going|thinking|think|planning|plan|could|might|will|about) (?:to |of |about )?){{1,2}}(?:overdose|overdosing|od)\b",
    ),
    (Kind.PLAN, r"\b(?:hang|hanging|shoot|shooting|drown|drowning|poison|poisoning|gas|gassing|suffocate) myself\b"),
    (
        Kind.PLAN,
        r"\b(?:jump|jumping|throw myself) (?:off|from|in front of) (?:the|a|that|my) (?:bridge|roof|building|balcony|train|bus|cliff|overpass|car)\b",
    ),
    (Kind.PLAN, r"\b(?:step|stepping|walk|walking) in front of (?:a|the) (?:train|bus|truck|car)\b"),
    (Kind.PLAN, r"\b(?:bought|got|have|found|buy|get) (?:a|the) (?:rope|noose|gun)\b"),
    (
        Kind.PLAN,
        r"\b(?:wrote|written|writing|left|finished|drafted) (?:a|the|my) (?:goodbye |last |final )?note(?: (?:for|to) "
        r"(?:my (?:mom|mum|mother|dad|father|sister|brother|family|kids|partner|wife|husband|girlfriend|boyfriend"
        r"|parents|son|daughter)|everyone|whoever finds (?:it|me)|them))?$",
    ),
    (Kind.PLAN, r"\bsuicide note\b"),
    (
        Kind.PLAN,
        r"\b(?:know|figured out|worked out|decided|looked up|researched|googled|searching|searched) (?:exactly )?(?:how|when|where) (?:i(?:'d| would| will|'ll)|to) (?:do it|end it|kill myself|die)\b"
        r"(?! (?:differently|better|again|over|another|next|if|the same|right|properly))",
    ),
    (
        Kind.PLAN,
        r"\b(?:have|made|got|making) (?:a|the) plan (?:to|for) (?:end|ending|kill|killing|die|dying|do it|how)\b",
    ),
    (Kind.PLAN, r"\bwhich bridge\b"),
    (
        Kind.PLAN,
        r"\b(?:decided|know|figured out|planned) (?:how|when|where) (?:i'm|i am|i'll) (?:going to )?(?:end it|do it|die|kill myself)\b",
    ),
    (Kind.PLAN, r"\bstockpil\w* (?:them|it|my \w+)\b"),
    (Kind.PLAN, r"\bhow many (?:\w+ ){0,3}(?:it would take|would it take|it takes|does it take|it'd take)\b"),
    (Kind.PLAN, r"\b(?:picked|chosen|chose|set) (?:a|the) (?:date|day|night)(?: to (?:do it|die|go|end it))?$"),
    (
        Kind.PLAN,
        r"\b(?:painless|quick|easy|quickest|easiest|best|surest|fastest) (?:ways?|methods?) to (?:die|kill myself|end it|go|end my life)\b",
    ),
    (Kind.PLAN, r"\bways to (?:die|kill myself|end my life|commit suicide)\b"),
    (Kind.PLAN, r"\b(?:stash|hoard|stockpile) of (?:\w+ ){0,2}(?:pills|sleeping pills|meds|tablets|painkillers)\b"),
    (
        Kind.PLAN,
        r"\b(?:hiding|hid|hoarding|stockpil\w*|saving|collecting|stashing|stashed) (?:\w+ ){0,2}(?:pills|meds|tablets|painkillers)\b",
    ),
    (
        Kind.PLAN,
        r"\b(?:when|where) (?:no one|nobody) (?:will|would|is going to)(?: \w+){0,3} (?:home|around|find me|see|stop me)\b",
    ),
    (Kind.PLAN, r"\b(?:which|what) (?:night|day|date) (?:i'm|i am|i'll) (?:doing it|going to do it|going)\b"),
    (
        Kind.PLAN,
        r"\b(?:took|taken|got|have|bought|borrowed|found|hid|hidden) (?:my )?(?:\w+ )?(?:gun|rifle|pistol|handgun|noose)\b",
    ),
    (Kind.PLAN, r"\b(?:gun|rifle|pistol|noose) (?:is )?in my (?:room|car|bag|locker|drawer)\b"),
    (
        Kind.PLAN,
        r"\b(?:scoping|scoped|checked|checking|looking at|staking) (?:out )?(?:the )?(?:bridge|overpass|roof|cliff|tracks|ledge)\b",
    ),
    (Kind.PLAN, r"\bwhere i(?:'d| would) (?:go over|jump|do it)\b"),
    (
        Kind.PLAN,
        r"\b(?:researched|googled|looked up|searched|read up on) (?:what|which|how)(?: \w+){0,3} (?:would|will|could) (?:actually )?(?:work|kill|do it)\b",
    ),
    (Kind.PLAN, r"\bpicked (?:a|the) (?:date|day|place|spot)(?: \w+){0,6} (?:to die|end it|do it|be gone)\b"),
    # Goodbyes.
    (Kind.GOODBYE, r"\b(?:this is|it's) (?:my )?goodbye\b"),
    (Kind.GOODBYE, r"\bgoodbye (?:everyone|world|all|forever)\b"),
    (Kind.GOODBYE, r"\b(?:bye|goodbye) (?:forever|for good|for real)\b"),
    (Kind.GOODBYE, r"\b(?:say|saying) goodbye (?:for good|forever)\b"),
    (Kind.GOODBYE, r"\bsigning off (?:for good|forever)\b"),
    (Kind.GOODBYE, r"\bif (?:anyone|someone|you) (?:reads|read|finds|find) this (?:after|afterwards|later|when)\b"),
    (Kind.GOODBYE, r"\bwhen (?:they|someone|somebody|people|you|my \w+) (?:find|finds) me\b"),
    (Kind.GOODBYE, r"\b(?:you|they|everyone) did (?:all|everything|the best) (?:you|they) could\b"),
    (
        Kind.GOODBYE,
        r"\bwon't be needing (?:this|it|these|them|my \w+|the \w+)(?: \w+){0,2} (?:after|any more|any longer|where)\b",
    ),
    (
        Kind.GOODBYE,
        r"\bwon't (?:be )?(?:open|opening|write|writing|use|using|need|needing) (?:in )?(?:this|my) (?:journal|app|diary)"
        r"(?: \w+){0,2} (?:again|any more|after)\b",
    ),
    (Kind.GOODBYE, r"\blast time i(?:'ll| will)? (?:write|be writing|post)\b"),
    (Kind.GOODBYE, r"\b(?:finally|soon|will) be at peace\b"),
    (Kind.GOODBYE, r"\bnone of this (?:is|was) (?:your|anyone's|anybody's) fault\b"),
    (
        Kind.GOODBYE,
        r"\b(?:say|saying|said) (?:my )?goodbyes\b(?! (?:to (?:the|my) (?:old|restaurant|kitchen|team|staff|crew|coworkers|regulars)|at))",
    ),
    (
        Kind.GOODBYE,
        r"\b(?:my|this is my|this will be my) (?:last|final) (?:entry|post|message|note|words|journal entry)\b(?! (?:for|of|before|until|this|today|tonight))",
    ),
    (
        Kind.GOODBYE,
        r"\bwon't be (?:around|here|alive) (?:much longer|for long|any more|any longer|tomorrow|next week)\b"
        r"(?! (?:tonight|today|this|at|in|on|because|for)\b)",
    ),
    (
        Kind.GOODBYE,
        r"\b(?:won't|will not|wont) need (?:them|it|these|those|my \w+|any of (?:it|this)) (?:any more|where i'm going|after tonight|after tomorrow|soon)\b",
    ),
    (
        Kind.GOODBYE,
        r"\b(?:giving|give|gave) (?:away )?(?:my|all my) (?:things|stuff|belongings|knives|books|clothes)(?: \w+){0,3} (?:because|since|as) i won't\b",
    ),
    (Kind.GOODBYE, r"\b(?:giving|gave) away (?:my|all my) (?:things|stuff|belongings)\b"),
    (Kind.GOODBYE, r"\btell (?:my|\w+) (?:\w+ )?(?:that )?i loved (?:her|him|them|you)\b"),
    (Kind.GOODBYE, r"\b(?:when|after|once) i'm gone\b(?! (?:on|for|to|at|from|over|this|next|until|till|during|in)\b)"),
    (Kind.GOODBYE, r"\bby the time (?:you|anyone|someone|they) (?:read|reads|find|finds) this\b"),
    (Kind.GOODBYE, r"\b(?:thank you|thanks) for (?:everything|trying)(?: \w+){0,3} goodbye\b"),
    (Kind.GOODBYE, r"\bgoodbye(?: \w+){0,2} thank(?:s| you) for (?:everything|trying)\b"),
    # Not able to stay safe.
    (Kind.UNSAFE, r"\bcan't (?:keep|stay) (?:myself )?safe\b"),
    (Kind.UNSAFE, r"\b(?:not|don't feel|don't think i'm|no longer) safe (?:with|from|around|by) myself\b"),
    (Kind.UNSAFE, r"\bnot safe (?:tonight|right now|alone)\b"),
    (Kind.UNSAFE, r"\bdon't (?:think i can|know if i can) (?:stay|keep myself) safe\b"),
    (
        Kind.UNSAFE,
        r"\bdon't trust myself (?:alone|tonight|right now|any more|to stay safe|to be alone|(?:around|with|near) (?:the |my )?"
        r"(?:knives|knife|pills|meds|medication|blades?|razors?|car|rope|gun|bridge|balcony|window|roof))\b",
    ),
    (
        Kind.UNSAFE,
        r"\b(?:scared|afraid|terrified|frightened) (?:of )?what i(?: might| will| could|'ll| would| may) do(?: to myself)?\b(?! (?:at|in|on|with|when|to (?:the|him|her|them|my (?:boss|manager|chef|coworker))|next|about|for))",
    ),
    (Kind.UNSAFE, r"\bwhat i(?:'ll| will| might) do to myself\b"),
    (
        Kind.UNSAFE,
        r"\bdon't feel safe (?:in here|alone|at home|in my (?:apartment|room|head|own head|body)|by myself|tonight)\b",
    ),
    (Kind.UNSAFE, r"\bsafety plan (?:isn't|is not|doesn't|does not|stopped|not) (?:working|helping|enough)\b"),
    (Kind.UNSAFE, r"\bact on (?:the|these|my|those) (?:thoughts|urges|feelings)\b"),
    (Kind.UNSAFE, r"\bcan't promise (?:i'll|i will|i'm going to|to) (?:be )?(?:okay|ok|safe|alright|fine|here)\b"),
    (Kind.UNSAFE, r"\bdo something i can't (?:take back|undo)\b"),
    (Kind.UNSAFE, r"\b(?:scared|afraid|terrified) (?:to be|of being) alone with (?:my|myself)\b"),
    (Kind.UNSAFE, r"\bcan't hold (?:on|out)(?: \w+){0,2} (?:tonight|much longer|any longer|any more)\b"),
    (Kind.UNSAFE, r"\bdon't know what i'm capable of\b"),
    (Kind.UNSAFE, r"\bdon't think i can hold (?:on|out)\b"),
    (Kind.UNSAFE, r"\b(?:dangerous|a danger|danger) to myself\b"),
    (Kind.UNSAFE, r"\blosing the (?:fight|battle)(?: \w+)? (?:tonight|right now)\b"),
    (Kind.UNSAFE, r"\b(?:don't know|not sure) if i'll (?:still )?be (?:here|alive|around)\b"),
    (Kind.UNSAFE, r"\bdon't trust (?:what )?my (?:brain|head|mind)\b"),
    (Kind.UNSAFE, r"\b(?:urges|thoughts) (?:are|were|feel) (?:stronger|louder|bigger) than me\b"),
    (
        Kind.UNSAFE,
        r"\b(?:might|may) not make it (?:through (?:the|this) (?:night|weekend|week|day)|to (?:tomorrow|morning|monday))\b",
    ),
    (
        Kind.UNSAFE,
        r"\b(?:scared|afraid|terrified) (?:that )?i(?:'ll| will| might| am going to|'m going to) (?:hurt|kill|harm) myself\b",
    ),
]
_COMPILED = [(kind, re.compile(pattern)) for kind, pattern in _PATTERNS]

# --- What undoes a match --------------------------------------------------------------------------

#: A negation of intent in the words just before the match, or inside it (the pattern's gap).
_NEGATION = re.compile(
    r"\b(?:not|never|no(?! one\b| reason\b| point\b| idea\b| way\b| matter\b| more\b| longer want)|don't|do not"
    r"|didn't|doesn't|won't|wouldn't|isn't|wasn't|aren't|haven't|hasn't|hadn't|nor"
    r"|without|stopped|no longer|zero|none|free of)\b"
)
#: Negations that are really uncertainty, which counts: "I'm not sure I want to live".
_UNCERTAIN = re.compile(
    r"\b(?:not sure|don't know if|don't know whether|not certain|can't promise|can't say|don't know how much longer"
    r"|don't think i can|not convinced|no idea if|not know if)\b"
)
#: The past told as past, and the words that say it is back.
_PAST = re.compile(
    r"\b(?:used to|years ago|year ago|months ago|long time ago|long ago|when i was|back (?:then|when|in)|as a (?:teen"
    r"|teenager|kid|child)|in (?:high school|college|uni|my teens|my twenties|my early|my late)|at age \d\d?\b"
    r"|(?:in|from|since) (?:19|20)\d\d|during my|that was (?:years|a long)|once upon|my old|old me|younger me|younger"
    r"|teenage|(?:\w+|\d+) (?:years?|months?) (?:since|clean|free|ago)|since i last|the worst (?:\w+ )?of my life was"
    r"|looking back|that was the (?:year|time|summer|winter|spring|autumn|fall|night|day|month)|the year i)"
)
_BACK = re.compile(
    r"\b(?:again|lately|these days|nowadays|still|tonight|right now|coming back|came back|is back|are back"
    r"|creeping back|returning|recently|relaps\w*)\b"
)
#: An entry that says it is over ("that's not where I am now"): its past-tense matches are history.
_RESOLVED = re.compile(
    r"\b(?:not where i am|behind me|glad i (?:kept going|stayed|didn't|am still here|survived|held on)|grateful i"
    r" (?:didn't|stayed|survived|am still here|held on)|proud|recovered|in recovery|clean for|since i last|years clean"
    r"|months clean|so far from)\b"
)
_PAST_TENSE = re.compile(
    r"\b(?:wanted|wanting|was|were|used|self harmed|harmed|tried|attempted|did|thought|felt|had|cut|hurt|burned|wrote)\b"
)
#: Someone else speaks, or a story does.
_OTHER = re.compile(
    r"\b(?:he|she|they|him|her|them|his|someone|somebody|people|a lot of people|many people|my (?:friend|mom|mum"
    r"|mother|dad|father|brother|sister|cousin|uncle|aunt|partner|boyfriend|girlfriend|husband|wife|coworker"
    r"|colleague|son|daughter|neighbou?r|roommate|flatmate|boss|grandma|grandpa|kid|kids|client|patient|student"
    r"|therapist|doctor|gp|psychiatrist|counsell?or|nurse|parents|family)"
    r"|a (?:friend|coworker|colleague|guest|customer|regular|kid)|(?:the|a) (?:character|protagonist|hero|heroine"
    r"|narrator|singer|guy|girl|woman|man|author|writer|actor|villain)) (?:\w+ ){0,2}(?:said|says|told me"
    r"|tells me|texted|wrote|writes|posted|admitted|confessed|mentioned|talks about|talked about|wants|wanted"
    r"|tried|attempted|keeps|kept|killed|kills|died|is|was|asked|asks|worries|worried|thinks|fears|feared|has|had"
    r"|have|does|did|says|started|starts)\b"
    r"|\basked (?:me )?(?:if|whether|about)\b"
)
_STORY = re.compile(
    r"\b(?:novel|book|movie|film|series|episode|song|lyrics|lyric|character|characters|protagonist|poem|documentary"
    r"|podcast|article|news|headline|chapter|season finale|anime|manga|prevention|awareness|training|statistics"
    r"|research|lecture|workshop|seminar|campaign|rates|chapters?|paper|essay|thesis|assignment|class|course"
    r"|book club)\b"
)
#: Everyday idioms that use the patterns' words.
_IDIOM = re.compile(
    r"\b(?:killing myself (?:at|to|for|over|with|on|working|trying|in|laughing|doing)|kill myself laughing"
    r"|(?:almost|nearly) killed myself|die (?:of|from) (?:embarrassment|shame|laughter|laughing|boredom|cringe"
    r"|happiness|joy)|died laughing|dying (?:to|for|of)|to die for|rather die than|could (?:just )?die"
    r"|laugh\w*|hilarious)\b"
)
#: A kitchen's (and a life's) accidents: they undo a self-harm match unless it says it was meant.
_ACCIDENT = re.compile(
    r"\b(?:(?:on|with|by|from|against|under) (?:the|a|my|some|that|this) (?:\w+ )?(?:mandoline|knife|knives|blade"
    r"|oven|grill|stove|pan|pot|fryer|salamander|flat ?top|burner|tray|sheet pan|slicer|grater|peeler|broken glass"
    r"|glass|plate|can|tin|lid|cleaver|microwave|kettle|iron|steam|oil|sugar|caramel|door|shelf|corner|hob|range"
    r"|torch|bone|oyster|shell|walk in)|accidentally|by accident|accident|chopping|slicing|dicing|deboning|filleting"
    r"|julienn\w*|mincing|shucking|peeling|carving|prepping|lifting|moving|carrying|playing|running|falling|fell"
    r"|slipped|tripped|at the gym|workout|band ?aid|plaster|stitches|shaving|in the kitchen|on the line)\b"
)
#: Where a cut is never a kitchen's accident.
_NEVER_ACCIDENT = re.compile(r"\b(?:thigh|thighs|wrists|stomach|box cutter|razor|lighter)\b")
#: Words that say a self-harm act was meant, whatever the kitchen.
_MEANT = re.compile(r"\b(?:want|wanted|urge|urges|on purpose|deliberately|to feel|to cope|deserve|punish|relapse\w*)\b")


@dataclass(frozen=True)
class _Clause:
    """A clause, and what its words say whatever the match: read once, however many matches."""

    text: str
    past: bool  # the past told as past, not come back
    story: bool  # a story, or a topic
    idiom: bool
    accident: bool  # an accident, not said to be meant

    @classmethod
    def read(cls, text: str, *, resolved: bool) -> _Clause:
        back = bool(_BACK.search(text))
        return cls(
            text=text,
            past=bool(_PAST.search(text) or (resolved and _PAST_TENSE.search(text))) and not back,
            story=bool(_STORY.search(text)),
            idiom=bool(_IDIOM.search(text)),
            accident=bool(_ACCIDENT.search(text)) and not _MEANT.search(text) and not _NEVER_ACCIDENT.search(text),
        )


#: How far before a match its negation or its other speaker is looked for, in characters: a
#: bounded window keeps every match's check the same cost, however long the clause.
_WINDOW = 80


def _undone(kind: Kind, clause: _Clause, match: re.Match[str]) -> bool:
    """Whether the clause's own words take the match back (negation, past, someone else, idiom)."""
    before = clause.text[max(0, match.start() - _WINDOW) : match.start()]
    window = " ".join(before.split()[-6:])
    # A negator inside the match counts only in its gap ("I *don't* want to die"): a pattern
    # whose own words are a negation ("don't want to live") is not undone by itself.
    gap = match.groupdict().get("gap") or ""
    if _NEGATION.search(f"{window} {gap}") and not _UNCERTAIN.search(f"{window} {match.group(0)}"):
        return True
    if clause.past or clause.story or clause.idiom:
        return True
    if _OTHER.search(clause.text[max(0, match.start() - _WINDOW) : match.end()]):
        return True
    return kind is Kind.SELF_HARM and clause.accident


_FAREWELL = re.compile(
    r"^(?:(?:thank you|thanks) for (?:everything|trying)(?: \w+){0,3} goodbye(?: forever| everyone)?"
    r"|goodbye(?: \w+){0,2} (?:thank you|thanks) for (?:everything|trying|listening))$"
)

#: The most urgent kind first: a plan or "I can't keep myself safe" outranks the rest.
_SEVERITY = [Kind.PLAN, Kind.UNSAFE, Kind.SUICIDAL, Kind.SELF_HARM, Kind.GOODBYE]
_BY_SEVERITY = sorted(_COMPILED, key=lambda entry: _SEVERITY.index(entry[0]))


def clauses(sentence: str) -> list[str]:
    """The sentence's clauses, each normalised; none empty."""
    parts = (normalised(part) for part in _CLAUSE_BREAK.split(f" {sentence.translate(_QUOTES).lower()} "))
    return [part for part in parts if part]


def rule_kind(sentence: str, *, resolved: bool = False) -> Kind | None:
    """The most urgent kind the rules read in one sentence, as written; ``None`` if none holds.

    ``resolved``: the whole entry says it is over ("that's behind me"), so its past tense is history.
    """
    for line in clauses(sentence):
        clause = None  # read only when a pattern matches: most clauses match none
        for kind, pattern in _BY_SEVERITY:
            if pattern.search(line) is None:  # the common case, at the cost of one search
                continue
            # Every match: "I'm not going to X tonight I just want to X" is one clause on a phone.
            for match in pattern.finditer(line):
                clause = clause or _Clause.read(line, resolved=resolved)
                if not _undone(kind, clause, match):
                    return kind
    # A farewell written across a comma ("Thanks for everything, goodbye."): the sentence whole.
    if _FAREWELL.search(normalised(sentence)):
        return Kind.GOODBYE
    return None


def says_it_is_back(line: str) -> bool:
    """Whether a normalised sentence says it is happening again ("again", "lately", "still", "relapsed")."""
    return bool(_BACK.search(line))


def entry_resolved(text: str) -> bool:
    """Whether the entry says its crisis is over ("not where I am now"): its past tense is history."""
    return bool(_RESOLVED.search(normalised(text)))
