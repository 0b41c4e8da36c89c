"""A synthetic population for demonstrations, training and load tests.

``synthesize(under=…, residents=N, seed=S)`` spreads N residents over the kelurahan under a
territory, creating RW and RT as needed, with households (valid, unique No. KK) and residents
(valid, unique NIK; realistic names, ages, relations, domicile status and vulnerabilities).
Everything it writes is made up; the one audit entry it leaves says so.

Speed: rows are generated in chunks and written with one multi-row statement per table and chunk
(``executemany`` on SQLite, ``COPY`` on PostgreSQL), with primary keys allocated up front so that
each household's head is set in the same insert (the foreign keys are deferred to commit). Each
chunk is one transaction: an interrupted run leaves whole households only. Memory stays flat: a
chunk and the NIK/KK serial counters of the kecamatan being filled are all that is held.

Determinism: the same seed, territory, size, database state and reference date give identical
rows (``today`` defaults to the current date so that ages stay realistic).
"""

from __future__ import annotations

import bisect
import contextlib
import datetime as dt
import itertools
import json
import random
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from siaga.core import audit, bulk, codes
from siaga.core.models import AuditAction
from siaga.registry import synth_names as names
from siaga.registry.models import Household, Resident
from siaga.territory.models import Level, Territory

AUDIT_OBJECT_TYPE = "registry.synthetic"
PERSONS_PER_KK = 3.5  # mean household size the generator produces (Semarang: about 3.3-3.5)
CHUNK_RESIDENTS = 20000
# SQLite page cache while generating: index inserts into a table of a million rows stay in
# memory (measured about 25% faster at 400,000 residents, for about 140 MB more peak memory).
SQLITE_CACHE_KIB = 128 * 1024
_T = TypeVar("_T")


class SynthError(ValueError):
    """The synthetic population cannot be generated; str() is user-facing."""


@dataclass
class SynthStats:
    residents: int = 0
    households: int = 0
    kelurahan: int = 0
    rw_created: int = 0
    rt_created: int = 0
    seconds: float = 0.0
    without_nik: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def rows_per_second(self) -> float:
        return (self.residents + self.households) / self.seconds if self.seconds else 0.0

    @property
    def residents_per_second(self) -> float:
        return self.residents / self.seconds if self.seconds else 0.0


# ---- Planning: kelurahan quotas and the RW/RT they need ---------------------------------------


@dataclass
class _RtPlan:
    rt_id: int
    code: str
    region: str  # six NIK/KK region digits of the kecamatan, e.g. "337402"
    kelurahan: str
    quota: int


def _split(total: int, weights: list[float]) -> list[int]:
    """Integers proportional to weights that add up to total exactly (largest remainder)."""
    weight_sum = sum(weights)
    raw = [total * w / weight_sum for w in weights]
    parts = [int(r) for r in raw]
    short = total - sum(parts)
    order = sorted(range(len(raw)), key=lambda i: (parts[i] - raw[i], i))
    for i in order[:short]:
        parts[i] += 1
    return parts


def _first_free(used: set[int]) -> int:
    number = 1
    while number in used:
        number += 1
    return number


def _new_rt(new: list[Territory], rw_code: str, used: set[int]) -> tuple[int, str]:
    number = _first_free(used)
    used.add(number)
    code = codes.child_code(rw_code, number)
    key = codes.parse_code(code).key
    new.append(
        Territory(
            id=key,
            code=code,
            name=f"RT {number:03d}",
            level=Level.RT,
            parent_id=codes.parse_code(rw_code).key,
        )
    )
    return key, code


