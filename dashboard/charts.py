"""The dashboard's charts, as geometry: where each bar, mark and point goes, and the same
numbers in words. Templates draw the SVG from these (``_sparkline.html``, ``_week_chart.html``);
nothing here counts anything, it only places what ``journal.selectors.week_summaries`` counted.

Drawn on our server, so the page needs no script and no outside URL, and colour is never the
only signal: reflection days are bars, a pride week met is a diamond, mood is a line of dots.
A week with nothing written is an empty slot, never a bar of height zero in an alarming
colour: the product promises practice "without being shamed for gaps".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils.safestring import SafeString, mark_safe

from journal.dates import iso_week, local_date, week_monday
from journal.models import MOOD_MAX, MOOD_MIN
from journal.selectors import PatientWeeks, WeekSummary

#: A week has seven days: the tallest bar.
MOST_DAYS = 7
#: The mood axis spans every mood a reflection may hold.
MOOD_LOW, MOOD_HIGH = MOOD_MIN, MOOD_MAX

# The patient page's chart, in the SVG's own units (it scales to the page's width).
SLOT = 44  # one week's width
BAR = 28  # a bar's width within its slot
DAY = 20  # a bar's height for each reflection day
LEFT = 34  # room for the reflection days' axis
RIGHT = 34  # room for the mood axis
MARKS = 26  # the row of pride marks above the plot
PLOT = MOST_DAYS * DAY
PLOT_TOP = MARKS
PLOT_BOTTOM = PLOT_TOP + PLOT
LABELS = 26  # the week labels under the plot
DIAMOND = 7  # half the width of a pride mark
SLOT_GAP = 2  # between one week's slot and the next
MOOD_DOT = 4  # a mood point's radius

# A roster row's sparkline: reflection days only, small.
SPARK_SLOT = 10
SPARK_BAR = 7
SPARK_DAY = 4
SPARK_HEIGHT = MOST_DAYS * SPARK_DAY


def day_label(day: date) -> str:
    """``16 Nov``: what a therapist calls a week (its Monday), not ``2026-W47``."""
    return f"{day.day} {day:%b}"


def _days(count: int) -> str:
    return "none" if count == 0 else str(count)


@dataclass(frozen=True)
class Slot:
    """One week on the patient page's chart."""

    summary: WeekSummary
    index: int  # 0 for the oldest week
    this_week: bool
    labelled_narrow: bool  # its label stays on a narrow screen (every other week, this week always)
    before_link: bool  # the week ended before the patient was linked to this therapist

    @property
    def drawn(self) -> bool:
        """An empty week before the link is not a quiet week: no slot is drawn for it at all."""
        return not (self.before_link and self.empty)

    @property
    def monday(self) -> date:
        return week_monday(self.summary.week)

    @property
    def label(self) -> str:
        return day_label(self.monday)

    @property
    def x(self) -> int:
        return LEFT + self.index * SLOT

    @property
    def centre(self) -> int:
        return self.x + SLOT // 2

    @property
    def empty(self) -> bool:
        """Nothing written and nothing tried: drawn as an empty slot, a gap."""
        return not self.summary.practised

    @property
    def reflection_days(self) -> int:
        return self.summary.reflection_days

    @property
    def slot_x(self) -> int:
        return self.x + SLOT_GAP

    @property
    def bar_x(self) -> int:
        return self.x + (SLOT - BAR) // 2

    @property
    def bar_height(self) -> int:
        return self.reflection_days * DAY

    @property
    def bar_y(self) -> int:
        return PLOT_BOTTOM - self.bar_height

    @property
    def pride_met(self) -> bool:
        return self.summary.pride.met

    @property
    def diamond(self) -> str:
        """The pride mark's corners, for ``<polygon points>``."""
        cx, cy = self.centre, MARKS // 2
        return f"{cx},{cy - DIAMOND} {cx + DIAMOND},{cy} {cx},{cy + DIAMOND} {cx - DIAMOND},{cy}"

    @property
    def mood(self) -> float | None:
        return self.summary.mood_avg

    @property
    def mood_y(self) -> float | None:
        if self.mood is None:
            return None
        return mood_y(self.mood)

    @property
    def pride_words(self) -> str:
        pride = self.summary.pride
        if not pride.count:
            return "none"
        return f"{pride.count} of {pride.target}{', met' if pride.met else ''}"

    @property
    def mood_words(self) -> str:
        return "none" if self.mood is None else f"{self.mood:.1f}"


