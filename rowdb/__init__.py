"""rowdb: a versioned SQL database in Python, Git for tables.

`rowdb.connect(path)` returns a PEP 249 connection to the repository in `path`.
"""

from rowdb.dbapi import (Binary, Connection, Cursor, Date, Time, Timestamp, apilevel, connect,
                         paramstyle, threadsafety)
from rowdb.errors import (DatabaseError, DataError, Error, IntegrityError, InterfaceError,
                          InternalError, NotSupportedError, OperationalError,
                          ProgrammingError, Warning)

__version__ = "0.1.0"
__all__ = ["connect", "Connection", "Cursor", "apilevel", "threadsafety", "paramstyle",
           "Error", "Warning", "InterfaceError", "DatabaseError", "DataError",
           "OperationalError", "IntegrityError", "InternalError", "ProgrammingError",
           "NotSupportedError", "Date", "Time", "Timestamp", "Binary"]