def _plan(
    rng: random.Random, under: Territory, total: int
) -> tuple[list[_RtPlan], list[Territory], int, int]:
    """Quotas per RT, creating (unsaved) RW/RT territories where the kelurahan lack them."""
    low, high = under.bounds
    kelurahan = list(
        Territory.objects.filter(level=Level.KELURAHAN, id__gte=low, id__lte=high).order_by("id")
    )
    if not kelurahan:
        raise SynthError(_("There is no kelurahan under %(code)s.") % {"code": under.code})
    existing: dict[int, dict[int, list[tuple[int, str]]]] = {k.id: {} for k in kelurahan}
    rw_codes: dict[int, str] = {}
    for tid, code, level, parent_id in (
        Territory.objects.filter(level__in=(Level.RW, Level.RT), id__gte=low, id__lte=high)
        .order_by("level", "id")
        .values_list("id", "code", "level", "parent_id")
    ):
        if level == Level.RW:
            existing[parent_id][tid] = []
            rw_codes[tid] = code
        else:
            kelurahan_key = codes.parse_code(code.rsplit(".", 2)[0]).key
            existing[kelurahan_key][parent_id].append((tid, code))

    quotas = _split(total, [rng.uniform(0.7, 1.3) for _kel in kelurahan])
    plans: list[_RtPlan] = []
    new: list[Territory] = []
    rw_created = rt_created = 0
    for kel, quota in zip(kelurahan, quotas, strict=True):
        if quota <= 0:
            continue
        region = kel.code[:8].replace(".", "")
        rws = existing[kel.id]
        rts: list[tuple[int, str]] = [rt for rw_rts in rws.values() for rt in rw_rts]
        kk_per_rt = rng.randint(60, 120)
        need = max(1, round(quota / (kk_per_rt * PERSONS_PER_KK))) - len(rts)
        for rw_id in sorted(rws):
            planned = rng.randint(4, 10)
            used = {int(code.rsplit(".", 1)[1]) for _, code in rws[rw_id]}
            while need > 0 and len(used) < planned:
                rts.append(_new_rt(new, rw_codes[rw_id], used))
                rt_created += 1
                need -= 1
        used_rw = {int(rw_codes[rw_id].rsplit(".", 1)[1]) for rw_id in rws}
        while need > 0:
            number = _first_free(used_rw)
            used_rw.add(number)
            rw_code = codes.child_code(kel.code, number)
            new.append(
                Territory(
                    id=codes.parse_code(rw_code).key,
                    code=rw_code,
                    name=f"RW {number:03d}",
                    level=Level.RW,
                    parent_id=kel.id,
                )
            )
            rw_created += 1
            used_rt: set[int] = set()
            for _number in range(min(rng.randint(4, 10), need)):
                rts.append(_new_rt(new, rw_code, used_rt))
                rt_created += 1
                need -= 1
        rts.sort()
        for (rt_id, rt_code), rt_quota in zip(
            rts, _split(quota, [rng.uniform(0.6, 1.4) for _rt in rts]), strict=True
        ):
            if rt_quota > 0:
                plans.append(_RtPlan(rt_id, rt_code, region, kel.name, rt_quota))
    return plans, new, rw_created, rt_created


# ---- People ---------------------------------------------------------------------------------

JAVANESE, MUSLIM, CHRISTIAN, CHINESE, BATAK = range(5)
CULTURE_WEIGHTS = ((JAVANESE, 52), (MUSLIM, 28), (CHRISTIAN, 10), (CHINESE, 8), (BATAK, 2))
_CULTURES = [c for c, w in CULTURE_WEIGHTS for _ in range(w)]

# Household shapes with their share (percent).
SHAPES = (
    ("single", 10),
    ("couple", 13),
    ("nuclear", 50),
    ("single_parent", 9),
    ("with_parent", 12),
    ("three_generations", 6),
)
_SHAPES = [s for s, w in SHAPES for _ in range(w)]

YEAR = 365.2425


def _pick(rng: random.Random, items: Sequence[_T]) -> _T:
    """rng.choice without its rejection loop: several times faster, as deterministic."""
    return items[int(rng.random() * len(items))]


@dataclass
class _Person:
    relation: str
    sex: str
    age: float  # years
    name: str = ""


