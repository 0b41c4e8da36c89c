"""The national code list shipped as package data (see data/NOTICE.md for its attribution)."""

from __future__ import annotations

import csv
import gzip
import io
from collections.abc import Iterator
from functools import lru_cache
from importlib import resources

ATTRIBUTION = (
    "Kode wilayah: Kepmendagri No. 300.2.2-2138 Tahun 2025, from the cahyadsn/wilayah dataset "
    "(MIT), copyright (c) 2017-2025 Cahya DSN."
)


def open_code_list() -> io.TextIOWrapper:
    raw = resources.files("siaga.territory").joinpath("data/wilayah.csv.gz").open("rb")
    return io.TextIOWrapper(gzip.GzipFile(fileobj=raw), encoding="utf-8", newline="")


def iter_code_list() -> Iterator[tuple[str, str]]:
    with open_code_list() as handle:
        reader = csv.reader(handle)
        next(reader)
        for row in reader:
            yield row[0], row[1]


@lru_cache(maxsize=1)
def region_names() -> dict[str, str]:
    """code → name for the first three levels (province, kabupaten/kota, kecamatan)."""
    return {code: name for code, name in iter_code_list() if code.count(".") <= 2}
