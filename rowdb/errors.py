"""Errors rowdb raises, each carrying a PostgreSQL SQLSTATE.

Where: shared by every layer (storage, vc, query, server). The class hierarchy follows PEP 249
(DB-API 2.0) so that the Python API can re-export it unchanged; the server sends `sqlstate`,
`message`, `detail` and `hint` as the fields of an ErrorResponse.
"""

from __future__ import annotations

SQLSTATE_CLASSES: dict[str, type["RowdbError"]] = {}


class Warning(Exception):  # noqa: A001 - the name PEP 249 requires
    """Important warnings (PEP 249)."""


class RowdbError(Exception):
    """Base of every rowdb error (PEP 249 `Error`)."""

    sqlstate = "XX000"
    node = None  # the parsed expression that failed, until its position is worked out

    def __init_subclass__(cls, sqlstate: str | None = None, **kw):
        super().__init_subclass__(**kw)
        if sqlstate:
            cls.sqlstate = sqlstate
            SQLSTATE_CLASSES.setdefault(sqlstate, cls)

    def __init__(self, message: str, *, detail: str | None = None, hint: str | None = None,
                 position: int | None = None):
        super().__init__(message)
        self.message = message
        self.detail = detail
        self.hint = hint
        self.position = position

    def __str__(self) -> str:
        text = self.message
        if self.detail:
            text += f"\nDETAIL:  {self.detail}"
        if self.hint:
            text += f"\nHINT:  {self.hint}"
        return text


Error = RowdbError


def client_error(cls: type[RowdbError], message: str) -> RowdbError:
    """An error of API use, found before any SQL ran (closed cursor, parameter count): as in
    psycopg, it carries no SQLSTATE (`.sqlstate` is None)."""
    error = cls(message)
    error.sqlstate = None
    return error


class InterfaceError(RowdbError):
    """Misuse of the API itself (PEP 249)."""


class DatabaseError(RowdbError):
    """Errors related to the database (PEP 249)."""


class DataError(DatabaseError, sqlstate="22000"):
    """Bad data values (PEP 249)."""


class OperationalError(DatabaseError, sqlstate="58000"):
    """Errors outside the user's SQL: storage, resources (PEP 249)."""


class IntegrityError(DatabaseError, sqlstate="23000"):
    """Constraint violations (PEP 249)."""


class InternalError(DatabaseError, sqlstate="XX000"):
    """A bug in rowdb: an invariant did not hold (PEP 249)."""


class ProgrammingError(DatabaseError, sqlstate="42000"):
    """Errors in the SQL text or its names (PEP 249)."""


class NotSupportedError(DatabaseError, sqlstate="0A000"):
    """A feature rowdb does not implement (PEP 249)."""


# Storage ------------------------------------------------------------------------------------

class CorruptionError(InternalError, sqlstate="XX001"):
    """A stored chunk does not match its hash or cannot be decoded (data_corrupted)."""


class MissingChunkError(InternalError, sqlstate="XX002"):
    """A chunk that a tree or ref points at is not in the store (index_corrupted)."""


class StorageFullError(OperationalError, sqlstate="53100"):
    """The disk (or the configured map size limit) is full (disk_full)."""


class StorageIOError(OperationalError, sqlstate="58030"):
    """The operating system reported an I/O error on the store (io_error)."""


class UnknownRefError(ProgrammingError, sqlstate="42704"):
    """A ref name that does not exist (undefined_object)."""


class RefConflictError(OperationalError, sqlstate="40001"):
    """A ref moved since the writer read it (serialization_failure)."""


class InvalidValueError(DataError, sqlstate="22023"):
    """A value that cannot be encoded (invalid_parameter_value)."""


class ProgramLimitExceededError(OperationalError, sqlstate="54000"):
    """A value exceeds a size limit of rowdb's (program_limit_exceeded)."""


# SQL ----------------------------------------------------------------------------------------

class SyntaxError(ProgrammingError, sqlstate="42601"):  # noqa: A001 - PostgreSQL's name
    """The statement does not parse (syntax_error)."""


class UndefinedTableError(ProgrammingError, sqlstate="42P01"):
    """undefined_table"""


class DuplicateTableError(ProgrammingError, sqlstate="42P07"):
    """duplicate_table"""


class DuplicateAliasError(ProgrammingError, sqlstate="42712"):
    """duplicate_alias"""


class WrongObjectTypeError(ProgrammingError, sqlstate="42809"):
    """wrong_object_type"""


class UndefinedColumnError(ProgrammingError, sqlstate="42703"):
    """undefined_column"""


class DuplicateColumnError(ProgrammingError, sqlstate="42701"):
    """duplicate_column"""


class AmbiguousColumnError(ProgrammingError, sqlstate="42702"):
    """ambiguous_column"""


class DatatypeMismatchError(ProgrammingError, sqlstate="42804"):
    """datatype_mismatch"""


class UndefinedFunctionError(ProgrammingError, sqlstate="42883"):
    """undefined_function (also operators)"""


class UndefinedObjectError(ProgrammingError, sqlstate="42704"):
    """undefined_object (types and other named objects)"""


class GroupingError(ProgrammingError, sqlstate="42803"):
    """grouping_error: a column must appear in GROUP BY or an aggregate"""


class InvalidColumnReferenceError(ProgrammingError, sqlstate="42P10"):
    """invalid_column_reference (ORDER BY position, ON CONFLICT target)"""


class CannotCoerceError(ProgrammingError, sqlstate="42846"):
    """cannot_coerce"""


class InvalidTextRepresentationError(DataError, sqlstate="22P02"):
    """invalid_text_representation"""


class NumericValueOutOfRangeError(DataError, sqlstate="22003"):
    """numeric_value_out_of_range"""


class DivisionByZeroError(DataError, sqlstate="22012"):
    """division_by_zero"""


class StringDataRightTruncationError(DataError, sqlstate="22001"):
    """string_data_right_truncation"""


class InvalidDatetimeFormatError(DataError, sqlstate="22007"):
    """invalid_datetime_format"""


class DatetimeFieldOverflowError(DataError, sqlstate="22008"):
    """datetime_field_overflow"""


class CardinalityViolationError(ProgrammingError, sqlstate="21000"):
    """cardinality_violation: a scalar subquery returned more than one row"""


class InvalidParameterValueError(DataError, sqlstate="22023"):
    """invalid_parameter_value"""


class NotNullViolationError(IntegrityError, sqlstate="23502"):
    """not_null_violation"""


class UniqueViolationError(IntegrityError, sqlstate="23505"):
    """unique_violation"""


class InFailedTransactionError(InternalError, sqlstate="25P02"):
    """in_failed_sql_transaction: commands ignored until end of transaction block"""


class ReadOnlyTransactionError(InternalError, sqlstate="25006"):
    """read_only_sql_transaction (psycopg maps it to InternalError too)"""


class ActiveTransactionError(InternalError, sqlstate="25001"):
    """active_sql_transaction"""


class SerializationFailureError(OperationalError, sqlstate="40001"):
    """serialization_failure: a concurrent transaction changed the same data"""


class InvalidRowCountInLimitError(DataError, sqlstate="2201W"):
    """invalid_row_count_in_limit_clause"""


class InvalidRowCountInOffsetError(DataError, sqlstate="2201X"):
    """invalid_row_count_in_result_offset_clause"""


class InvalidSavepointError(OperationalError, sqlstate="3B001"):
    """invalid_savepoint_specification"""


class NoActiveTransactionError(InternalError, sqlstate="25P01"):
    """no_active_sql_transaction"""