class _Namer:
    """Names by culture, sex and generation; a family passes on a family name where usual."""

    def __init__(self, rng: random.Random, this_year: int) -> None:
        self.rng = rng
        self.this_year = this_year

    def _generation(self, age: float) -> int:
        born = self.this_year - age
        return 0 if born < 1966 else 1 if born < 1993 else 2

    def given(self, culture: int, sex: str, age: float) -> str:
        rng = self.rng
        gen = self._generation(age)
        female = sex == "P"
        if culture == CHINESE:
            return _pick(rng, names.CHINESE_FEMALE if female else names.CHINESE_MALE)
        if culture == BATAK:
            return _pick(rng, names.BATAK_FEMALE if female else names.BATAK_MALE)
        if culture == CHRISTIAN:
            first = _pick(rng, names.CHRISTIAN_FEMALE if female else names.CHRISTIAN_MALE)
            pool = (
                (names.JAVANESE_FEMALE_OLD, names.JAVANESE_FEMALE_MID, names.JAVANESE_FEMALE_YOUNG)
                if female
                else (names.JAVANESE_MALE_OLD, names.JAVANESE_MALE_MID, names.JAVANESE_MALE_YOUNG)
            )[gen]
            return f"{first} {_pick(rng, pool)}" if rng.random() < 0.7 else first
        if culture == MUSLIM:
            if female:
                first = _pick(rng, names.MUSLIM_FEMALE)
                if gen and rng.random() < 0.6:
                    return f"{first} {_pick(rng, names.MUSLIM_SECOND_FEMALE)}"
                return first
            first = _pick(rng, names.MUSLIM_MALE)
            if gen and rng.random() < 0.35:
                first = f"{_pick(rng, ('Muhammad', 'Ahmad', 'Moh.'))} {first}"
            return first
        pools = (
            (names.JAVANESE_FEMALE_OLD, names.JAVANESE_FEMALE_MID, names.JAVANESE_FEMALE_YOUNG)
            if female
            else (names.JAVANESE_MALE_OLD, names.JAVANESE_MALE_MID, names.JAVANESE_MALE_YOUNG)
        )
        first = _pick(rng, pools[gen])
        if gen == 2 and rng.random() < 0.35:
            first = f"{first} {_pick(rng, pools[2])}"
        return first

    def family_name(self, culture: int, age: float) -> str:
        """The name the head passes to the children ('' where the family has none)."""
        rng = self.rng
        if culture == CHINESE:
            return _pick(rng, names.CHINESE_FAMILY)
        if culture == BATAK:
            return _pick(rng, names.BATAK_MARGA)
        gen = self._generation(age)
        if culture == MUSLIM:
            return _pick(rng, names.MUSLIM_SECOND) if gen and rng.random() < 0.55 else ""
        if culture == CHRISTIAN:
            return _pick(rng, names.JAVANESE_SECOND) if rng.random() < 0.5 else ""
        return _pick(rng, names.JAVANESE_SECOND) if gen and rng.random() < 0.6 else ""

    def full(self, culture: int, sex: str, age: float, family: str) -> str:
        given = self.given(culture, sex, age)
        if family:
            return f"{given} {family}"
        rng = self.rng
        if (
            sex == "P"
            and culture in (JAVANESE, CHRISTIAN)
            and self._generation(age)
            and rng.random() < 0.5
        ):
            return f"{given} {_pick(rng, names.JAVANESE_SECOND_FEMALE)}"
        if culture == MUSLIM and sex == "L" and self._generation(age) and rng.random() < 0.4:
            return f"{given} {_pick(rng, names.MUSLIM_SECOND)}"
        return given


def _children(rng: random.Random, mother_age: float, count: int) -> list[float]:
    """Ages of children still on the family card, oldest first."""
    ages: list[float] = []
    age = min(mother_age - rng.uniform(19, 30), 30.0)
    for _child in range(count):
        if age < 0:
            break
        ages.append(age)
        age -= rng.uniform(1.5, 6.0)
    return ages


