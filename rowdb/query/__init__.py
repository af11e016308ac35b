"""The query layer: SQL text to rows.

Where: above `vc` (versioned tables) and below `session`. Modules: types.py (SQL types),
casts.py, textio.py, datetimes.py, resolve.py and arith.py (values of those types); parsing,
binding, planning and execution live beside them.
"""
