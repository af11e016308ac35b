"""Version control: root values (database versions), working sets, and later commits, refs,
merge and diff. Uses the storage layer; used by the query and session layers."""