def _household(rng: random.Random, namer: _Namer) -> list[_Person]:
    culture = _pick(rng, _CULTURES)
    shape = _pick(rng, _SHAPES)
    uniform = rng.uniform
    people: list[_Person] = []
    if shape == "single":
        age = uniform(19, 35) if rng.random() < 0.4 else uniform(55, 90)
        sex = "P" if rng.random() < (0.65 if age > 50 else 0.45) else "L"
        people.append(_Person("kepala", sex, age))
    elif shape == "couple":
        age = uniform(22, 33) if rng.random() < 0.35 else uniform(52, 85)
        people.append(_Person("kepala", "L", age))
        people.append(_Person("istri", "P", max(18.0, age - uniform(-1, 7))))
    elif shape in ("nuclear", "with_parent"):
        age = uniform(26, 60)
        wife = max(19.0, age - uniform(-1, 7))
        people.append(_Person("kepala", "L", age))
        people.append(_Person("istri", "P", wife))
        count = _pick(rng, (1, 1, 1, 2, 2, 2, 2, 3, 3, 4))
        people.extend(_Person("anak", _pick(rng, "LP"), a) for a in _children(rng, wife, count))
        if shape == "with_parent":
            side = "orang_tua" if rng.random() < 0.6 else "mertua"
            parent_age = min(95.0, age + uniform(22, 34))
            if rng.random() < 0.2:
                people.append(_Person(side, "L", min(96.0, parent_age + uniform(0, 5))))
                people.append(_Person(side, "P", parent_age))
            else:
                people.append(_Person(side, "P" if rng.random() < 0.7 else "L", parent_age))
    elif shape == "single_parent":
        sex = "P" if rng.random() < 0.7 else "L"
        age = uniform(28, 65)
        people.append(_Person("kepala", sex, age))
        count = _pick(rng, (1, 1, 2, 2, 3))
        people.extend(
            _Person("anak", _pick(rng, "LP"), a)
            for a in _children(rng, age if sex == "P" else age - 4, count)
        )
    else:  # three generations under an older head
        age = uniform(52, 78)
        wife = max(45.0, age - uniform(0, 7))
        people.append(_Person("kepala", "L", age))
        people.append(_Person("istri", "P", wife))
        married_age = min(wife - uniform(20, 28), 45.0)
        married_sex = _pick(rng, "LP")
        people.append(_Person("anak", married_sex, married_age))
        people.append(_Person("menantu", "P" if married_sex == "L" else "L", married_age))
        mother = married_age if married_sex == "P" else married_age - 2
        people.extend(
            _Person("cucu", _pick(rng, "LP"), a)
            for a in _children(rng, mother + 8, _pick(rng, (1, 2, 2, 3)))
        )
        if rng.random() < 0.4:
            people.append(_Person("anak", _pick(rng, "LP"), max(15.0, married_age - uniform(3, 8))))
    if rng.random() < 0.04:
        people.append(_Person("famili_lain", _pick(rng, "LP"), uniform(14, 30)))

    head = people[0]
    family = namer.family_name(culture, head.age) if head.sex == "L" else ""
    if head.sex == "P" and culture in (CHINESE, BATAK):
        family = namer.family_name(culture, head.age)
    for person in people:
        if person.relation in ("anak", "cucu") or person is head:
            person_family = family
        elif culture in (CHINESE, BATAK):
            person_family = namer.family_name(culture, person.age)
        else:
            person_family = ""
        if person.relation == "cucu" and culture not in (CHINESE, BATAK):
            person_family = ""
        person.name = namer.full(culture, person.sex, person.age, person_family)
    return people


# ---- Identity numbers -----------------------------------------------------------------------