def mood_y(mood: float) -> float:
    """The lowest mood sits on the plot's floor, the highest at its top."""
    return round(PLOT_BOTTOM - (mood - MOOD_LOW) / (MOOD_HIGH - MOOD_LOW) * PLOT, 1)


@dataclass(frozen=True)
class WeekChart:
    slots: list[Slot]  # oldest first

    # For the template, which cannot reach module constants.
    height = MARKS + PLOT + LABELS
    plot_top = PLOT_TOP
    plot_bottom = PLOT_BOTTOM
    plot_left = LEFT
    label_y = PLOT_BOTTOM + LABELS - 8
    slot_width = SLOT - 2 * SLOT_GAP
    bar_width = BAR
    plot_height = PLOT
    mood_dot = MOOD_DOT
    mood_low = MOOD_LOW
    mood_high = MOOD_HIGH
    left_axis_x = LEFT - 6
    # Axis numbers sit a little below the line they name, as text hangs from its baseline.
    top_tick_y = PLOT_TOP + 5
    bottom_tick_y = PLOT_BOTTOM + 4

    @property
    def plot_right(self) -> int:
        return LEFT + len(self.slots) * SLOT

    @property
    def width(self) -> int:
        return self.plot_right + RIGHT

    @property
    def right_axis_x(self) -> int:
        return self.plot_right + 6

    @property
    def mood_lines(self) -> list[str]:
        """One ``<polyline points>`` per run of weeks with a mood: a week without one breaks
        the line rather than pulling it to the floor. A run of one week is only its dot."""
        runs: list[list[Slot]] = [[]]
        for slot in self.slots:
            if slot.mood is None:
                runs.append([])
            else:
                runs[-1].append(slot)
        return [" ".join(f"{slot.centre},{slot.mood_y}" for slot in run) for run in runs if len(run) > 1]

    @property
    def first(self) -> Slot:
        return self.slots[0]

    @property
    def last(self) -> Slot:
        return self.slots[-1]

    @property
    def words(self) -> str:
        """Everything the chart shows, in one sentence each, for a screen reader's label."""
        span = f"{len(self.slots)} weeks from the week of {self.first.label} to this week ({self.last.label})."
        days = "; ".join(f"{slot.label}: {_days(slot.reflection_days)}" for slot in self.slots)
        met = [slot.label for slot in self.slots if slot.pride_met]
        pride = (
            f"Pride target met in {len(met)} week{'s' if len(met) != 1 else ''}: {', '.join(met)}."
            if met
            else "Pride target not met in these weeks."
        )
        moods = [f"{slot.label}: {slot.mood:.1f}" for slot in self.slots if slot.mood is not None]
        mood = (
            f"Mood from {MOOD_LOW} to {MOOD_HIGH}, in weeks with one: {'; '.join(moods)}."
            if moods
            else "No mood recorded in these weeks."
        )
        return f"{span} Reflection days each week: {days}. {pride} {mood}"


def week_chart(weeks: PatientWeeks, linked_since: datetime | None = None) -> WeekChart:
    """The patient page's chart of ``weeks`` (newest first, as the journal gives them);
    ``linked_since`` the link's start, whose week is the first that can be called quiet."""
    oldest_first = list(reversed(weeks.weeks))
    last = len(oldest_first) - 1
    first_linked_week = "" if linked_since is None else iso_week(local_date(linked_since, ZoneInfo(weeks.timezone)))
    slots = [
        Slot(
            summary=summary,
            index=n,
            this_week=n == last,
            labelled_narrow=(last - n) % 2 == 0,
            before_link=summary.week < first_linked_week,  # YYYY-Www sorts as text
        )
        for n, summary in enumerate(oldest_first)
    ]
    return WeekChart(slots=slots)


@dataclass(frozen=True)
class SparkBar:
    x: int
    y: int
    height: int
    reflection_days: int


