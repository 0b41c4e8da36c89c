"""Where a row's RT is: the RT named by the row, or the one imported into (created
when asked)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from siaga.core import codes, policy
from siaga.registry.importing import parsing
from siaga.registry.importing.results import _Bad
from siaga.territory.models import Level, Territory


class _Places:
    """Turns the RT/RW/kelurahan cells of a row into an RT key under the import territory."""

    def __init__(self, territory: Territory, create_missing: bool) -> None:
        self.territory = territory
        self.create_missing = create_missing
        self.known: dict[str, int | None] = {}
        self.to_create: set[str] = set()
        parsed = codes.parse_code(territory.code)
        self.kelurahan_name = ""
        self.kelurahan_by_name: dict[str, list[str]] = {}
        if territory.level >= Level.KELURAHAN:
            kelurahan_code = ".".join(parsed.parts[:4])
            kelurahan = Territory.objects.filter(code=kelurahan_code).first()
            self.kelurahan_name = parsing.place_key(kelurahan.name) if kelurahan else ""
        else:
            for code, name in Territory.objects.filter(
                policy.in_subtree("id", territory.bounds), level=Level.KELURAHAN
            ).values_list("code", "name"):
                self.kelurahan_by_name.setdefault(parsing.place_key(name), []).append(code)

    def rt_key(self, rt: int | None, rw: int | None, kelurahan: str) -> int | None:
        territory, level = self.territory, self.territory.level
        if (
            kelurahan
            and level >= Level.KELURAHAN
            and parsing.place_key(kelurahan) != self.kelurahan_name
        ):
            raise _Bad(
                "kelurahan",
                _("This kelurahan is not the one chosen for this import (%(place)s).")
                % {"place": territory.display_name},
            )
        if level == Level.RT:
            number = territory.number
            if rt is not None and rt != number:
                raise _Bad(
                    "rt",
                    _("This import is for RT %(number)03d only.") % {"number": number},
                )
            parent_number = int(territory.code.split(".")[4])
            if rw is not None and rw != parent_number:
                raise _Bad(
                    "rw",
                    _("This import is for RW %(number)03d only.") % {"number": parent_number},
                )
            return territory.id
        if rt is None:
            if rw is not None and level < Level.RW:
                raise _Bad("rt", _("The RT is missing."))
            return None
        if level == Level.RW:
            number = territory.number
            if rw is not None and rw != number:
                raise _Bad("rw", _("This import is for RW %(number)03d only.") % {"number": number})
            code = f"{territory.code}.{rt:03d}"
        else:
            if rw is None:
                raise _Bad("rw", _("The RW is missing."))
            if level == Level.KELURAHAN:
                base = territory.code
            else:
                if not kelurahan:
                    raise _Bad(
                        "kelurahan",
                        _("Name the kelurahan/desa: this import covers %(place)s.")
                        % {"place": territory.display_name},
                    )
                matches = self.kelurahan_by_name.get(parsing.place_key(kelurahan), [])
                if len(matches) != 1:
                    raise _Bad(
                        "kelurahan",
                        _("No single kelurahan/desa of this name in %(place)s.")
                        % {"place": territory.display_name}
                        if matches
                        else _("There is no kelurahan/desa of this name in %(place)s.")
                        % {"place": territory.display_name},
                    )
                base = matches[0]
            code = f"{base}.{rw:03d}.{rt:03d}"
        return self._lookup(code, rt, rw)

    def _lookup(self, code: str, rt: int, rw: int | None) -> int:
        if code not in self.known:
            found = Territory.objects.filter(code=code, level=Level.RT).values_list("id", flat=True)
            self.known[code] = next(iter(found), None)
        key = self.known[code]
        if key is not None:
            return key
        if not self.create_missing:
            raise _Bad(
                "rt",
                _(
                    "RT %(rt)03d / RW %(rw)s does not exist yet. Check the number, or allow "
                    "creating missing RT/RW."
                )
                % {"rt": rt, "rw": code.split(".")[4]},
            )
        self.to_create.add(code)
        return codes.parse_code(code).key