class _Serials:
    """Next serial per 12-digit NIK/KK prefix, starting above what the database already holds."""

    def __init__(self, model: type[Household] | type[Resident], column: str) -> None:
        self.table = model._meta.db_table
        self.column = column
        self.next: dict[str, int] = {}
        self.loaded: set[str] = set()

    def load(self, region: str) -> None:
        if region in self.loaded:
            return
        self.loaded.add(region)
        upper = str(int(region) + 1).rjust(6, "0")
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT substr({self.column}, 1, 12), max(substr({self.column}, 13, 4)) "  # noqa: S608
                f"FROM {self.table} WHERE {self.column} >= %s AND {self.column} < %s "
                "GROUP BY substr(" + self.column + ", 1, 12)",
                [region, upper],
            )
            for prefix, serial in cursor.fetchall():
                self.next[prefix] = int(serial) + 1

    def forget(self, region: str) -> None:
        self.loaded.discard(region)
        for prefix in [p for p in self.next if p.startswith(region)]:
            del self.next[prefix]

    def take(self, prefix: str) -> str | None:
        serial = self.next.get(prefix, 1)
        if serial > 9999:
            return None
        self.next[prefix] = serial + 1
        return f"{prefix}{serial:04d}"


def _nik_date(day: dt.date, sex: str) -> str:
    return f"{day.day + (40 if sex == 'P' else 0):02d}{day.month:02d}{day.year % 100:02d}"


# ---- Writing --------------------------------------------------------------------------------

HOUSEHOLD_COLUMNS = ("id", "kk", "rt_id", "address", "head_id", "created_at", "updated_at")
RESIDENT_COLUMNS = (
    "id",
    "nik",
    "name",
    "sex",
    "birth_date",
    "birth_place",
    "phone",
    "household_id",
    "relation",
    "rt_id",
    "status",
    "comorbidities",
    "hamil",
    "disabilitas",
    "created_at",
    "updated_at",
)