@dataclass(frozen=True)
class Sparkline:
    bars: list[SparkBar]  # oldest first, one per week (a week with no reflection is height 0 and not drawn)

    height = SPARK_HEIGHT
    bar_width = SPARK_BAR
    slot_width = SPARK_SLOT

    @property
    def width(self) -> int:
        return len(self.bars) * SPARK_SLOT

    @property
    def words(self) -> str:
        days = ", ".join(_days(bar.reflection_days) for bar in self.bars)
        return f"Reflection days in each of the last {len(self.bars)} weeks, oldest first: {days} (this week so far)."

    @property
    def shapes(self) -> SafeString:
        """The slots and bars as SVG, written here rather than by a template loop: a roster of
        500 draws 12,000 of them, and the template's lookups were most of its time. Only
        integers from this module go in, so nothing needs escaping."""
        slots = []
        for bar in self.bars:
            slots.append(
                f'<rect class="slot" x="{bar.x}" y="0" width="{SPARK_BAR}" height="{SPARK_HEIGHT}" fill="#f1eee8"/>'
            )
            if bar.height:
                size = f'width="{SPARK_BAR}" height="{bar.height}"'
                slots.append(f'<rect class="bar" x="{bar.x}" y="{bar.y}" {size} fill="#2f6f73"/>')
        return mark_safe("".join(slots))  # noqa: S308  # integers of our own, no text from anyone


def sparkline(weeks: PatientWeeks) -> Sparkline:
    """A roster row's 12 weeks of reflection days (``weeks`` newest first)."""
    bars = []
    for n, summary in enumerate(reversed(weeks.weeks)):
        height = summary.reflection_days * SPARK_DAY
        bars.append(
            SparkBar(
                x=n * SPARK_SLOT + (SPARK_SLOT - SPARK_BAR) // 2,
                y=SPARK_HEIGHT - height,
                height=height,
                reflection_days=summary.reflection_days,
            )
        )
    return Sparkline(bars=bars)


# The brief's mood line: one point per week of the period, small enough to sit beside its words.
MOOD_STEP = 40  # between one week's point and the next, for a period of up to 13 weeks
MOOD_WIDTH = 480  # a longer period packs its weeks closer, so a year stays as wide as a season
MOOD_HEIGHT = 48
MOOD_PAD = 6  # room for a dot at either end


@dataclass(frozen=True)
class MoodPoint:
    monday: date
    mood: float | None  # the week's average, None for a week with no mood written
    x: int
    y: float | None


@dataclass(frozen=True)
class MoodLine:
    points: list[MoodPoint]  # oldest first, every week of the period
    step: int

    height = MOOD_HEIGHT
    dot = MOOD_DOT - 1
    low = MOOD_LOW
    high = MOOD_HIGH
    floor_y = MOOD_HEIGHT - MOOD_PAD
    top_y = MOOD_PAD

    @property
    def width(self) -> int:
        return 2 * MOOD_PAD + max(len(self.points) - 1, 0) * self.step

    @property
    def right(self) -> int:
        return self.width - MOOD_PAD

    @property
    def runs(self) -> list[str]:
        """One ``<polyline points>`` per run of weeks with a mood: a week with none breaks the
        line, as on the patient page's chart, rather than dropping it to the floor."""
        runs: list[list[MoodPoint]] = [[]]
        for point in self.points:
            if point.y is None:
                runs.append([])
            else:
                runs[-1].append(point)
        return [" ".join(f"{point.x},{point.y}" for point in run) for run in runs if len(run) > 1]

    @property
    def drawn(self) -> list[MoodPoint]:
        return [point for point in self.points if point.y is not None]

    @property
    def words(self) -> str:
        said = [f"week of {day_label(p.monday)}: {p.mood:.1f}" for p in self.points if p.mood is not None]
        return f"Average mood each week, from {MOOD_LOW} to {MOOD_HIGH}, in weeks with one: {'; '.join(said)}."


def mood_line(by_week: tuple[tuple[str, float], ...], since: date, until: date) -> MoodLine:
    """The weekly averages ``by_week`` (``care.brief.Mood``) placed over every ISO week from
    ``since`` to ``until``, so a week without a mood shows as a gap, not as nothing at all."""
    moods = dict(by_week)
    monday, last = week_monday(iso_week(since)), week_monday(iso_week(until))
    weeks = (last - monday).days // 7 + 1
    step = min(MOOD_STEP, MOOD_WIDTH // max(weeks - 1, 1))
    points = []
    n = 0
    while monday <= last:
        mood = moods.get(iso_week(monday))
        y = None
        if mood is not None:
            span = MOOD_HEIGHT - 2 * MOOD_PAD
            y = round(MOOD_HEIGHT - MOOD_PAD - (mood - MOOD_LOW) / (MOOD_HIGH - MOOD_LOW) * span, 1)
        points.append(MoodPoint(monday=monday, mood=mood, x=MOOD_PAD + n * step, y=y))
        monday += timedelta(days=7)
        n += 1
    return MoodLine(points=points, step=step)
