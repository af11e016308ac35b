"""Hash functions: sha224, sha256, sha384 and sha512 of bytea, returning bytea.

Where: query layer; registered into functions.py's registry on import (md5, which returns
hex text, is with the string functions in strfuncs.py). sqlglot reads sha256/384/512(x) as
its SHA2Digest node; functions.name_of gives them back their PostgreSQL names.

>>> _DIGESTS["sha224"](b"abc").hex()[:16]
'23097d223405d822'
"""

from __future__ import annotations

import hashlib

from rowdb.query.functions import scalar
from rowdb.query.types import BYTEA

_DIGESTS = {name: (lambda data, fn=getattr(hashlib, name): fn(data).digest())
            for name in ("sha224", "sha256", "sha384", "sha512")}

for _name, _digest in _DIGESTS.items():
    scalar(_name, (BYTEA,), BYTEA)(_digest)