@contextlib.contextmanager
def _bulk_session() -> Iterator[None]:
    """On SQLite, a bigger page cache while indexes of a big table grow (restored after)."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        previous = int(cursor.fetchone()[0])
        cursor.execute(f"PRAGMA cache_size = {-SQLITE_CACHE_KIB}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {previous}")


# ---- The generator --------------------------------------------------------------------------


def synthesize(
    *,
    under: Territory,
    residents: int,
    seed: int,
    progress: Callable[[int], Any] | None = None,
    actor: Any = None,
    marker: str = "",
    today: dt.date | None = None,
    chunk_size: int = CHUNK_RESIDENTS,
) -> SynthStats:
    """Add ``residents`` synthetic residents under ``under`` (a kelurahan or higher).

    ``progress`` is called with the number of residents written after each chunk. ``marker``
    is stored as the summary audit entry's object_id (the demo uses it to know it ran).
    """
    if under.level > Level.KELURAHAN:
        raise SynthError(_("Choose a kelurahan or a higher level, not an RW or RT."))
    if residents < 1:
        raise SynthError(_("The number of residents must be at least 1."))
    started = time.perf_counter()
    rng = random.Random(seed)
    today = today or timezone.localdate()
    stats = SynthStats()

    plans, new_territories, stats.rw_created, stats.rt_created = _plan(rng, under, residents)
    stats.kelurahan = len({plan.kelurahan for plan in plans})
    with transaction.atomic():
        Territory.objects.bulk_create(new_territories, batch_size=2000)

    writer = _Writer(today)
    with _bulk_session():
        for batch, count in _batches(_PeopleGenerator(rng, today), plans, chunk_size):
            writer.write(batch, count, stats)
            if progress:
                progress(count)

    stats.seconds = time.perf_counter() - started
    with transaction.atomic():
        audit.record(
            actor=actor,
            action=AuditAction.IMPORT,
            object_type=AUDIT_OBJECT_TYPE,
            object_id=marker,
            territory_id=under.id,
            summary=(
                f"Synthetic population (not real people): {stats.residents} residents, "
                f"{stats.households} households under {under.code}, seed {seed}"
            ),
            changes={
                "synthetic": True,
                "seed": seed,
                "residents": stats.residents,
                "households": stats.households,
                "rw_created": stats.rw_created,
                "rt_created": stats.rt_created,
                "without_nik": stats.without_nik,
            },
        )
    return stats


@dataclass
class _Row:
    """A generated resident before ids are known."""

    nik: str
    name: str
    sex: str
    birth_date: dt.date
    birth_place: str
    phone: str
    relation: str
    status: str
    comorbidities: str
    hamil: bool
    disabilitas: bool


@dataclass
class _GeneratedHousehold:
    kk_prefix: str  # region + registration date; the serial is added by the writer
    rt_id: int
    address: str
    region: str
    members: list[_Row]
    nik_prefixes: list[str]  # per member: 12-digit NIK prefix, or '' for no NIK


class _PeopleGenerator:
    def __init__(self, rng: random.Random, today: dt.date) -> None:
        self.rng = rng
        self.today = today
        self.today_ordinal = today.toordinal()
        self.namer = _Namer(rng, today.year)
        weights = [w for _, w in names.COMORBIDITY_WEIGHTS]
        self.comorbidity_names = [n for n, _ in names.COMORBIDITY_WEIGHTS]
        self.comorbidity_cumulative = list(itertools.accumulate(weights))
        self.json_cache: dict[tuple[str, ...], str] = {(): "[]"}

    def _comorbidities(self, age: float) -> str:
        rng = self.rng
        if age < 18:
            return "[]"
        chance = (
            0.03
            if age < 30
            else 0.07
            if age < 45
            else 0.18
            if age < 60
            else 0.33
            if age < 70
            else 0.42
        )
        if rng.random() >= chance:
            return "[]"
        count = 1 if rng.random() < 0.75 else 2 if rng.random() < 0.8 else 3
        total = self.comorbidity_cumulative[-1]
        chosen: list[str] = []
        while len(chosen) < count:
            pick = self.comorbidity_names[
                bisect.bisect_right(self.comorbidity_cumulative, rng.random() * total)
            ]
            if pick not in chosen:
                chosen.append(pick)
        key = tuple(sorted(chosen))
        if key not in self.json_cache:
            self.json_cache[key] = json.dumps(list(key))
        return self.json_cache[key]

    def _phone(self, age: float) -> str:
        rng = self.rng
        chance = 0.0 if age < 12 else 0.35 if age < 17 else 0.85 if age < 65 else 0.45
        if rng.random() >= chance:
            return ""
        return f"+62{_pick(rng, names.MOBILE_PREFIXES)}{rng.randrange(10**7, 10**8)}"

    def households(self, plan: _RtPlan) -> Iterator[_GeneratedHousehold]:
        rng = self.rng
        lanes = [
            f"Gg. {_pick(rng, names.LANES)} {_pick(rng, ('I', 'II', 'III', 'IV', 'V', 'VI'))}"
            for _ in range(rng.randint(2, 4))
        ]
        house_numbers = dict.fromkeys(lanes, 0)
        remaining = plan.quota
        while remaining > 0:
            people = _household(rng, self.namer)[:remaining]
            remaining -= len(people)
            lane = _pick(rng, lanes)
            house_numbers[lane] += rng.randint(1, 3)
            yield self._finish(plan, people, f"{lane} No. {house_numbers[lane]}")

    def _finish(self, plan: _RtPlan, people: list[_Person], address: str) -> _GeneratedHousehold:
        rng = self.rng
        random_ = rng.random
        today_ordinal = self.today_ordinal
        newcomer = random_() < 0.07
        origin_region, origin_place = (
            _pick(rng, names.ORIGIN_REGIONS) if newcomer else (plan.region, "Semarang")
        )
        head_age = people[0].age
        registered = dt.date.fromordinal(
            today_ordinal - rng.randint(30, max(31, int(min(head_age - 17, 25) * YEAR)))
        )
        members: list[_Row] = []
        prefixes: list[str] = []
        for index, person in enumerate(people):
            age = person.age
            birth = dt.date.fromordinal(today_ordinal - max(1, int(age * YEAR)))
            # Where born: children mostly in Semarang; adults from across Java and beyond.
            if newcomer and (age >= 5 or random_() < 0.5):
                place = origin_place if random_() < 0.8 else _pick(rng, names.BIRTH_PLACES_NEAR)
            elif age < 25 or random_() < 0.62:
                place = "Semarang"
            elif random_() < 0.8:
                place = _pick(rng, names.BIRTH_PLACES_NEAR)
            else:
                place = _pick(rng, names.BIRTH_PLACES_FAR)
            status = "pendatang" if newcomer else "tetap"
            if index and not newcomer:
                if age >= 60 and random_() < 0.06:
                    status = "meninggal"
                elif 18 <= age <= 40 and person.relation == "anak" and random_() < 0.08:
                    status = "pindah"
            # NIK: none for most babies, some young children and some newcomers (~3% in all).
            if age < 1:
                has_nik = random_() < 0.4
            elif newcomer:
                has_nik = random_() < 0.8
            elif age < 5:
                has_nik = random_() < 0.9
            else:
                has_nik = random_() < 0.995
            prefix = ""
            if has_nik:
                nik_birth = birth
                if random_() < 0.015:  # the NIK keeps an old, wrong birth date
                    shift = _pick(rng, (-1, 1)) * rng.randint(1, 900)
                    shifted = birth.toordinal() + shift
                    if shifted >= today_ordinal:
                        shifted = birth.toordinal() - abs(shift)
                    nik_birth = dt.date.fromordinal(shifted)
                region = origin_region if newcomer and age >= 17 else plan.region
                prefix = region + _nik_date(nik_birth, person.sex)
            hamil = (
                person.sex == "P"
                and 18 <= age <= 40
                and person.relation in ("kepala", "istri", "menantu")
                and status in ("tetap", "pendatang")
                and random_() < (0.09 if age < 35 else 0.03)
            )
            disability_chance = 0.01 if age < 40 else 0.025 if age < 60 else 0.06
            members.append(
                _Row(
                    nik="",
                    name=person.name,
                    sex=person.sex,
                    birth_date=birth,
                    birth_place=place,
                    phone=self._phone(age) if status != "meninggal" else "",
                    relation=person.relation,
                    status=status,
                    comorbidities=self._comorbidities(age),
                    hamil=hamil,
                    disabilitas=random_() < disability_chance,
                )
            )
            prefixes.append(prefix)
        return _GeneratedHousehold(
            kk_prefix=plan.region + _nik_date(registered, "L"),
            rt_id=plan.rt_id,
            address=address,
            region=plan.region,
            members=members,
            nik_prefixes=prefixes,
        )


def _batches(
    generator: _PeopleGenerator, plans: list[_RtPlan], chunk_size: int
) -> Iterator[tuple[list[_GeneratedHousehold], int]]:
    """Chunks of whole households, about ``chunk_size`` residents each, never across kecamatan.

    (Generating in a thread beside the inserts was tried: the SQLite driver gives up the GIL
    for every row it steps, so the two threads convoy on the GIL and nothing is gained.)
    """
    batch: list[_GeneratedHousehold] = []
    count = 0
    region = ""
    for plan in plans:
        if plan.region != region and batch:
            yield batch, count
            batch, count = [], 0
        region = plan.region
        for household in generator.households(plan):
            batch.append(household)
            count += len(household.members)
            if count >= chunk_size:
                yield batch, count
                batch, count = [], 0
    if batch:
        yield batch, count


class _Writer:
    def __init__(self, today: dt.date) -> None:
        self.region = ""
        self.nik = _Serials(Resident, "nik")
        self.kk = _Serials(Household, "kk")
        self.sqlite = connection.vendor != "postgresql"
        now = timezone.now()
        self.now = connection.ops.adapt_datetimefield_value(now) if self.sqlite else now

    def write(self, batch: list[_GeneratedHousehold], count: int, stats: SynthStats) -> None:
        """Insert one chunk of whole households in one transaction."""
        region = batch[0].region
        if region != self.region:
            # Batches never straddle kecamatan: the previous one's counters can go.
            if self.region:
                self.nik.forget(self.region)
                self.kk.forget(self.region)
            self.region = region
            self.kk.load(region)
            self.nik.load(region)
        for household in batch:
            for prefix in household.nik_prefixes:
                if prefix:
                    self.nik.load(prefix[:6])  # newcomers' regions
        nik_state = dict(self.nik.next)
        kk_state = dict(self.kk.next)
        try:
            with transaction.atomic():
                self._write(batch, count, stats)
        except BaseException:
            self.nik.next, self.kk.next = nik_state, kk_state
            raise

    def _kk_another_day(self, household: _GeneratedHousehold) -> str:
        """9,999 cards issued on one day in one kecamatan: take the first day of that year left."""
        year = household.kk_prefix[-2:]
        for month, day in itertools.product(range(1, 13), range(1, 29)):
            kk = self.kk.take(f"{household.region}{day:02d}{month:02d}{year}")
            if kk is not None:
                return kk
        raise SynthError(_("No free No. KK serial left for %(year)s.") % {"year": year})

    def _write(self, batch: list[_GeneratedHousehold], count: int, stats: SynthStats) -> None:
        household_ids = bulk.allocate_ids(Household._meta.db_table, len(batch))
        resident_ids = iter(bulk.allocate_ids(Resident._meta.db_table, count))
        now, sqlite = self.now, self.sqlite
        household_rows: list[tuple[Any, ...]] = []
        resident_rows: list[tuple[Any, ...]] = []
        without_nik = 0
        for household_id, household in zip(household_ids, batch, strict=True):
            kk = self.kk.take(household.kk_prefix) or self._kk_another_day(household)
            head_id = 0
            for index, (member, prefix) in enumerate(
                zip(household.members, household.nik_prefixes, strict=True)
            ):
                resident_id = next(resident_ids)
                if index == 0:
                    head_id = resident_id
                nik = (self.nik.take(prefix) or "") if prefix else ""
                if not nik:
                    without_nik += 1
                resident_rows.append(
                    (
                        resident_id,
                        nik,
                        member.name,
                        member.sex,
                        member.birth_date.isoformat() if sqlite else member.birth_date,
                        member.birth_place,
                        member.phone,
                        household_id,
                        member.relation,
                        household.rt_id,
                        member.status,
                        member.comorbidities,
                        member.hamil,
                        member.disabilitas,
                        now,
                        now,
                    )
                )
            household_rows.append(
                (household_id, kk, household.rt_id, household.address, head_id, now, now)
            )
        bulk.insert_rows(Household._meta.db_table, HOUSEHOLD_COLUMNS, household_rows)
        bulk.insert_rows(Resident._meta.db_table, RESIDENT_COLUMNS, resident_rows)
        stats.households += len(household_rows)
        stats.residents += len(resident_rows)
        stats.without_nik += without_nik


def territory_for(code: str) -> Territory:
    """The territory a synthetic population may be added under (kelurahan or higher)."""
    try:
        parsed = codes.parse_code(code)
    except codes.CodeError as exc:
        raise SynthError(str(exc)) from exc
    territory = Territory.objects.filter(id=parsed.key).first()
    if territory is None:
        raise SynthError(
            _("Unknown territory %(code)s: load the code list first (siaga territory load).")
            % {"code": code}
        )
    if territory.level > Level.KELURAHAN:
        raise SynthError(_("Choose a kelurahan or a higher level, not an RW or RT."))
    return territory
